import { describe, expect, it } from 'vitest';
import { Adam, ParamArena } from '../../src/index.ts';
import { planGather } from '../../src/optim/gather.ts';
import { MAX_SUM_TENSORS, partialCapacity } from '../../src/kernels/tensorSums.ts';
import { planTensorSums, slotsFit, withGathered } from '../../src/optim/tensorSums.ts';
import { ownsPadding } from '../../src/optim/ownedPadding.ts';
import { isRun, planRuns, type RunTensor } from '../../src/optim/runs.ts';
import { StateStore } from '../../src/optim/stateStore.ts';
import { fakeDevice } from './fakeDevice.ts';

const A = {};
const B = {};

/** Back-to-back views of `buffer` at 16-byte-aligned offsets (a ParamArena's layout). */
function packed(lengths: number[], padded = true, buffer: object = A): RunTensor[] {
  let at = 0;
  return lengths.map((length) => {
    const t = { buffer, offset: at, length, padded };
    at += 16 * Math.ceil(length / 4);
    return t;
  });
}

describe('flat runs (src/optim/runs.ts)', () => {
  it('joins a group of arena tensors into one run, padding included', () => {
    // offsets 0, 16, 48: 3 → 4 (one padding element), 8, 1 → 4 (three padding elements)
    const runs = planRuns(packed([3, 8, 1]), [[0, 1, 2]], 1 << 20);
    expect(runs).toEqual([{ indices: [0, 1, 2], offset: 0, length: 16, flat: [0, 4, 12] }]);
  });

  it('joins across a gap only when the padding is owned', () => {
    // not owned: 3 leaves a gap before 8, which may hold someone else's data; 8 → 1 has none,
    // and the run ends exactly at 1's last element (no trailing padding)
    expect(planRuns(packed([3, 8, 1], false), [[0, 1, 2]], 1 << 20)).toEqual([
      { indices: [1, 2], offset: 16, length: 9, flat: [0, 8] },
    ]);
    // exactly back to back with lengths multiples of 4: a run without owned padding
    expect(planRuns(packed([4, 8, 12], false), [[0, 1, 2]], 1 << 20)).toEqual([
      { indices: [0, 1, 2], offset: 0, length: 24, flat: [0, 4, 12] },
    ]);
  });

  it('stays within a group, a buffer, contiguity, alignment and maxLength', () => {
    const t = packed([4, 4, 4, 4, 4, 4]);
    // groups split the runs; a single tensor is no run
    expect(planRuns(t, [[0, 1], [2], [3, 4, 5]], 1 << 20).map((r) => r.indices)).toEqual([
      [0, 1],
      [3, 4, 5],
    ]);
    // a tensor in another buffer, or not where the previous one ends, starts a new run
    const moved = t.map((x, i) =>
      i === 2 ? { ...x, buffer: B } : i >= 4 ? { ...x, offset: x.offset + 16 } : x,
    );
    expect(planRuns(moved, [[0, 1, 2, 3, 4, 5]], 1 << 20).map((r) => r.indices)).toEqual([
      [0, 1],
      [4, 5],
    ]);
    // a view that does not start on a 16-byte boundary joins nothing
    const odd = [
      { buffer: A, offset: 4, length: 4, padded: false },
      { buffer: A, offset: 20, length: 4, padded: false },
    ];
    expect(planRuns(odd, [[0, 1]], 1 << 20)).toEqual([]);
    // maxLength 8 elements: [0, 1] then [2, 3] then [4, 5]
    expect(planRuns(t, [[0, 1, 2, 3, 4, 5]], 8).map((r) => r.indices)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });

  it('isRun checks that other views (grads, rebound params) keep the run', () => {
    const [run] = planRuns(packed([3, 8, 1]), [[0, 1, 2]], 1 << 20);
    if (!run) throw new Error('no run');
    expect(isRun(packed([3, 8, 1], true, B), run)).toBe(true);
    // the same layout without owned padding (user buffers): not the same run
    expect(isRun(packed([3, 8, 1], false, B), run)).toBe(false);
    // members moved apart
    const apart = packed([3, 8, 1]).map((x, i) => (i === 2 ? { ...x, offset: 64 } : x));
    expect(isRun(apart, run)).toBe(false);
    expect(isRun(packed([3, 8]), run)).toBe(false);
  });

  it('a ParamArena owns the padding of exactly the views it hands out', () => {
    const f = fakeDevice();
    const arena = new ParamArena(f.device, [3, 8]);
    expect(arena.params.map(ownsPadding)).toEqual([true, true]);
    expect(arena.grads.map(ownsPadding)).toEqual([true, true]);
    // a sub-view of tensor 0 does not: the element after it is tensor 0's
    expect(ownsPadding({ buffer: arena.paramBuffer, offset: 0, length: 2 })).toBe(false);
    expect(ownsPadding({ buffer: f.buffer(64), offset: 0, length: 3 })).toBe(false);
  });

  it('StateStore lays out a run as one range per state array', () => {
    const f = fakeDevice();
    const lengths = [3, 8, 1, 5];
    const requests = lengths.map((length, i) => ({
      length,
      paramOffset: [0, 16, 48, 256][i] as number,
      names: ['exp_avg', 'exp_avg_sq'] as const,
      initial: [0, 0],
    }));
    const runs = planRuns(
      requests.map((r) => ({ buffer: A, offset: r.paramOffset, length: r.length, padded: true })),
      [[0, 1, 2, 3]],
      1 << 20,
    );
    const store = new StateStore(f.device, 't', requests, f.device.limits, 'T', 'f32', runs);
    const shape = store.regions.map((r) => [r.offset, r.stateOff, r.stride, r.bytes]);
    // run [0, 1, 2]: 16 elements per array, two arrays = 128 B; tensor 3 after it at the next
    // 256-byte boundary, its own region (stride 8: 5 elements and 3 padding, 2 arrays = 64 B)
    expect(shape).toEqual([
      [0, 0, 16, 128],
      [0, 4, 16, 128],
      [0, 12, 16, 128],
      [256, 0, 8, 64],
    ]);
    // exp_avg_sq of tensor 1 starts at element 16 + 4 of the slab
    expect(store.arrayOffset(1, 1)).toBe(4 * 20);
  });
});

describe('gathered runs (src/optim/gather.ts)', () => {
  const copyable = { usage: 0x80 | 0x4 | 0x8 };
  const storageOnly = { usage: 0x80 };
  const own = (length: number, usage = copyable.usage) => ({ buffer: { usage }, length });

  it('gathers the small tensors of a group spread over several buffers into one run', () => {
    const params = [own(3), own(100_000), own(8), own(1)];
    const plan = planGather(params, [[0, 1, 2, 3]], new Set(), 1 << 16, 256, 1 << 20);
    // 3 → 16 bytes, 8 → 32 bytes, 1 → 16 bytes; 100_000 elements stays on its own
    expect(plan.offsets).toEqual([0, null, 16, 48]);
    expect(plan.size).toBe(64);
    expect(plan.runs).toEqual([{ indices: [0, 2, 3], offset: 0, length: 16, flat: [0, 4, 12] }]);
  });

  it('gives gathered tensors with per-tensor sums (LAMB) slots and partials of their own', () => {
    const params = [own(8), own(100_000), own(3), own(5), own(7), own(100_000), own(9)];
    const lengths = params.map((p) => p.length);
    // 0 | 2, 3, 4 | 6 are small: all five are gathered, as for every other algorithm
    const gather = planGather(params, [[0, 1, 2, 3, 4, 5, 6]], new Set(), 1 << 16, 256, 1 << 20);
    const runs = gather.runs.map((r) => r.indices);
    expect(runs).toEqual([[0, 2, 3, 4, 6]]);
    const wg = 256;
    const plan = planTensorSums(lengths, wg, 1 << 30, 'LAMB');
    expect(plan.slot).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const g = withGathered(plan, lengths, runs, wg);
    // the members' slots follow the seven tensors', in run order; the others keep their index
    expect(g.slot).toEqual([7, 1, 8, 9, 10, 5, 11]);
    expect(g.slots).toBe(12);
    // partials: tensors 1 and 5 first, then the run's members in order, ranges back to back
    const cap = lengths.map((n) => partialCapacity(n, wg));
    const order = [1, 5, 0, 2, 3, 4, 6];
    let at = 0;
    for (const i of order) {
      expect(g.partialBase[i]).toBe(at);
      at += cap[i] as number;
    }
    expect(g.partialBytes).toBe(plan.partialBytes);
    // the ratios uniform holds MAX_SUM_TENSORS slots
    expect(slotsFit(MAX_SUM_TENSORS - 5, 5)).toBe(true);
    expect(slotsFit(MAX_SUM_TENSORS - 5, 6)).toBe(false);
  });

  it('leaves one-buffer groups, lone tensors, buffers without copy usage and runs alone', () => {
    const shared = { usage: copyable.usage };
    const oneBuffer = [
      { buffer: shared, length: 4 },
      { buffer: shared, length: 4 },
    ];
    expect(planGather(oneBuffer, [[0, 1]], new Set(), 1 << 16, 256, 1 << 20).runs).toEqual([]);
    const mixed = [own(4), own(4, storageOnly.usage), own(4), own(4)];
    // tensor 1 cannot be copied, tensor 3 is in a flat run: only 0 and 2 are gathered
    const plan = planGather(mixed, [[0, 1, 2, 3]], new Set([3]), 1 << 16, 256, 1 << 20);
    expect(plan.offsets).toEqual([0, null, 16, null]);
    // gatherBelow 0 gathers nothing; two groups start at aligned offsets
    expect(planGather(mixed, [[0, 1, 2, 3]], new Set(), 0, 256, 1 << 20).size).toBe(0);
    const two = planGather(
      [own(4), own(4), own(4), own(4)],
      [
        [0, 1],
        [2, 3],
      ],
      new Set(),
      1 << 16,
      256,
      1 << 20,
    );
    expect(two.offsets).toEqual([0, 16, 256, 272]);
    expect(two.size).toBe(288);
  });
});

describe('steady state with flat and gathered runs', () => {
  it('creates no buffer, bind group or pipeline after the first step; gathers by copies', () => {
    const f = fakeDevice();
    const usage = 0x80 | 0x4 | 0x8;
    const lengths = [3, 300, 70_001, 8];
    const params = lengths.map((n) => ({ buffer: f.buffer(4 * n, usage), length: n }));
    const grads = lengths.map((n) => ({ buffer: f.buffer(4 * n, usage), length: n }));
    const arena = new ParamArena(f.device, [5, 300, 7, 4096]);
    const opt = new Adam(f.device, [{ params }, { params: arena.params, lr: 0.1 }]);
    const step = () => opt.step([...grads, ...arena.grads]);
    step();
    const after = { ...f.counts };
    step();
    step();
    expect(f.counts.buffers - after.buffers).toBe(0);
    expect(f.counts.bindGroups - after.bindGroups).toBe(0);
    expect(f.counts.pipelines - after.pipelines).toBe(0);
    // separate group: 3, 300 and 8 gathered (one dispatch), 70_001 on its own (a body and a
    // tail); the arena group: one flat run, one dispatch
    expect(opt.lastStepDispatches).toBe(1 + 2 + 1);
    // per step, per gathered tensor: param and grad in, param out
    expect(f.counts.copies - after.copies).toBe(2 * 3 * 3);
  });

  it('rejects a gatherBelow that is not a non-negative integer', () => {
    const f = fakeDevice();
    const params = [{ buffer: f.buffer(16), length: 4 }];
    for (const bad of [-1, 1.5, '8', NaN]) {
      expect(() => new Adam(f.device, params, { gatherBelow: bad as number })).toThrow(
        `Adam: gatherBelow must be a non-negative integer, got ${String(bad)}`,
      );
    }
  });
});
