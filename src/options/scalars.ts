import type { AdagradOptions, AdamOptions, RMSpropOptions, Resolved, SGDOptions } from './types.ts';

/**
 * Per-step scalars, computed on the host in f64 exactly as PyTorch computes them in Python,
 * then rounded to f32 once when they are written into the kernel's uniform. The kernels (and
 * the CPU reference) "don't need to know about t".
 * Field names are the WGSL uniform's field names.
 */
export interface SgdScalars {
  lr: number;
  weight_decay: number;
  momentum: number;
  one_minus_dampening: number;
  /** 1 on the step that creates momentum_buffer (PyTorch clones g then), else 0. */
  first_step: number;
}

export interface AdagradScalars {
  /** lr / (1 + (step - 1) * lr_decay) */
  clr: number;
  weight_decay: number;
  eps: number;
}

export interface RmspropScalars {
  lr: number;
  alpha: number;
  one_minus_alpha: number;
  eps: number;
  weight_decay: number;
  momentum: number;
}

export interface AdamScalars {
  weight_decay: number;
  /** 1 - lr * weight_decay, used by AdamW's decoupled decay. */
  decay_factor: number;
  one_minus_beta1: number;
  beta2: number;
  one_minus_beta2: number;
  /** lr / (1 - beta1^step) */
  step_size: number;
  /** 1 - beta2^step */
  bias_correction2: number;
  /** sqrt(1 - beta2^step) */
  bias_correction2_sqrt: number;
  eps: number;
}

function checkStep(step: number): void {
  if (!Number.isInteger(step) || step < 1) {
    throw new RangeError(`step must be an integer >= 1, got ${step}`);
  }
}

/** `step` is the 1-based count of the step being taken. */
export function sgdScalars(o: Resolved<SGDOptions>, step: number): SgdScalars {
  checkStep(step);
  return {
    lr: o.lr,
    weight_decay: o.weightDecay,
    momentum: o.momentum,
    one_minus_dampening: 1 - o.dampening,
    first_step: step === 1 ? 1 : 0,
  };
}

export function adagradScalars(o: Resolved<AdagradOptions>, step: number): AdagradScalars {
  checkStep(step);
  return { clr: o.lr / (1 + (step - 1) * o.lrDecay), weight_decay: o.weightDecay, eps: o.eps };
}

export function rmspropScalars(o: Resolved<RMSpropOptions>, step: number): RmspropScalars {
  checkStep(step);
  return {
    lr: o.lr,
    alpha: o.alpha,
    one_minus_alpha: 1 - o.alpha,
    eps: o.eps,
    weight_decay: o.weightDecay,
    momentum: o.momentum,
  };
}

export function adamScalars(o: Resolved<AdamOptions>, step: number): AdamScalars {
  checkStep(step);
  const [beta1, beta2] = o.betas;
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  return {
    weight_decay: o.weightDecay,
    decay_factor: 1 - o.lr * o.weightDecay,
    one_minus_beta1: 1 - beta1,
    beta2,
    one_minus_beta2: 1 - beta2,
    step_size: o.lr / biasCorrection1,
    bias_correction2: biasCorrection2,
    bias_correction2_sqrt: Math.sqrt(biasCorrection2),
    eps: o.eps,
  };
}
