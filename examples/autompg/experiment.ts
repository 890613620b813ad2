/**
 * The seed notes' optimizer comparison on auto-mpg: linear regression (3 inputs → MPG), MSE
 * loss, batches of 34 in row order, lr 0.001, 1000 epochs, five optimizers with PyTorch's
 * defaults otherwise. One definition shared by the GPU page, the CPU run, the tests and
 * (through examples/results/autompg.json) the PyTorch cross-check.
 */
import type { Algorithm, OptionsByAlgorithm } from 'webgpu-optim';

/** Rows per mini-batch (the notes' DataLoader batch_size); the last batch holds the rest. */
export const BATCH_SIZE = 34;
/** The learning rate every optimizer gets. */
export const LR = 0.001;
/** The notes' run length. */
export const EPOCHS = 1000;

/** One optimizer of the comparison: a label, an algorithm, and every option spelled out. */
export type OptimizerConfig = {
  [A in Exclude<Algorithm, 'adamw'>]: {
    name: string;
    algorithm: A;
    options: Required<Omit<OptionsByAlgorithm[A], 'epsInsideSqrt'>>;
  };
}[Exclude<Algorithm, 'adamw'>];

/** The notes' five optimizers; every option not set by the notes is PyTorch's default. */
export const OPTIMIZERS: readonly OptimizerConfig[] = [
  {
    name: 'SGD',
    algorithm: 'sgd',
    options: {
      lr: LR,
      momentum: 0,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
      maximize: false,
    },
  },
  {
    name: 'Momentum',
    algorithm: 'sgd',
    options: {
      lr: LR,
      momentum: 0.9,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
      maximize: false,
    },
  },
  {
    name: 'Adagrad',
    algorithm: 'adagrad',
    options: {
      lr: LR,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
    },
  },
  {
    name: 'RMSprop',
    algorithm: 'rmsprop',
    options: {
      lr: LR,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
    },
  },
  {
    name: 'Adam',
    algorithm: 'adam',
    options: {
      lr: LR,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
    },
  },
];

/** What one run needs, as plain arrays (it crosses into the browser page as JSON). */
export interface Problem {
  /** Standardised inputs, row-major n × 3, f32 values. */
  x: number[];
  /** Targets (MPG), n f32 values. */
  y: number[];
  /** Initial weights (3) and bias, f32 values; every optimizer starts from them. */
  weight: number[];
  bias: number;
}

/** One optimizer's loss curve: the last batch's loss (before its step) at every epoch. */
export interface Curve {
  name: string;
  losses: number[];
}

/** [start, end) row ranges of the batches, in row order; the last may be short. */
export function batchRanges(rows: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < rows; s += BATCH_SIZE) out.push([s, Math.min(s + BATCH_SIZE, rows)]);
  return out;
}
