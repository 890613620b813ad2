/**
 * Random values in [-1, 1) shared by every measurement of the page: filled once (growing when a
 * longer tensor needs more), so set-up costs a copy instead of millions of Math.random() calls.
 * Their content does not affect speed.
 */
let pool = new Float32Array(0);

/** At least `n` random values (a view of the shared pool: copy before writing into it). */
export function randomPool(n: number): Float32Array<ArrayBuffer> {
  if (pool.length < n) {
    const next = new Float32Array(n);
    next.set(pool);
    for (let i = pool.length; i < n; i++) next[i] = Math.random() * 2 - 1;
    pool = next;
  }
  return pool.subarray(0, n);
}
