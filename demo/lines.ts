/**
 * The optimizer lines the playground draws: a name, a colour (the same in the legend, the
 * trajectories and the particles), the package's algorithm, and its options built from the
 * page's settings. Every option not named here is PyTorch's default.
 */
import type { OptionsByAlgorithm } from 'webgpu-optim';

/** The hyperparameters the controls set (lrs come per line, from the surface or the user). */
export interface Hyper {
  /** SGD momentum of the Momentum and Nesterov lines. */
  momentum: number;
  /** Adam's betas. */
  beta1: number;
  beta2: number;
  /** RMSprop's smoothing constant, and whether it is centered. */
  alpha: number;
  centered: boolean;
}

export const DEFAULT_HYPER: Hyper = {
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  alpha: 0.99,
  centered: false,
};

/** The algorithms the lines use. */
export type LineAlgorithm = 'sgd' | 'adagrad' | 'rmsprop' | 'adam';

/** One line: which optimizer, in which colour. */
export type Line = {
  [A in LineAlgorithm]: {
    name: string;
    color: string;
    algorithm: A;
    options(lr: number, h: Hyper): OptionsByAlgorithm[A];
  };
}[LineAlgorithm];

/** The Okabe–Ito colours, readable by colour-blind viewers, dark enough on the contours. */
export const LINES: readonly Line[] = [
  { name: 'SGD', color: '#d55e00', algorithm: 'sgd', options: (lr) => ({ lr }) },
  {
    name: 'Momentum',
    color: '#0072b2',
    algorithm: 'sgd',
    options: (lr, h) => ({ lr, momentum: h.momentum }),
  },
  {
    name: 'Nesterov',
    color: '#009e73',
    algorithm: 'sgd',
    options: (lr, h) => ({ lr, momentum: h.momentum, nesterov: true }),
  },
  { name: 'AdaGrad', color: '#cc79a7', algorithm: 'adagrad', options: (lr) => ({ lr }) },
  {
    name: 'RMSprop',
    color: '#e69f00',
    algorithm: 'rmsprop',
    options: (lr, h) => ({ lr, alpha: h.alpha, centered: h.centered }),
  },
  {
    name: 'Adam',
    color: '#000000',
    algorithm: 'adam',
    options: (lr, h) => ({ lr, betas: [h.beta1, h.beta2] }),
  },
];
