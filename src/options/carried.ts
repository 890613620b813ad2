/**
 * Per-tensor scalars an algorithm carries from step to step besides its state arrays: today
 * only NAdam's `mu_product` (the running product of its momentum schedule mu_1 … mu_t). The
 * host keeps it in f64 holding an f32 value, as torch keeps a 0-dim float32 tensor; with a
 * GradScaler the GPU keeps it instead (shaders/gradscaler.wgsl, `carried`), because only the
 * GPU knows whether a step was taken. State dicts save it under its name, as a number.
 */
import { nadamMuProduct } from './scalars.ts';
import { splitWeightSum } from './scalerScheduleFree.ts';
import type { Algorithm, NAdamOptions, Resolved } from './types.ts';

/** A per-tensor scalar carried between steps. */
export interface CarriedScalar {
  /** Its name in a state dict (PyTorch's state name). */
  name: 'mu_product';
  /** Its value before the first step. */
  initial: number;
  /** Its value after step `step` (1-based), from `before`, its value before that step. */
  next(o: object, step: number, before: number): number;
}

const NADAM: CarriedScalar = {
  name: 'mu_product',
  initial: 1,
  next: (o, step, before) => nadamMuProduct(o as Resolved<NAdamOptions>, step, before),
};

/** The scalar `algorithm` carries, or null. */
export function carriedScalar(algorithm: Algorithm): CarriedScalar | null {
  return algorithm === 'nadam' ? NADAM : null;
}

/**
 * Param-group values that the GPU carries per tensor instead while a GradScaler is attached
 * (only the GPU knows which steps were taken): ScheduleFreeAdamW's `weightSum` (as an f32 pair
 * hi + lo: src/options/scalerScheduleFree.ts) and `lrMax` (the reference's group['weight_sum']
 * and group['lr_max']), at carried[3i ..] of shaders/gradscaler.wgsl. The optimizer writes them
 * from the param groups at construction and by loadStateDict(); stateDict() saves the GPU's
 * values, from each group's first tensor, in the saved param groups, so the dict looks as it
 * does without a scaler.
 */
export interface GroupCarried {
  /** The GPU's values for tensors of a group with these options. */
  toGpu(group: Record<string, unknown>): number[];
  /** The group values for the GPU's values of a tensor. */
  fromGpu(values: readonly number[]): Record<string, number>;
}

const SCHEDULE_FREE_GROUP: GroupCarried = {
  toGpu: (g) => [...splitWeightSum(g.weightSum as number), g.lrMax as number],
  fromGpu: ([hi, lo, lrMax]) => ({
    weightSum: (hi as number) + (lo as number),
    lrMax: lrMax as number,
  }),
};

/** The group values `algorithm`'s GPU carries with a GradScaler, or null. */
export function groupCarried(algorithm: Algorithm): GroupCarried | null {
  return algorithm === 'schedulefreeadamw' ? SCHEDULE_FREE_GROUP : null;
}
