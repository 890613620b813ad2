import type { OptionsByAlgorithm, Resolved } from './types.ts';

/** PyTorch's defaults (torch.optim, 2.x); optax's for LAMB. */
export const DEFAULTS: { [A in keyof OptionsByAlgorithm]: Resolved<OptionsByAlgorithm[A]> } = {
  sgd: { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false },
  adagrad: {
    lr: 1e-2,
    lrDecay: 0,
    weightDecay: 0,
    initialAccumulatorValue: 0,
    eps: 1e-10,
    maximize: false,
    epsInsideSqrt: false,
  },
  rmsprop: {
    lr: 1e-2,
    alpha: 0.99,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0,
    centered: false,
    maximize: false,
    epsInsideSqrt: false,
  },
  adam: {
    lr: 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
    maximize: false,
    epsInsideSqrt: false,
  },
  adamw: {
    lr: 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 1e-2,
    amsgrad: false,
    maximize: false,
    epsInsideSqrt: false,
  },
  adamax: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
  adadelta: { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
  // lion-pytorch's defaults (torch has no Lion); maximize is timm's option
  lion: { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 0, maximize: false },
  nadam: {
    lr: 2e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    momentumDecay: 4e-3,
    decoupledWeightDecay: false,
    maximize: false,
  },
  radam: {
    lr: 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    decoupledWeightDecay: false,
    maximize: false,
  },
  // optax.lamb's defaults (PyTorch has no LAMB).
  lamb: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0, maximize: false },
  // facebookresearch/schedule_free AdamWScheduleFree (v1.3); weightSum, lrMax and trainMode
  // are its running weight_sum, lr_max and train_mode, kept in the param group as the
  // reference keeps them (trainMode starts true here: see docs/algorithms.md).
  schedulefreeadamw: {
    lr: 0.0025,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    warmupSteps: 0,
    r: 0,
    weightLrPower: 2,
    weightSum: 0,
    lrMax: -1,
    trainMode: true,
  },
};
