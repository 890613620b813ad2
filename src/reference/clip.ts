import { add, div, f32, mul } from './f32.ts';

/**
 * The reference's gradient clipping: the global L2 norm over all grads (in f64, then rounded;
 * the GPU sums in an f32 tree, which agrees to a few ULPs), the coefficient
 * min(1, maxNorm / (norm + 1e-6)) in f32 as the GPU computes it, then g·coef and the clamp, in
 * the update kernel's order. Returns clipped copies and the norm.
 */
export function clipGrads(
  grads: readonly Float32Array[],
  maxNorm: number | null,
  value: number | null,
): { grads: Float32Array[]; norm: number } {
  let sum = 0;
  for (const g of grads) for (const v of g) sum += v * v;
  const norm = f32(Math.sqrt(sum));
  const coef = maxNorm === null ? 1 : Math.min(1, div(f32(maxNorm), add(norm, f32(1e-6))));
  const v = value === null ? null : f32(value);
  const out = grads.map((g) =>
    g.map((x) => {
      let y = maxNorm === null ? x : mul(x, coef);
      if (v !== null) y = Math.min(Math.max(y, -v), v);
      return y;
    }),
  );
  return { grads: out, norm };
}
