/**
 * Flat runs: consecutive tensors of one param group that lie back to back in one buffer are
 * updated as one flat range, as if they were one big tensor (one Geometry row, the vec4 body
 * only, 8 vec4s per thread). That removes what makes many small tensors slow in a MULTI
 * dispatch: workgroups left mostly idle by a tensor's last partial workgroup, the
 * workgroup-to-tensor lookup paid per 256 vec4s instead of per 2048, and the branchy scalar
 * heads and tails of lengths that are not a multiple of 4.
 *
 * Tensor t and the next tensor u join a run when both start on a 16-byte boundary of the same
 * buffer and u starts where t's last 16-byte slot ends, and either t's length is a multiple
 * of 4 (no gap: any layout qualifies) or t's padding is owned (the up to 3 elements after t in
 * its slot belong to no tensor: a ParamArena's padding, src/optim/ownedPadding.ts). A run
 * ends with its last tensor's slot when that tensor's padding is owned too.
 *
 * The padding inside a run is updated with the run. That is harmless only when a zero
 * gradient and zero state leave a zero param and zero state, which the kernel declares with
 * `KernelSpec.flatRuns`, and only when the grads' padding is zero too (the arena's grads
 * start zeroed and no API writes their padding), so the binder checks the grads' side of
 * every run at each rebind (`isRun`) and falls back to one row per tensor otherwise.
 * Pure arithmetic: Node tests cover it.
 */

/** What run planning needs to know about one tensor view. */
export interface RunTensor {
  /** Identity of the buffer (any object; compared with ===). */
  buffer: object;
  /** Byte offset, a multiple of 4. */
  offset: number;
  length: number;
  /** The elements after the tensor, up to its last 16-byte boundary, belong to no tensor. */
  padded: boolean;
}

/** Consecutive tensors of one group updated as one flat range. */
export interface Run {
  /** Tensor indices, at least two, consecutive in their group's order. */
  indices: number[];
  /** Byte offset of the first tensor (a multiple of 16). */
  offset: number;
  /** Elements from the first tensor's start to the run's end, padding included. */
  length: number;
  /** Element offset of each member from the run's start (each a multiple of 4). */
  flat: number[];
}

const ceil4 = (n: number) => Math.ceil(n / 4) * 4;

/** Whether `u` can follow `t` in a run. */
function follows(t: RunTensor, u: RunTensor): boolean {
  return (
    u.buffer === t.buffer &&
    u.offset % 16 === 0 &&
    u.offset === t.offset + 4 * ceil4(t.length) &&
    (t.length % 4 === 0 || t.padded)
  );
}

/** Elements a run spans when `last` is its last tensor, starting `at` elements in. */
function end(at: number, last: RunTensor): number {
  return at + (last.length % 4 === 0 || last.padded ? ceil4(last.length) : last.length);
}

/**
 * The runs of each group in `groups` (lists of tensor indices in group order), each at most
 * `maxLength` elements long (so its state stays bindable). Tensors in no run are left out.
 */
export function planRuns(
  tensors: readonly RunTensor[],
  groups: readonly (readonly number[])[],
  maxLength: number,
): Run[] {
  const runs: Run[] = [];
  for (const indices of groups) {
    let cur: Run | null = null;
    let last: RunTensor | null = null;
    const close = () => {
      if (cur && cur.indices.length > 1) runs.push(cur);
      cur = null;
    };
    for (const i of indices) {
      const t = tensors[i] as RunTensor;
      if (cur && last && follows(last, t)) {
        const at = (t.offset - cur.offset) / 4;
        if (end(at, t) <= maxLength) {
          cur.indices.push(i);
          cur.flat.push(at);
          cur.length = end(at, t);
          last = t;
          continue;
        }
      }
      close();
      last = t;
      cur =
        t.offset % 16 === 0
          ? { indices: [i], offset: t.offset, length: end(0, t), flat: [0] }
          : null;
    }
    close();
  }
  return runs;
}

/**
 * Whether the views `tensors` (a run's members, in order) still form that run: for the params
 * after a rebind, and for the grads bound to a step.
 */
export function isRun(tensors: readonly RunTensor[], run: Run): boolean {
  const first = tensors[0];
  if (!first || tensors.length !== run.indices.length || first.offset % 16 !== 0) return false;
  for (let k = 1; k < tensors.length; k++) {
    if (!follows(tensors[k - 1] as RunTensor, tensors[k] as RunTensor)) return false;
  }
  const last = tensors[tensors.length - 1] as RunTensor;
  return end((last.offset - first.offset) / 4, last) === run.length;
}
