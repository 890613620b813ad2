/**
 * CPU twin of the per-tensor reduction (shaders/tensor_sums.wgsl): up to four sums over one
 * tensor's elements of per-element terms the algorithm defines (LAMB: p² and u²). The GPU
 * sums f32 terms in a per-workgroup tree, then adds the workgroups' partials with Kahan's
 * compensation; here every f32 term is added in f64 and the total rounded once, which agrees
 * with the GPU to a few ULPs (as the clipping norm in clip.ts does). The ratio is then computed
 * from the rounded sums in f32, as the finalize pass does.
 */
import { f32 } from './f32.ts';

/** The four sums of `terms(i)` over i in [0, n), each rounded to f32. */
export function tensorSums(
  n: number,
  terms: (i: number) => readonly [number, number, number, number],
): [number, number, number, number] {
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
