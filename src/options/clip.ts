/** Gradient clipping options, shared by the GPU optimizers and the reference. */
export interface ClipOptions {
  /**
   * Clip by the global L2 norm over all of the optimizer's gradients, as
   * torch.nn.utils.clip_grad_norm_(params, maxNorm): every gradient is multiplied by
   * min(1, maxNorm / (norm + 1e-6)). Computed on the GPU each step, with no readback.
   */
  clipGradNorm?: number;
  /** Clamp every gradient element to [−v, v], as torch.nn.utils.clip_grad_value_ (after the norm clip). */
  clipGradValue?: number;
}

/** Validates the clipping options; returns them with absent ones as null. */
export function checkClip(
  o: ClipOptions,
  where: string,
): { maxNorm: number | null; value: number | null } {
  const one = (name: keyof ClipOptions): number | null => {
    const v = o[name];
    if (v === undefined) return null;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new RangeError(`${where}: ${name} must be a finite number > 0, got ${String(v)}`);
    }
    return v;
  };
  return { maxNorm: one('clipGradNorm'), value: one('clipGradValue') };
}
