import type {
  AdadeltaOptions,
  AdagradOptions,
  AdamaxOptions,
  AdamOptions,
  LambOptions,
  LionOptions,
  NAdamOptions,
  RAdamOptions,
  RMSpropOptions,
  Resolved,
  SGDOptions,
} from './types.ts';

/**
 * Per-step scalars, computed on the host in f64 exactly as PyTorch computes them in Python,
 * then rounded to f32 once when they are written into the kernel's uniform. The kernels (and
 * the CPU reference) "don't need to know about t".
 * Field names are the WGSL uniform's field names.
 */
export interface SgdScalars {
  /** The learning rate. */
  lr: number;
  /** L2 weight decay (added to the gradient; 0 skips it). */
  weight_decay: number;
  /** The momentum factor. */
  momentum: number;
  /** 1 − dampening. */
  one_minus_dampening: number;
  /** 1 on the step that creates momentum_buffer (PyTorch clones g then), else 0. */
  first_step: number;
}

/** Adagrad's per-step scalars (the kernel's uniform fields). */
export interface AdagradScalars {
  /** lr / (1 + (step - 1) * lr_decay) */
  clr: number;
  /** L2 weight decay (added to the gradient; 0 skips it). */
  weight_decay: number;
  /** ε (the optimizers raise it to `epsFloor` with 16-bit state before use). */
  eps: number;
}

/** RMSprop's per-step scalars (the kernel's uniform fields). */
export interface RmspropScalars {
  /** The learning rate. */
  lr: number;
  /** The smoothing constant α. */
  alpha: number;
  /** 1 − α. */
  one_minus_alpha: number;
  /** ε (the optimizers raise it to `epsFloor` with 16-bit state before use). */
  eps: number;
  /** L2 weight decay (added to the gradient; 0 skips it). */
  weight_decay: number;
  /** The momentum factor. */
  momentum: number;
}

/** Adam and AdamW's per-step scalars (the kernel's uniform fields). */
export interface AdamScalars {
  /** Weight decay; the L2 path (Adam) adds it to the gradient, AdamW uses decay_factor. */
  weight_decay: number;
  /** 1 - lr * weight_decay, used by AdamW's decoupled decay. */
  decay_factor: number;
  /** 1 − β1. */
  one_minus_beta1: number;
  /** β2. */
  beta2: number;
  /** 1 − β2. */
  one_minus_beta2: number;
  /** lr / (1 - beta1^step) */
  step_size: number;
  /** 1 - beta2^step */
  bias_correction2: number;
  /** sqrt(1 - beta2^step) */
  bias_correction2_sqrt: number;
  /** ε (the optimizers raise it to `epsFloor` with 16-bit state before use). */
  eps: number;
}

/** Adamax's per-step scalars (the kernel's uniform fields). */
export interface AdamaxScalars {
  /** L2 weight decay (added to the gradient; 0 skips it). */
  weight_decay: number;
  /** 1 − β1. */
  one_minus_beta1: number;
  /** β2. */
  beta2: number;
  /** ε, added to |g| inside the max (raised to `epsFloor` with 16-bit state). */
  eps: number;
  /** lr / (1 - beta1^step) */
  clr: number;
}

/** Adadelta's per-step scalars (the kernel's uniform fields; the same at every step). */
export interface AdadeltaScalars {
  /** The learning rate (a scale on Zeiler's update, 1 in the paper). */
  lr: number;
  /** ρ. */
  rho: number;
  /** 1 − ρ. */
  one_minus_rho: number;
  /** ε, under both square roots (raised to `epsFloor` with 16-bit state). */
  eps: number;
  /** L2 weight decay (added to the gradient; 0 skips it). */
  weight_decay: number;
}

/** Lion's per-step scalars (the kernel's uniform fields; the same at every step). */
export interface LionScalars {
  /** The learning rate: every element moves by lr (times the sign). */
  lr: number;
  /** 1 − lr·weight_decay (decoupled decay, lion-pytorch's `p.data.mul_(1 - lr * wd)`). */
  decay_factor: number;
  /** β1, the interpolation coefficient. */
  beta1: number;
  /** 1 − β1. */
  one_minus_beta1: number;
  /** β2, the momentum coefficient. */
  beta2: number;
  /** 1 − β2. */
  one_minus_beta2: number;
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

/** Adagrad's scalars for the 1-based step `step`: `clr` from the lr decay. */
export function adagradScalars(o: Resolved<AdagradOptions>, step: number): AdagradScalars {
  checkStep(step);
  return { clr: o.lr / (1 + (step - 1) * o.lrDecay), weight_decay: o.weightDecay, eps: o.eps };
}

/** RMSprop's scalars for the 1-based step `step` (the same at every step). */
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

/** Adam's and AdamW's scalars for the 1-based step `step`, bias corrections included. */
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

/** Adamax's scalars for the 1-based step `step`: clr = lr / (1 − β1^step), as PyTorch. */
export function adamaxScalars(o: Resolved<AdamaxOptions>, step: number): AdamaxScalars {
  checkStep(step);
  const [beta1, beta2] = o.betas;
  return {
    weight_decay: o.weightDecay,
    one_minus_beta1: 1 - beta1,
    beta2,
    eps: o.eps,
    clr: o.lr / (1 - beta1 ** step),
  };
}

/** Adadelta's scalars for the 1-based step `step` (the same at every step). */
export function adadeltaScalars(o: Resolved<AdadeltaOptions>, step: number): AdadeltaScalars {
  checkStep(step);
  return {
    lr: o.lr,
    rho: o.rho,
    one_minus_rho: 1 - o.rho,
    eps: o.eps,
    weight_decay: o.weightDecay,
  };
}

/** Lion's scalars for the 1-based step `step` (the same at every step). */
export function lionScalars(o: Resolved<LionOptions>, step: number): LionScalars {
  checkStep(step);
  const [beta1, beta2] = o.betas;
  return {
    lr: o.lr,
    decay_factor: 1 - o.lr * o.weightDecay,
    beta1,
    one_minus_beta1: 1 - beta1,
    beta2,
    one_minus_beta2: 1 - beta2,
  };
}

/** NAdam's per-step scalars (the kernel's uniform fields). */
export interface NAdamScalars {
  /** L2 weight decay (added to the gradient unless decoupled; 0 skips it). */
  weight_decay: number;
  /** 1 − lr·weight_decay, used by the decoupled decay. */
  decay_factor: number;
  /** 1 − β1. */
  one_minus_beta1: number;
  /** β2. */
  beta2: number;
  /** 1 − β2. */
  one_minus_beta2: number;
  /** 1 − β2^step */
  bias_correction2: number;
  /** ε (the optimizers raise it to `epsFloor` with 16-bit state before use). */
  eps: number;
  /** −lr·(1 − mu_t) / (1 − mu_product_t): the gradient's coefficient. */
  grad_coef: number;
  /** −lr·mu_{t+1} / (1 − mu_product_t·mu_{t+1}): exp_avg's coefficient. */
  avg_coef: number;
}

/** NAdam's momentum schedule mu_t = β1·(1 − 0.5·0.96^(t·ψ)), in f64 as torch computes it. */
export function nadamMu(beta1: number, momentumDecay: number, step: number): number {
  return beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
}

/**
 * NAdam's `mu_product` after step `step`, from its value before it: torch keeps it as a 0-dim
 * float32 tensor and multiplies in place (`mu_product *= mu`), so the product is rounded to f32
 * at every step, with mu rounded to f32 first.
 */
export function nadamMuProduct(
  o: { betas: readonly [number, number]; momentumDecay: number },
  step: number,
  previous: number,
): number {
  return Math.fround(previous * Math.fround(nadamMu(o.betas[0], o.momentumDecay, step)));
}

/**
 * NAdam's scalars for the 1-based step `step` (torch.optim.NAdam, _single_tensor_nadam, 2.x),
 * given the tensor's `mu_product` before the step (1 before the first).
 */
export function nadamScalars(
  o: Resolved<NAdamOptions>,
  step: number,
  muProductBefore = 1,
): NAdamScalars {
  checkStep(step);
  const [beta1, beta2] = o.betas;
  const mu = nadamMu(beta1, o.momentumDecay, step);
  const muNext = nadamMu(beta1, o.momentumDecay, step + 1);
  const muProduct = nadamMuProduct(o, step, muProductBefore);
  const muProductNext = muProduct * muNext;
  return {
    weight_decay: o.weightDecay,
    decay_factor: 1 - o.lr * o.weightDecay,
    one_minus_beta1: 1 - beta1,
    beta2,
    one_minus_beta2: 1 - beta2,
    bias_correction2: 1 - beta2 ** step,
    eps: o.eps,
    grad_coef: (-o.lr * (1 - mu)) / (1 - muProduct),
    avg_coef: (-o.lr * muNext) / (1 - muProductNext),
  };
}

/** RAdam's per-step scalars (the kernel's uniform fields). */
export interface RAdamScalars {
  /** L2 weight decay (added to the gradient unless decoupled; 0 skips it). */
  weight_decay: number;
  /** 1 − lr·weight_decay, used by the decoupled decay. */
  decay_factor: number;
  /** 1 − β1. */
  one_minus_beta1: number;
  /** β2. */
  beta2: number;
  /** 1 − β2. */
  one_minus_beta2: number;
  /** 1 − β1^step */
  bias_correction1: number;
  /** The learning rate. */
  lr: number;
  /** sqrt(1 − β2^step) */
  bias_correction2_sqrt: number;
  /** The rectification term r_t (0 on the unrectified branch). */
  rect: number;
  /** ε (the optimizers raise it to `epsFloor` with 16-bit state before use). */
  eps: number;
  /** 1 when rho_t > 5 (the adaptive, rectified branch), else 0 (plain momentum SGD). */
  rectified: number;
}

/** RAdam's rho_t and rectification for step `step`, in f64 (torch.optim.RAdam). */
export function radamRectification(
  beta2: number,
  step: number,
): { rhoInf: number; rhoT: number; rectified: boolean; rect: number } {
  const biasCorrection2 = 1 - beta2 ** step;
  const rhoInf = 2 / (1 - beta2) - 1;
  const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
  const rectified = rhoT > 5;
  const rect = rectified
    ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
    : 0;
  return { rhoInf, rhoT, rectified, rect };
}

/** RAdam's scalars for the 1-based step `step` (_single_tensor_radam, 2.x). */
export function radamScalars(o: Resolved<RAdamOptions>, step: number): RAdamScalars {
  checkStep(step);
  const [beta1, beta2] = o.betas;
  const r = radamRectification(beta2, step);
  return {
    weight_decay: o.weightDecay,
    decay_factor: 1 - o.lr * o.weightDecay,
    one_minus_beta1: 1 - beta1,
    beta2,
    one_minus_beta2: 1 - beta2,
    bias_correction1: 1 - beta1 ** step,
    lr: o.lr,
    bias_correction2_sqrt: Math.sqrt(1 - beta2 ** step),
    rect: r.rect,
    eps: o.eps,
    rectified: r.rectified ? 1 : 0,
  };
}

/** LAMB's per-step scalars (the kernel's uniform fields besides the tensor-sums ones). */
export interface LambScalars {
  /** Decoupled weight decay, added to the Adam direction before the trust ratio. */
  weight_decay: number;
  /** 1 − β1. */
  one_minus_beta1: number;
  /** β2. */
  beta2: number;
  /** 1 − β2. */
  one_minus_beta2: number;
  /** 1 / (1 - beta1^step) */
  inv_bias_correction1: number;
  /** 1 - beta2^step */
  bias_correction2: number;
  /** sqrt(1 - beta2^step) */
  bias_correction2_sqrt: number;
  /** ε, outside the square root (raised to `epsFloor` with 16-bit state). */
  eps: number;
  /** The learning rate, applied after the trust ratio. */
  lr: number;
}

/** LAMB's scalars for the 1-based step `step`, bias corrections included. */
export function lambScalars(o: Resolved<LambOptions>, step: number): LambScalars {
  checkStep(step);
  const [beta1, beta2] = o.betas;
  const biasCorrection2 = 1 - beta2 ** step;
  return {
    weight_decay: o.weightDecay,
    one_minus_beta1: 1 - beta1,
    beta2,
    one_minus_beta2: 1 - beta2,
    inv_bias_correction1: 1 / (1 - beta1 ** step),
    bias_correction2: biasCorrection2,
    bias_correction2_sqrt: Math.sqrt(biasCorrection2),
    eps: o.eps,
    lr: o.lr,
  };
}
