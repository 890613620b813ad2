/**
 * Per-tensor scalars an algorithm carries from step to step besides its state arrays: today
 * only NAdam's `mu_product` (the running product of its momentum schedule mu_1 … mu_t). The
 * host keeps it in f64 holding an f32 value, as torch keeps a 0-dim float32 tensor; with a
 * GradScaler the GPU keeps it instead (shaders/gradscaler.wgsl, `carried`), because only the
 * GPU knows whether a step was taken. State dicts save it under its name, as a number.
 */
import { nadamMuProduct } from './scalars.ts';
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
 * (only the GPU knows which steps were taken): ScheduleFreeAdamW's `weightSum` and `lrMax`
 * (the reference's group['weight_sum'] and group['lr_max']), at carried[2i] and
 * carried[2i + 1] of shaders/gradscaler.wgsl. The optimizer writes them from the param groups
 * at construction and by loadStateDict(); stateDict() saves the GPU's values, from each
 * group's first tensor, in the saved param groups, so the dict looks as without a scaler.
 */
export const GROUP_CARRIED: Partial<Record<Algorithm, readonly ('weightSum' | 'lrMax')[]>> = {
  schedulefreeadamw: ['weightSum', 'lrMax'],
};
