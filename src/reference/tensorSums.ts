/**
 * CPU twin of the per-tensor reduction (shaders/tensor_sums.wgsl): up to four sums over one
 * tensor's elements of per-element terms the algorithm defines (LAMB: p² and u²).
 * - `tensorSums` (f32, f16 and bf16 state): the GPU sums f32 terms in an order that depends on
 *   the dispatch path and workgroup size, then adds the workgroups' partials with Kahan's
 *   compensation; here every f32 term is added in f64 and the total rounded once, which agrees
 *   with the GPU to a few ULPs (as the clipping norm in clip.ts does).
 * - `q8TensorSums` (8-bit state): the one order of shaders/tensor_sums_q8.wgsl, step by step in
 *   f32, so the sums are bitwise the GPU's.
 * The ratio is then computed from the rounded sums in f32, as the finalize pass does.
 */
import { Q8_BLOCK, q8Blocks } from '../options/q8.ts';
import { add, f32, sub } from './f32.ts';

type Four = [number, number, number, number];

/** The four sums of `terms(i)` over i in [0, n), each rounded to f32. */
export function tensorSums(
  n: number,
  terms: (i: number) => readonly [number, number, number, number],
): Four {
  const acc = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const t = terms(i);
    for (let q = 0; q < 4; q++) acc[q] = (acc[q] as number) + (t[q] as number);
  }
  return [
    f32(acc[0] as number),
    f32(acc[1] as number),
    f32(acc[2] as number),
    f32(acc[3] as number),
  ];
}

/** A Kahan-compensated f32 sum of vec4s: `kahan_add` of shaders/tensor_sums.wgsl, per lane. */
class Kahan4 {
  readonly acc: Four = [0, 0, 0, 0];
  private readonly carry: Four = [0, 0, 0, 0];

  add(v: Four): void {
    for (let k = 0; k < 4; k++) {
      const y = sub(v[k] as number, this.carry[k] as number);
      const t = add(this.acc[k] as number, y);
      // Once a sum overflows, (inf - acc) - y would be NaN: the kernel keeps inf instead.
      this.carry[k] = Number.isFinite(t) ? sub(sub(t, this.acc[k] as number), y) : 0;
      this.acc[k] = t;
    }
  }
}

/**
 * The four sums of `terms(i)` over i in [0, n) for a tensor with 8-bit state, in
 * shaders/tensor_sums_q8.wgsl's order: per 256-element block, its 64 words of four elements in
 * order, each word's terms summed over its lanes as (x + y) + (z + w) (lanes past n are 0, and
 * words past n add a zero vec4), Kahan-compensated into the block's partial; then the partials
 * in order, Kahan-compensated (tensor_finalize).
 */
export function q8TensorSums(
  n: number,
  terms: (i: number) => readonly [number, number, number, number],
): Four {
  const total = new Kahan4();
  const words = Q8_BLOCK / 4;
  for (let b = 0; b < q8Blocks(n); b++) {
    const partial = new Kahan4();
    for (let l = 0; l < words; l++) {
      const e0 = 4 * (b * words + l);
      const lane = [0, 1, 2, 3].map((k) => (e0 + k < n ? terms(e0 + k) : ([0, 0, 0, 0] as const)));
      const word = [0, 1, 2, 3].map((j) => {
        const x = lane.map((t) => t[j] as number);
        return add(add(x[0] as number, x[1] as number), add(x[2] as number, x[3] as number));
      }) as Four;
      partial.add(word);
    }
    total.add(partial.acc);
  }
  return [...total.acc];
}
