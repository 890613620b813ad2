/**
 * LAMB's per-tensor reduction on Dawn in Node, over the workgroup sizes the other parity runs
 * do not take: the sums pass (one thread per update workgroup) and its grid must handle any WG_SIZE
 * (33 and 100 are not powers of two), every layout, both dispatch paths, and the flat runs of
 * arenas and gathered tensors (the update runs a run as one row and looks each element's tensor
 * up; the sums pass keeps one row per tensor), in f32 and bf16 state. Params within 8 ULP of
 * the reference (test/browser/report.ts, lambUlps), state bitwise, 2·(update dispatches) + 1
 * dispatches.
 */
import { expect, it } from 'vitest';
import { GEOMETRY_LENGTHS, OPTIMIZER_CASES } from '../cases.ts';
import { bitMismatches, lambUlps, parityFailures } from '../browser/report.ts';
import { parity } from '../browser/suites/parity.ts';
import { lambRebind } from '../browser/suites/lambRebind.ts';
import { lambSlots } from '../browser/suites/lambSlots.ts';
import { describeNodeGpu, useNodeDevice } from './harness.ts';

const STEPS = 10;

describeNodeGpu('LAMB parity with the CPU reference on Dawn in Node', () => {
  useNodeDevice();

  it.each([
    ['shared', 0, 'group', 256],
    ['shared', 4, 'group', 64],
    ['arena', 0, 'group', 100],
    ['separate', 0, 'tensor', 256],
    ['interleaved', 0, 'tensor', 33],
    // flat runs: the arena's padding is owned; user grads break the runs with padding inside;
    // packed user buffers run where tensors are back to back; separate buffers gathered
    ['arena', 0, 'group', 256],
    ['arenaUserGrads', 0, 'group', 64],
    ['packed', 0, 'group', 33],
    ['separate', 0, 'group', 256, 1 << 16],
    ['arena', 0, 'group', 64, undefined, 'bf16'],
  ] as const)(
    'layout %s, grad shift %i (%s path), workgroupSize %i, gatherBelow %s, %s state',
    async (...row) => {
      const [layout, gradShift, path, workgroupSize, gatherBelow, stateDtype] = row;
      const cases = OPTIMIZER_CASES.filter((c) => c.algorithm === 'lamb');
      const results = await parity({
        cases,
        lengths: GEOMETRY_LENGTHS,
        steps: STEPS,
        seed: 1100 + gradShift,
        layout,
        gradShift,
        workgroupSize,
        ...(gatherBelow !== undefined ? { gatherBelow } : {}),
        ...(stateDtype !== undefined ? { stateDtype } : {}),
      });
      expect(results).toHaveLength(cases.length);
      expect(parityFailures(results, GEOMETRY_LENGTHS.length, STEPS, path)).toEqual([]);
      expect(bitMismatches(results)).toEqual([]);
      expect(lambUlps(results)).toEqual([]);
    },
  );

  it('gathers the small tensors when big ones sit between them', async () => {
    // 3, 5, 7 and 1 are under gatherBelow, 1023 and 4097 are not: all four are gathered into one
    // run (slots and partials of their own past the tensors': tensorSums.ts, withGathered), as a
    // transformer's norms and biases lie between its matrices; 1023 and 4097 take one dispatch
    // each (body and scalars together)
    const lengths = [3, 1023, 5, 7, 4097, 1];
    const cases = OPTIMIZER_CASES.filter((c) => c.algorithm === 'lamb');
    const results = await parity({
      cases,
      lengths,
      steps: STEPS,
      seed: 1200,
      layout: 'separate',
      workgroupSize: 64,
      gatherBelow: 256,
    });
    expect(results).toHaveLength(cases.length);
    expect(parityFailures(results, 3, STEPS, 'tensor')).toEqual([]);
    // 3 update dispatches (the run's, 1023's, 4097's), as many sums, 1 finalize
    expect(results.map((r) => r.dispatches)).toEqual(results.map(() => 7));
    expect(bitMismatches(results)).toEqual([]);
    expect(lambUlps(results)).toEqual([]);
  });

  it("rebindParams from gathered separate buffers into one buffer: ratios stay each tensor's", async () => {
    // 10 and 20 (and 30) were gathered on separate buffers: slots and partials past the
    // tensors' (withGathered). In one buffer the group would qualify for one MULTI dispatch,
    // which indexes slots and partials from its first tensor's on: with a tensor that was not
    // gathered (70 000, over gatherBelow; or an 8-bit one) between them they do not follow one
    // another, so the group keeps the gathered run and the other tensors' own dispatches.
    const r = await lambRebind(
      [
        { lengths: [10, 70_000, 20] },
        { lengths: [70_000, 10, 20] },
        { lengths: [10, 70_000, 20, 70_001, 30] },
        { lengths: [10, 5000, 20, 300], q8: true },
        { lengths: [10, 5000, 20, 1000], q8: true, gatherBelow: 256 },
        // every tensor gathered: slots and partials follow one another, one MULTI dispatch
        { lengths: [10, 20, 30] },
      ],
      4,
    );
    expect(r.flatMap((c) => c.failures)).toEqual([]);
    expect(r.map((c) => c.dispatches)).toEqual([
      [5, 5, 5, 5],
      [5, 5, 5, 5],
      [9, 9, 9, 9],
      // the run of 10, 20 and 300; 5000's tensor_sums_q8 and main_q8; finalize
      [5, 5, 5, 5],
      // the run of 10 and 20, 1000 alone, 5000's two; finalize
      [7, 7, 7, 7],
      [3, 3, 3, 3],
    ]);
  });

  it('fills the ratios uniform to its last slot with gathered tensors, and falls back past it', async () => {
    const r = await lambSlots(2);
    expect(r.failures).toEqual([]);
    // 8192 tensors: one gathered run (sums, finalize, update), slots 8192..16383; 8193: every
    // tensor alone (a sums and an update dispatch each) and the finalize
    expect(r.dispatches).toEqual([3, 2 * 8193 + 1]);
  }, 120_000);
});
