/**
 * Gathered runs, for small tensors in separate buffers (one buffer per variable, as TF.js and
 * most runtimes allocate them). A WebGPU dispatch binds only a few buffers, so such tensors
 * otherwise take one dispatch each, mostly idle threads and per-dispatch overhead. Instead,
 * each step copies their params and grads into one shadow range of buffers the optimizer
 * owns (copyBufferToBuffer, before the compute pass), updates that range as one flat run
 * (src/optim/runs.ts) in one dispatch, and copies the params back after the pass. The state
 * stays in the run's layout between steps. The copies move 12 more bytes per parameter, so
 * only tensors shorter than `gatherBelow` elements (default 65 536) are gathered: there, the
 * dispatch they save costs more than the bytes. Pure arithmetic: Node tests cover it.
 */
import { planRuns, type Run } from './runs.ts';

/** Default `gatherBelow`: tensors shorter than this (in elements) may be gathered. */
export const GATHER_BELOW = 1 << 16;

/** COPY_SRC | COPY_DST (GPUBufferUsage): a param's buffer needs both, a grad's COPY_SRC. */
export const COPY_SRC = 0x4;
export const COPY_DST = 0x8;

/** The shadow layout: per tensor its byte offset in the shadow buffers, or null. */
export interface GatherPlan {
  offsets: (number | null)[];
  /** Bytes of each shadow buffer (params, grads); 0 when nothing is gathered. */
  size: number;
  /** At most one run per group: the tensors it gathers, at their shadow offsets. */
  runs: Run[];
}

/** The identity of the shadow buffers in run planning (they do not exist yet). */
const SHADOW = {};

/**
 * Chooses which tensors to gather: in each group (tensor indices in order) whose params are
 * not all in one buffer (one buffer takes one dispatch already), the tensors shorter than
 * `below` whose param buffer has COPY_SRC and COPY_DST usage and that are not in a flat run
 * (`inRuns`), when there are at least two. Each group's run starts at a multiple of `align`.
 * A kernel with per-tensor sums (LAMB) gives the members slots of their own that follow one
 * another (src/optim/tensorSums.ts, withGathered), so they need not be consecutive tensors.
 */
export function planGather(
  params: readonly { buffer: { usage: number }; length: number }[],
  groups: readonly (readonly number[])[],
  inRuns: ReadonlySet<number>,
  below: number,
  align: number,
  maxLength: number,
): GatherPlan {
  const offsets: (number | null)[] = params.map(() => null);
  const runs: Run[] = [];
  let size = 0;
  for (const indices of groups) {
    const buffers = new Set(indices.map((i) => params[i]?.buffer));
    if (buffers.size < 2) continue;
    const eligible = indices.filter((i) => {
      const p = params[i] as { buffer: { usage: number }; length: number };
      const usage = COPY_SRC | COPY_DST;
      return p.length < below && (p.buffer.usage & usage) === usage && !inRuns.has(i);
    });
    const chosen = eligible;
    if (chosen.length < 2) continue;
    const start = Math.ceil(size / align) * align;
    let at = start;
    const views = chosen.map((i) => {
      const length = (params[i] as { length: number }).length;
      const v = { buffer: SHADOW, offset: at, length, padded: true };
      at += 16 * Math.ceil(length / 4);
      return v;
    });
    const byIndex = new Map(chosen.map((i, k) => [i, views[k]]));
    const all = params.map(
      (p, i) => byIndex.get(i) ?? { buffer: {}, offset: 0, length: 1, padded: false },
    );
    const [run] = planRuns(all, [chosen], maxLength);
    if (!run) continue;
    runs.push(run);
    for (const i of run.indices) offsets[i] = (byIndex.get(i) as { offset: number }).offset;
    size = run.offset + 4 * run.length;
  }
  return { offsets, size, runs };
}
