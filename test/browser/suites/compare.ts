/**
 * Element-wise comparison of GPU results with the CPU reference, in ULPs.
 *
 * Tolerance, from WGSL's accuracy rules (WGSL spec, "Floating Point Accuracy"): +, - and *
 * are correctly rounded (0.5 ULP; a fused multiply-add is at least as accurate); x / y is
 * within 2.5 ULP; sqrt is inherited from 1 / inverseSqrt (2 ULP + 2.5 ULP). The longest
 * per-step chain (Adam: sqrt, two divisions, three roundings of +, -, *) therefore puts at
 * most about 2.5 + 4.5 + 2.5 + 2.5 + 3 × 0.5 ≈ 13 ULP of relative error on the update u, and
 * 0.5 ULP more when u is subtracted from p. Since |u| ≤ 2·max_t|p_t| (u is the difference of
 * two consecutive params), each step adds at most 13 × 2 + 0.5 < 32 ULP of max_t|p_t|. Errors
 * do not grow across steps (the running averages multiply old state by factors < 1), so
 * after S steps |gpu − ref| ≤ 32 · S · ulp(max_t |p_t|). The same bound is used for each
 * state array with its own running maximum. The worst element's index, values and error in
 * ULPs are reported.
 *
 * With `exact` (the adapter is SwiftShader, whose f32 arithmetic is correctly rounded, as the
 * reference's) the allowed error is 0 ULP: GPU and reference must agree bit for bit. A
 * non-finite reference value fails unless `allowNonFinite` (a case about non-finite input).
 */

/** Spacing of f32 values at |x| (the ULP), with a floor at the smallest normal's spacing. */
export function ulp(x: number): number {
  const a = Math.abs(x);
  if (a < 1.1754943508222875e-38) return 1.401298464324817e-45;
  const e = Math.floor(Math.log2(a));
  return 2 ** (e - 23);
}

export interface Worst {
  index: number;
  gpu: number;
  ref: number;
  /** |gpu − ref| in ULPs of the element's scale. */
  ulps: number;
  /** The allowed error in the same ULPs. */
  allowedUlps: number;
  ok: boolean;
  nonFinite: number;
}

/** Compares `gpu` with `ref` elementwise; `scale[i]` is max_t |value_i| over the run. */
export function compare(
  gpu: Float32Array,
  ref: Float32Array,
  scale: Float32Array,
  steps: number,
  { exact = false, allowNonFinite = false }: { exact?: boolean; allowNonFinite?: boolean } = {},
): Worst {
  const allowedUlps = exact ? 0 : 32 * steps;
  let worst: Worst = { index: -1, gpu: 0, ref: 0, ulps: 0, allowedUlps, ok: true, nonFinite: 0 };
  for (let i = 0; i < ref.length; i++) {
    const g = gpu[i] as number;
    const r = ref[i] as number;
    if (!Number.isFinite(g) || !Number.isFinite(r)) {
      worst.nonFinite++;
      if (!allowNonFinite || !(Object.is(g, r) || (Number.isNaN(g) && Number.isNaN(r))))
        worst = { ...worst, index: i, gpu: g, ref: r, ulps: Infinity, ok: false };
      continue;
    }
    const ulps = Math.abs(g - r) / ulp(Math.max(scale[i] as number, Math.abs(r)));
    if (ulps > worst.ulps)
      worst = { ...worst, index: i, gpu: g, ref: r, ulps, ok: ulps <= allowedUlps && worst.ok };
  }
  worst.ok = worst.ok && worst.ulps <= allowedUlps;
  return worst;
}

/** Elementwise running max of |values| into `scale`. */
export function trackScale(scale: Float32Array, values: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i] as number);
    if (a > (scale[i] as number)) scale[i] = a;
  }
}
