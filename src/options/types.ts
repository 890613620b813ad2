/**
 * Optimizer options. Names are PyTorch's, camelCased; defaults are PyTorch's (see defaults.ts).
 * This module is pure TypeScript so that the GPU optimizers and the CPU reference share it.
 */

/** Options every optimizer accepts. */
export interface CommonOptions {
  /** Learning rate. Must be >= 0. */
  lr?: number;
  /** L2 penalty added to the gradient (AdamW: decoupled decay). Must be >= 0. */
  weightDecay?: number;
  /** Maximize the objective instead of minimizing it (negates the gradient). */
  maximize?: boolean;
}

export interface SGDOptions extends CommonOptions {
  /** Momentum factor, >= 0. 0 means plain SGD. */
  momentum?: number;
  /** Dampening for momentum, in [0, 1]. Not applied on the first step (PyTorch). */
  dampening?: number;
  /** Nesterov momentum. Needs momentum > 0 and dampening 0. */
  nesterov?: boolean;
}

export interface AdagradOptions extends CommonOptions {
  /** Learning-rate decay: clr = lr / (1 + (step - 1) * lrDecay). */
  lrDecay?: number;
  /** Initial value of the `sum` accumulator (PyTorch 0, TF.js 0.1). */
  initialAccumulatorValue?: number;
  /** Term added for numerical stability. Must be > 0. */
  eps?: number;
  /** Put eps under the square root: sqrt(sum + eps) (TF.js, optax) instead of sqrt(sum) + eps. */
  epsInsideSqrt?: boolean;
}

export interface RMSpropOptions extends CommonOptions {
  /** Smoothing constant of the squared-gradient average, in [0, 1). */
  alpha?: number;
  /** Term added for numerical stability. Must be > 0. */
  eps?: number;
  /** Momentum factor, >= 0. */
  momentum?: number;
  /** Centered RMSprop: normalize by the estimated variance. */
  centered?: boolean;
  /** Put eps under the square root (TF.js, optax) instead of adding it after. */
  epsInsideSqrt?: boolean;
}

export interface AdamOptions extends CommonOptions {
  /** Coefficients of the running averages of the gradient and its square, each in [0, 1). */
  betas?: readonly [number, number];
  /** Term added for numerical stability. Must be > 0. */
  eps?: number;
  /** AMSGrad: use the running max of exp_avg_sq. */
  amsgrad?: boolean;
  /** Put eps under the square root: sqrt(v_hat + eps) instead of sqrt(v_hat) + eps. */
  epsInsideSqrt?: boolean;
}

/** AdamW takes Adam's options; weightDecay is decoupled and defaults to 0.01. */
export type AdamWOptions = AdamOptions;

/** Adamax (torch.optim.Adamax): Adam with an exponentially weighted infinity norm. */
export interface AdamaxOptions extends CommonOptions {
  /** Coefficients of the running average of the gradient and of the infinity norm, in [0, 1). */
  betas?: readonly [number, number];
  /** Added to |g| inside the max (PyTorch's placement). Must be > 0. */
  eps?: number;
}

/** Adadelta (torch.optim.Adadelta): Zeiler's per-element step size from two running averages. */
export interface AdadeltaOptions extends CommonOptions {
  /** Coefficient of both running averages (square_avg and acc_delta), in [0, 1]. */
  rho?: number;
  /** Added under both square roots. Must be > 0. */
  eps?: number;
}

/**
 * Lion (Chen et al. 2023; lion-pytorch): the sign of an interpolated momentum, with decoupled
 * weight decay p ← p·(1 − lr·weightDecay).
 */
export interface LionOptions extends CommonOptions {
  /** Interpolation (β1) and momentum (β2) coefficients, each in [0, 1]. */
  betas?: readonly [number, number];
}

/** NAdam's options (torch.optim.NAdam, 2.x): Adam with Nesterov momentum and a momentum schedule. */
export interface NAdamOptions extends CommonOptions {
  /** Coefficients of the running averages of the gradient and its square, each in [0, 1). */
  betas?: readonly [number, number];
  /** Term added for numerical stability (outside the square root). Must be > 0. */
  eps?: number;
  /** ψ in mu_t = beta1 · (1 − 0.5 · 0.96^(t·ψ)). Must be >= 0. */
  momentumDecay?: number;
  /** AdamW-style decay, param *= 1 − lr·weightDecay, instead of L2 added to the gradient. */
  decoupledWeightDecay?: boolean;
}

/** RAdam's options (torch.optim.RAdam, 2.x): Adam with the variance rectification. */
export interface RAdamOptions extends CommonOptions {
  /** Coefficients of the running averages of the gradient and its square, each in [0, 1). */
  betas?: readonly [number, number];
  /** Term added for numerical stability (outside the square root). Must be > 0. */
  eps?: number;
  /** AdamW-style decay, param *= 1 − lr·weightDecay, instead of L2 added to the gradient. */
  decoupledWeightDecay?: boolean;
}

/**
 * LAMB (optax `lamb`; You et al. 2020): Adam's direction plus decoupled weight decay, scaled
 * per tensor by the trust ratio ‖param‖ / ‖update‖. Defaults are optax's.
 */
export interface LambOptions extends CommonOptions {
  /** Coefficients of the running averages of the gradient and its square, each in [0, 1). */
  betas?: readonly [number, number];
  /** Term added to the denominator, outside the square root (optax eps). Must be > 0. */
  eps?: number;
}

/**
 * Schedule-Free AdamW (facebookresearch/schedule_free `AdamWScheduleFree`, v1.3): no lr
 * schedule; the params hold y (train mode) or x (eval mode), see docs/algorithms.md.
 */
export interface ScheduleFreeAdamWOptions {
  /** Learning rate (default 0.0025). Must be >= 0. */
  lr?: number;
  /** β1 (the interpolation between z and the average x) and β2, each in [0, 1). */
  betas?: readonly [number, number];
  /** Term added to the denominator outside the square root. Must be > 0. */
  eps?: number;
  /** Weight decay, added to the normalized gradient at y. Must be >= 0. */
  weightDecay?: number;
  /** Linear lr warmup over this many steps (an integer >= 0). */
  warmupSteps?: number;
  /** Polynomial weighting of the average: weight ∝ step^r. */
  r?: number;
  /** The average's weights are lr_max^weightLrPower (0: no lr weighting). */
  weightLrPower?: number;
  /**
   * Running sum of the average's weights (the reference's `weight_sum`). Kept in the param
   * group so state dicts carry it; the optimizer updates it every step. Starts at 0.
   */
  weightSum?: number;
  /** The largest scheduled lr so far (the reference's `lr_max`), updated every step. Starts at -1. */
  lrMax?: number;
  /**
   * Whether the group's params hold y (true) or x (false): the reference's `train_mode`, set by
   * train() and eval() and carried by state dicts. Starts true.
   */
  trainMode?: boolean;
}

/** The optimizer families this package implements. */
export type Algorithm =
  | 'sgd'
  | 'adagrad'
  | 'rmsprop'
  | 'adam'
  | 'adamw'
  | 'adamax'
  | 'adadelta'
  | 'lion'
  | 'nadam'
  | 'radam'
  | 'lamb'
  | 'schedulefreeadamw';

/** Each algorithm's options type, by algorithm name (as `createOptimizer` takes them). */
export interface OptionsByAlgorithm {
  /** Options of `SGD`. */
  sgd: SGDOptions;
  /** Options of `Adagrad`. */
  adagrad: AdagradOptions;
  /** Options of `RMSprop`. */
  rmsprop: RMSpropOptions;
  /** Options of `Adam`. */
  adam: AdamOptions;
  /** Options of `AdamW`. */
  adamw: AdamWOptions;
  /** Options of `Adamax`. */
  adamax: AdamaxOptions;
  /** Options of `Adadelta`. */
  adadelta: AdadeltaOptions;
  /** Options of `Lion`. */
  lion: LionOptions;
  /** Options of `NAdam`. */
  nadam: NAdamOptions;
  /** Options of `RAdam`. */
  radam: RAdamOptions;
  /** Options of `LAMB`. */
  lamb: LambOptions;
  /** Options of `ScheduleFreeAdamW`. */
  schedulefreeadamw: ScheduleFreeAdamWOptions;
}

/** Options with every default filled in. */
export type Resolved<T> = { [K in keyof T]-?: Exclude<T[K], undefined> };

/** Names of the per-tensor state arrays, in PyTorch's vocabulary and in storage order. */
export type StateName =
  | 'momentum_buffer'
  | 'sum'
  | 'square_avg'
  | 'grad_avg'
  | 'exp_avg'
  | 'exp_avg_sq'
  | 'max_exp_avg_sq'
  | 'exp_inf'
  | 'acc_delta'
  | 'z'
  | 'saved_y';
