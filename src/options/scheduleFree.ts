import { scalerScheduleFreeStep } from './scalerScheduleFree.ts';
import type { Resolved, ScheduleFreeAdamWOptions } from './types.ts';

/**
 * Schedule-Free AdamW's per-step numbers, computed on the host in f64 as the reference
 * (facebookresearch/schedule_free, schedulefree/adamw_schedulefree.py, v1.3, commit b3be06f)
 * computes them in Python, for the 1-based step k + 1 = `step`:
 *   sched         = step / warmup_steps while step <= warmup_steps, else 1
 *   lr            = lr · sched
 *   lr_max        = max(lr, lr_max)
 *   weight        = step^r · lr_max^weight_lr_power
 *   weight_sum    = weight_sum + weight
 *   ckp1          = weight / weight_sum (0 when weight_sum is 0, the reference's
 *                   ZeroDivisionError branch)
 * `lrMax` and `weightSum` are the values the param group holds after the step.
 */
export interface ScheduleFreeRunning {
  /** The scheduled lr of this step (lr · sched). */
  lr: number;
  /** max(lr, the group's lrMax). */
  lrMax: number;
  /** The group's weightSum plus this step's weight. */
  weightSum: number;
  /** This step's weight over the new weight sum. */
  ckp1: number;
}

/** The running numbers of step `step` (1-based) for a group whose options are `o`. */
export function scheduleFreeRunning(
  o: Resolved<ScheduleFreeAdamWOptions>,
  step: number,
): ScheduleFreeRunning {
  if (!Number.isInteger(step) || step < 1) {
    throw new RangeError(`step must be an integer >= 1, got ${step}`);
  }
  const k = step - 1;
  const sched = k < o.warmupSteps ? (k + 1) / o.warmupSteps : 1;
  const lr = o.lr * sched;
  const lrMax = Math.max(lr, o.lrMax);
  const weight = (k + 1) ** o.r * lrMax ** o.weightLrPower;
  const weightSum = o.weightSum + weight;
  const ckp1 = weightSum === 0 ? 0 : weight / weightSum;
  return { lr, lrMax, weightSum, ckp1 };
}

/** ScheduleFreeAdamW's uniform fields (shaders/schedulefree.wgsl, `SfUniforms`). */
export interface ScheduleFreeScalars {
  /** Weight decay, added to the normalized gradient at y (0 skips it). */
  weight_decay: number;
  /** β2. */
  beta2: number;
  /** 1 − β2. */
  one_minus_beta2: number;
  /** 1 − β2^step. */
  bias_correction2: number;
  /** ε (raised to `epsFloor` with 16-bit state). */
  eps: number;
  /** The scheduled lr (the z step's size). */
  lr: number;
  /** weight / weight_sum: y moves this far towards z. */
  ckp1: number;
  /** lr · (β1 · (1 − ckp1) − 1): y's step along the normalized gradient. */
  y_coef: number;
  /** 1 on the step that creates z (the reference clones the param then), else 0. */
  first_step: number;
  /** 1 − 1/β1: eval() sets p = lerp(y, z, eval_weight) = x. */
  eval_weight: number;
  /** 1 − β1: train() sets p = lerp(x, z, train_weight) = y. */
  train_weight: number;
}

/** ScheduleFreeAdamW's uniform for step `step` (1-based): the running numbers in f64. */
export function scheduleFreeScalars(
  o: Resolved<ScheduleFreeAdamWOptions>,
  step: number,
): ScheduleFreeScalars {
  const run = scheduleFreeRunning(o, step);
  const [beta1, beta2] = o.betas;
  return {
    weight_decay: o.weightDecay,
    beta2,
    one_minus_beta2: 1 - beta2,
    bias_correction2: 1 - beta2 ** step,
    eps: o.eps,
    lr: run.lr,
    ckp1: run.ckp1,
    y_coef: run.lr * (beta1 * (1 - run.ckp1) - 1),
    first_step: step === 1 ? 1 : 0,
    ...modeWeights(o.betas),
  };
}

/** The lerp weights of eval() and train() (the uniform's fields of the same names). */
export interface ModeWeights {
  /** 1 − 1/β1 (0 when β1 is 0, where eval() refuses to run). */
  eval_weight: number;
  /** 1 − β1. */
  train_weight: number;
}

/** The lerp weights of eval() and train() for these betas, in f64 (rounded once to f32). */
export function modeWeights(betas: readonly [number, number]): ModeWeights {
  const beta1 = betas[0];
  return { eval_weight: beta1 === 0 ? 0 : 1 - 1 / beta1, train_weight: 1 - beta1 };
}

/**
 * After a step of `algorithm`: ScheduleFreeAdamW's param groups take the step's lrMax and
 * weightSum (as the reference's group['lr_max'] and group['weight_sum']); other algorithms
 * keep no running group values. `o` is the group's resolved options the step used and `step`
 * the 1-based step of its first tensor. `scaled` (a GradScaler is attached): computed in f32
 * as the GPU's prepare pass does (src/options/scalerScheduleFree.ts), for the reference.
 */
export function advanceGroup(
  algorithm: string,
  group: object,
  o: object,
  step: number,
  scaled = false,
): void {
  if (algorithm !== 'schedulefreeadamw') return;
  const r = o as Resolved<ScheduleFreeAdamWOptions>;
  const run = scaled
    ? scalerScheduleFreeStep(r, step, r.weightSum, r.lrMax)
    : scheduleFreeRunning(r, step);
  Object.assign(group, { lrMax: run.lrMax, weightSum: run.weightSum });
}
