/**
 * GPU versus CPU reference on Dawn in Node, for every algorithm × option combination
 * (test/cases.ts) over the dispatch-geometry lengths, on the one-dispatch path (shared
 * buffers, a ParamArena) and the per-tensor path, and with clipping (a million-element
 * tensor); 16-bit state runs in state.test.ts. The suites and the failure report are the
 * browser tests' (test/browser/suites/parity.ts, test/browser/report.ts);
 * test/browser/parity.test.ts covers more layouts and grid shapes on the same SwiftShader. On
 * SwiftShader the results are bitwise equal to the reference, which is asserted too, on top of
 * the WGSL-derived ULP tolerance the report checks.
 */
import { expect, it } from 'vitest';
import { CLIP_CASES, GEOMETRY_LENGTHS, OPTIMIZER_CASES } from '../cases.ts';
import { bitMismatches, lambUlps, parityFailures } from '../browser/report.ts';
import { parity } from '../browser/suites/parity.ts';
import { describeNodeGpu, useNodeDevice } from './harness.ts';

const STEPS = 10;

describeNodeGpu('GPU parity with the CPU reference on Dawn in Node', () => {
  useNodeDevice();

  it.each([
    ['params in one buffer, grads in another, mixed alignment: one dispatch', 'shared', 0, 'group'],
    ['grads misaligned from params: one dispatch, scalar path', 'shared', 4, 'group'],
    ['a ParamArena: one dispatch', 'arena', 0, 'group'],
    ['one exactly-sized buffer per tensor: per-tensor dispatches', 'separate', 0, 'tensor'],
  ] as const)(
    `every option combination, lengths ${GEOMETRY_LENGTHS.join(', ')}: %s`,
    async (_, layout, gradShift, path) => {
      const results = await parity({
        cases: OPTIMIZER_CASES,
        lengths: GEOMETRY_LENGTHS,
        steps: STEPS,
        seed: 1000 + gradShift,
        layout,
        gradShift,
      });
      expect(results).toHaveLength(OPTIMIZER_CASES.length);
      expect(new Set(results.map((r) => r.desc.split('(')[0]))).toEqual(
        new Set(OPTIMIZER_CASES.map((c) => c.algorithm)),
      );
      expect(parityFailures(results, GEOMETRY_LENGTHS.length, STEPS, path)).toEqual([]);
      expect(bitMismatches(results)).toEqual([]);
      expect(lambUlps(results)).toEqual([]);
    },
  );

  it('clips by the global gradient norm and by value, with a million-element tensor', async () => {
    // 1_000_003 elements take 245 partial sums of 4096 squares, then the finalize pass
    const lengths = [...GEOMETRY_LENGTHS, 1_000_003];
    for (const layout of ['arena', 'separate', 'shared'] as const) {
      const results = await parity({ cases: CLIP_CASES, lengths, steps: 4, seed: 21, layout });
      expect(
        parityFailures(results, lengths.length, 4, layout === 'separate' ? 'tensor' : 'group'),
      ).toEqual([]);
      // Clipping by norm is not bitwise: the GPU sums the squares in f32, the reference in f64.
      expect(bitMismatches(results.filter((r) => !r.norm))).toEqual([]);
      const norms = results.filter((r) => r.norm);
      expect(norms).toHaveLength(CLIP_CASES.filter((c) => 'clipGradNorm' in c.options).length);
      for (const r of norms) {
        if (!r.norm) continue;
        // The GPU sums squares in f32 (per-thread runs of 16, then a tree); the reference sums
        // in f64. For ~1e6 terms of one sign the f32 error bound is about (16 + log2 n) ULPs.
        expect(Math.abs(r.norm.gpu - r.norm.ref) / r.norm.ref, r.desc).toBeLessThan(64 * 2 ** -24);
      }
    }
  });
});
