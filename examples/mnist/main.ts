// npm start: trains LeNet-5 on the 60,000 MNIST (or --dataset fashion-mnist) training
// images, evaluates it on the 10,000 test images after every epoch, and writes the model,
// SVG charts of loss and accuracy, and the history as JSON into --out. Ctrl-C stops after
// the current batch, evaluates and writes what was trained so far, and exits 130.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { init, type InitOptions } from '../../src/backend/registry.js';
import type { Backend } from '../../src/backend/backend.js';
import { CliError, DATASET_TITLES, INTERRUPTED_STATUS, describeEngine, interruptedLine, loadDataset, type Interruption } from './cli.js';
import { setSeed } from '../../src/init.js';
import { Adam, SGD, type Optimizer } from '../../src/train/optim/index.js';
import { CosineLR, type EpochEndInfo } from '../../src/train/index.js';
import { DEFAULTS, USAGE, parseArgs, type MnistArgs } from './args.js';
import { lineChart } from '../../tools/svg-chart.js';
import { lenet } from './model.js';
import { resnet } from './resnet.js';
import { shiftImages } from './augment.js';
import { Random } from '../../src/random.js';
import type { Module } from '../../src/nn/index.js';

function buildModel(name: MnistArgs['model']): Module {
  if (name === 'lenet') return lenet();
  if (name === 'lenet-bn') return lenet({ batchNorm: true });
  if (name === 'resnet') return resnet();
  return lenet({ batchNorm: true, channels: [8, 16] });
}
import { Progress } from './progress.js';

async function chooseBackend(args: MnistArgs): Promise<Backend> {
  if (args.backend) return init({ backend: args.backend } as InitOptions);
  try {
    return await init();
  } catch (err) {
    console.warn(`wasm backend unavailable (${(err as Error).message}); using js`);
    return init({ backend: 'js' });
  }
}

function describeBackend(b: Backend): string {
  const variant = (b as Backend & { variant?: string }).variant;
  return variant ? `${b.name} (${variant})` : b.name;
}

const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;

async function main(): Promise<number> {
  let args: MnistArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`error: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const backend = await chooseBackend(args);
  console.log(describeEngine(backend));
  const lr = args.lr ?? DEFAULTS.lr[args.optimizer];
  const decay = args.schedule === 'cosine' ? 0 : (args.decay ?? DEFAULTS.decay[args.optimizer]);
  const loadStart = performance.now();
  const data = await loadDataset(args.dataset, { train: args.train, test: args.test });
  const title = DATASET_TITLES[args.dataset];
  const nTrain = data.trainImages.shape[0];
  const nTest = data.testImages.shape[0];
  console.log(`${title}: ${nTrain} training and ${nTest} test images loaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
  setSeed(args.seed);
  const model = buildModel(args.model);
  const optimizer: Optimizer =
    args.optimizer === 'adam' ? new Adam(model.parameters(), { lr, decay }) : new SGD(model.parameters(), { lr, momentum: 0.9, decay });
  const shiftRandom = new Random(args.seed + 1);
  const lrSchedule = args.schedule === 'cosine' ? new CosineLR({ lr, total: args.epochs * Math.ceil(nTrain / args.batchSize), by: 'step' }) : undefined;
  console.log(model.summary([args.batchSize, 1, 28, 28]));
  console.log(
    `model ${args.model} | backend ${describeBackend(backend)} | ${args.optimizer} lr ${lr} ${lrSchedule ? 'cosine' : `decay ${decay}`} | batch ${args.batchSize} | ` +
      `${args.epochs} epochs | seed ${args.seed}${args.shift ? ` | shifts ±${args.shift}px` : ''}`,
  );

  const progress = new Progress(process.stdout);
  const batchLoss: [number, number][] = [];
  const epochs: EpochEndInfo[] = [];
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  let interrupted: Interruption | null = null;
  let lastBatch = { epoch: -1, batch: -1, batches: 0 };
  // Bias-corrected exponential moving average of the batch loss (as Adam's moments).
  let ema = 0;
  let seen = 0;
  try {
    await model.fit(data.trainImages, data.trainLabels, {
      epochs: args.epochs,
      batchSize: args.batchSize,
      optimizer,
      seed: args.seed,
      validationData: [data.testImages, data.testLabels],
      signal: controller.signal,
      lrSchedule,
      augment: args.shift > 0 ? (x) => shiftImages(x, args.shift, shiftRandom) : undefined,
      onBatchEnd: (b) => {
        lastBatch = b;
        ema = 0.98 * ema + 0.02 * b.loss;
        const smoothed = ema / (1 - 0.98 ** ++seen);
        if (b.batch % 10 === 9 || b.batch === b.batches - 1) batchLoss.push([b.epoch + (b.batch + 1) / b.batches, smoothed]);
        progress.update({ ...b, epochs: args.epochs, loss: smoothed, total: nTrain });
      },
      onEpochEnd: (e) => {
        progress.end();
        epochs.push(e);
        console.log(
          `epoch ${e.epoch + 1}/${e.epochs}  train loss ${e.loss.toFixed(4)}  train acc ${pct(e.accuracy)}  ` +
            `test loss ${(e.valLoss as number).toFixed(4)}  test acc ${pct(e.valAccuracy as number)}  ` +
            `time ${e.epochTime.toFixed(1)} s (${(nTrain / e.epochTime).toFixed(0)} samples/s)`,
        );
      },
    });
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
    progress.end();
    // Report the weights that are about to be saved, not the last finished epoch's.
    const test = model.evaluate(data.testImages, data.testLabels);
    interrupted = { epoch: lastBatch.epoch + 1, batch: lastBatch.batch + 1, batches: lastBatch.batches, testLoss: test.loss, testAccuracy: test.accuracy };
    console.log(interruptedLine(interrupted));
  } finally {
    process.off('SIGINT', onSigint);
  }

  await mkdir(args.out, { recursive: true });
  const files = {
    model: path.join(args.out, `${args.model}.simdnet`),
    loss: path.join(args.out, 'loss.svg'),
    accuracy: path.join(args.out, 'accuracy.svg'),
    history: path.join(args.out, 'history.json'),
  };
  const ep = (f: (e: EpochEndInfo) => number): [number, number][] => epochs.map((e) => [e.epoch + 1, f(e)]);
  await writeFile(files.model, model.save());
  await writeFile(
    files.loss,
    lineChart({
      title: `${args.model} on ${title}: loss`,
      xLabel: 'epoch',
      yLabel: 'cross-entropy loss (log scale)',
      yScale: 'log',
      series: [
        { name: 'train (smoothed)', color: '#1f77b4', points: batchLoss },
        { name: 'train (epoch mean)', color: '#2ca02c', points: ep((e) => e.loss), dots: true },
        { name: 'test', color: '#d62728', points: ep((e) => e.valLoss as number), dots: true },
      ],
    }),
  );
  await writeFile(
    files.accuracy,
    lineChart({
      title: `${args.model} on ${title}: accuracy`,
      xLabel: 'epoch',
      yLabel: 'accuracy',
      yFormat: (v) => `${(100 * v).toFixed(1)}%`,
      legend: 'bottom-right',
      series: [
        { name: 'train', color: '#2ca02c', points: ep((e) => e.accuracy), dots: true },
        { name: 'test', color: '#d62728', points: ep((e) => e.valAccuracy as number), dots: true },
      ],
    }),
  );
  const summary = {
    dataset: args.dataset, model: args.model, backend: describeBackend(backend), optimizer: args.optimizer, lr, decay, schedule: args.schedule, shift: args.shift, batchSize: args.batchSize, epochs: args.epochs, seed: args.seed,
    // Epochs count from 1, as the console prints them.
    train: nTrain, test: nTest, interrupted, history: epochs.map((e) => ({ ...e, epoch: e.epoch + 1 })),
  };
  await writeFile(files.history, JSON.stringify(summary, null, 2) + '\n');
  const last = epochs.at(-1);
  if (interrupted) {
    console.log(`final test accuracy ${pct(interrupted.testAccuracy)} of the saved weights (interrupted; ${epochs.length} complete epoch(s)) on ${describeBackend(backend)}`);
  } else if (last) {
    const mean = epochs.reduce((s, e) => s + e.epochTime, 0) / epochs.length;
    console.log(`final test accuracy ${pct(last.valAccuracy as number)} after ${epochs.length} epoch(s); mean epoch time ${mean.toFixed(1)} s on ${describeBackend(backend)}`);
  }
  console.log(`wrote ${files.model}, ${files.loss}, ${files.accuracy}, ${files.history}`);
  return interrupted ? INTERRUPTED_STATUS : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) console.error(`error: ${err.message}`);
    else console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = err instanceof CliError ? err.status : 1;
  },
);
