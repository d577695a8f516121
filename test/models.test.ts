// The model builders against torchvision: the same state-dict keys and shapes, in the same
// order, and the same parameter counts (fixture from scripts/fixtures/torchvision_state_dicts.py),
// plus forward shapes, save/load and option errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  loadModel, mobilenetV2, mobilenetV3Large, mobilenetV3Small, noGrad, currentBackend, init, randn, resnet18, resnet34, setBackend, type Module,
} from '../src/index.js';

interface TorchModel {
  parameters: number;
  state: [string, number[]][];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/torchvision-state-dicts.json', import.meta.url), 'utf8')) as { models: Record<string, TorchModel> };

const BUILDERS: Record<string, () => Module> = { resnet18, resnet34, mobilenetV2, mobilenetV3Small, mobilenetV3Large };

describe('models match torchvision', () => {
  for (const [name, build] of Object.entries(BUILDERS)) {
    it(`${name}: state-dict keys, shapes and parameter count`, () => {
      const model = build();
      const ours = Object.entries(model.stateDict()).map(([k, t]) => [k, [...t.shape]]);
      expect(ours).toEqual(fixture.models[name].state);
      const count = model.parameters().reduce((n, p) => n + p.size, 0);
      expect(count).toBe(fixture.models[name].parameters);
    });
  }
});

describe('models run', () => {
  it('resnet18 and the MobileNets map [N, 3, H, W] to [N, numClasses] on wasm', async () => {
    const before = currentBackend();
    await init({ backend: 'wasm' });
    try {
      for (const model of [resnet18({ numClasses: 7 }), mobilenetV2({ numClasses: 7 }), mobilenetV3Small({ numClasses: 7 })]) {
        model.eval();
        const y = noGrad(() => model.forward(randn([2, 3, 64, 64], { seed: 1 })));
        expect(y.shape).toEqual([2, 7]);
        expect(y.data.every(Number.isFinite)).toBe(true);
      }
    } finally {
      setBackend(before);
    }
  });

  it('a saved mobilenetV3Small loads with the same outputs', () => {
    const model = mobilenetV3Small({ numClasses: 5 });
    model.eval();
    const x = randn([1, 3, 32, 32], { seed: 2 });
    const back = loadModel(model.save());
    back.eval();
    expect(back.type).toBe('MobileNetV3');
    expect(Array.from(noGrad(() => back.forward(x)).data)).toEqual(Array.from(noGrad(() => model.forward(x)).data));
  });

  it('refuses bad options by name', () => {
    expect(() => resnet18({ numClasses: 0 })).toThrow(/resnet18: numClasses must be a positive integer, got 0/);
    expect(() => mobilenetV2({ classes: 10 } as never)).toThrow(/MobileNetV2: unknown option 'classes'/);
  });
});
