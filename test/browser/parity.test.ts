/**
 * GPU versus CPU reference, for every algorithm × option combination (test/cases.ts), over the
 * dispatch-geometry lengths, several buffer layouts, a million-element tensor and a 2-D grid.
 * Tolerance: see suites/compare.ts (32·S ULP of the element's running magnitude, derived from
 * WGSL's accuracy rules).
 */
import { expect, it } from 'vitest';
import { planGroup, planTensor, placeState } from '../../src/kernels/geometry.ts';
import {
  CLIP_CASES,
  DEFAULT_CASES,
  FULL_CASES,
  GEOMETRY_LENGTHS,
  OPTIMIZER_CASES,
} from '../cases.ts';
import { describeGpu, useTestPage } from './harness.ts';
import { bitMismatches, lambUlps, parityFailures } from './report.ts';

const STEPS = 10;

describeGpu('GPU parity with the CPU reference', () => {
  const testPage = useTestPage();

  it.each([
    ['params in one buffer, grads in another, mixed alignment: one dispatch', 'shared', 0, 'group'],
    ['grads misaligned from params: one dispatch, scalar path', 'shared', 4, 'group'],
    ['a ParamArena: one dispatch, one flat run', 'arena', 0, 'group'],
    [
      'a ParamArena with grads in a user buffer: runs only where no padding is read',
      'arenaUserGrads',
      0,
      'group',
    ],
    [
      'user buffers laid out like an arena: runs only across exact contiguity',
      'packed',
      0,
      'group',
    ],
    ['one exactly-sized buffer per tensor: per-tensor dispatches', 'separate', 0, 'tensor'],
    [
      'params and grads interleaved in one buffer: per tensor, GRAD_IN_PARAM',
      'interleaved',
      0,
      'tensor',
    ],
  ] as const)(
    `every option combination, lengths ${GEOMETRY_LENGTHS.join(', ')}: %s`,
    async (_, layout, gradShift, path) => {
      const results = await testPage().run('parity', {
        cases: OPTIMIZER_CASES,
        lengths: GEOMETRY_LENGTHS,
        steps: STEPS,
        seed: 1000 + gradShift,
        layout,
        gradShift,
      });
      expect(results).toHaveLength(OPTIMIZER_CASES.length);
      expect(parityFailures(results, GEOMETRY_LENGTHS.length, STEPS, path)).toEqual([]);
    },
  );

  it('gathers small tensors in separate buffers into one dispatch: every option combination, f32 and f16, clipping', async () => {
    const gatherBelow = 1 << 16;
    // LAMB gathers too: its update runs the run as one row, its sums pass one row per tensor
    const cases = OPTIMIZER_CASES;
    for (const stateDtype of ['f32', 'f16'] as const) {
      const results = await testPage().run('parity', {
        cases,
        lengths: GEOMETRY_LENGTHS,
        steps: 6,
        seed: 4000,
        layout: 'separate',
        gatherBelow,
        stateDtype,
      });
      expect(parityFailures(results, GEOMETRY_LENGTHS.length, 6, 'group')).toEqual([]);
      expect(results.some((r) => r.tensorSums)).toBe(true);
      expect(bitMismatches(results)).toEqual([]);
      expect(lambUlps(results)).toEqual([]);
    }
    // 70_001 elements stay on their own (a 17_500-vec4 body and a 1-element tail: 2
    // dispatches), the rest share one: 3; LAMB adds a sums dispatch to each and a finalize: 7
    const lengths = [...GEOMETRY_LENGTHS, 70_001];
    const clipped = await testPage().run('parity', {
      cases: CLIP_CASES,
      lengths,
      steps: 4,
      seed: 22,
      layout: 'separate',
      gatherBelow,
    });
    expect(clipped.map((r) => r.dispatches)).toEqual(clipped.map((r) => (r.tensorSums ? 7 : 3)));
    expect(
      parityFailures(clipped, lengths.length, 4, 'tensor').filter((p) => !/dispatches/.test(p)),
    ).toEqual([]);
  });

  it("LAMB after rebindParams from gathered separate buffers into one buffer: each tensor's ratio", async () => {
    // 10 and 20 were gathered (slots past the tensors'); 70 000 was not: the group stays a
    // gathered run plus 70 000's dispatches, not one dispatch (Binder.sumsFollow)
    const r = await testPage().run('lambRebind', [{ lengths: [10, 70_000, 20] }], 3);
    expect(r.flatMap((c) => c.failures)).toEqual([]);
    expect(r.map((c) => c.dispatches)).toEqual([[5, 5, 5]]);
  });

  it('clips by the global gradient norm and by value on the GPU, with a million-element tensor', async () => {
    // 1_000_003 elements take 245 partial sums of 4096 squares, then the finalize pass
    const lengths = [...GEOMETRY_LENGTHS, 1_000_003];
    // 'shared' puts tensors at every 16-byte residue, so the norm pass reads scalar heads too
    for (const layout of ['arena', 'separate', 'shared'] as const) {
      const results = await testPage().run('parity', {
        cases: CLIP_CASES,
        lengths,
        steps: 4,
        seed: 21,
        layout,
      });
      expect(
        parityFailures(results, lengths.length, 4, layout === 'separate' ? 'tensor' : 'group'),
      ).toEqual([]);
      for (const r of results) {
        if (!r.norm) continue;
        // The GPU sums squares in f32 (per-thread runs of 16, then a tree); the reference sums
        // in f64. For ~1e6 terms of one sign the f32 error bound is about (16 + log2 n) ULPs.
        expect(Math.abs(r.norm.gpu - r.norm.ref) / r.norm.ref, r.desc).toBeLessThan(64 * 2 ** -24);
      }
    }
  });

  it('a 1_000_003-element tensor, defaults and every code path', async () => {
    const cases = [...DEFAULT_CASES, ...FULL_CASES];
    const results = await testPage().run('parity', {
      cases,
      lengths: [1_000_003],
      steps: STEPS,
      seed: 7,
      layout: 'shared',
    });
    expect(parityFailures(results, 1, STEPS)).toEqual([]);
  });

  it('more than 65535 workgroups in one dimension (2-D grid)', async () => {
    const n = 300_001;
    // with 1-thread workgroups: 75_000 vec4 threads -> a 65535 × 2 body grid
    const plan = planTensor(
      { offset: 0, length: n, bufferSize: 4 * n },
      { offset: 0, length: n, bufferSize: 4 * n },
      false,
      placeState(n, 0, 3),
      {
        minStorageBufferOffsetAlignment: 256,
        maxStorageBufferBindingSize: 1 << 27,
        maxComputeWorkgroupsPerDimension: 65535,
      },
      1,
    );
    expect(plan.body?.[1]).toBeGreaterThan(1);
    const results = await testPage().run('parity', {
      cases: FULL_CASES,
      lengths: [n],
      steps: 3,
      seed: 11,
      layout: 'separate',
      workgroupSize: 1,
    });
    expect(parityFailures(results, 1, 3)).toEqual([]);
    // one dispatch for a group in a ParamArena: 600_000 vec4 at 8 per 1-thread workgroup =
    // 75_000 workgroups, a 2-D grid on the MULTI path
    const lengths = [2_400_001, 5, 77];
    const group = planGroup(
      lengths.map((length, i) => ({
        offset: 16 * i + (i > 0 ? 4 * 2_400_004 : 0),
        length,
        bufferSize: 1 << 26,
      })),
      lengths.map((length, i) => ({
        offset: 16 * i + (i > 0 ? 4 * 2_400_004 : 0),
        length,
        bufferSize: 1 << 26,
      })),
      false,
      lengths.map((length) => placeState(length, 0, 3)),
      {
        minStorageBufferOffsetAlignment: 256,
        maxStorageBufferBindingSize: 1 << 27,
        maxComputeWorkgroupsPerDimension: 65535,
      },
      1,
    );
    expect(group.grid[1]).toBeGreaterThan(1);
    const arena = await testPage().run('parity', {
      cases: FULL_CASES,
      lengths,
      steps: 3,
      seed: 12,
      layout: 'arena',
      workgroupSize: 1,
    });
    expect(parityFailures(arena, 3, 3, 'group')).toEqual([]);
  });
});

describeGpu('GPU parity with the CPU reference, 16-bit state (stateDtype)', () => {
  const testPage = useTestPage();

  // Both sides round every stored state value to nearest even (shaders/state_*.wgsl and
  // src/options/half.ts) and compute in f32 with the unrounded value, so the tolerance of
  // suites/compare.ts still applies; the bit mismatches are asserted to be zero too (GPU f32
  // arithmetic on SwiftShader is correctly rounded, and a 1-ULP f32 difference could flip a
  // 16-bit rounding, which the ULP tolerance would then report).
  it.each([
    ['f16', 'shared', 0, 'group', 'params in one buffer, grads in another: MULTI'],
    ['f16', 'shared', 4, 'group', 'grads not co-aligned with params: MULTI, all scalar'],
    ['f16', 'arena', 0, 'group', 'a ParamArena: MULTI'],
    ['f16', 'separate', 0, 'tensor', 'per-tensor dispatches'],
    ['f16', 'interleaved', 0, 'tensor', 'per tensor, non-zero offsets, GRAD_IN_PARAM'],
    ['bf16', 'shared', 0, 'group', 'params in one buffer, grads in another: MULTI'],
    ['bf16', 'shared', 4, 'group', 'grads not co-aligned with params: MULTI, all scalar'],
    ['bf16', 'arena', 0, 'group', 'a ParamArena: MULTI'],
    ['bf16', 'separate', 0, 'tensor', 'per-tensor dispatches'],
    ['bf16', 'interleaved', 0, 'tensor', 'per tensor, non-zero offsets, GRAD_IN_PARAM'],
  ] as const)(
    `every option combination, lengths ${GEOMETRY_LENGTHS.join(', ')}: %s, %s (shift %i, %s): %s`,
    async (stateDtype, layout, gradShift, path, _desc) => {
      const results = await testPage().run('parity', {
        cases: OPTIMIZER_CASES,
        lengths: GEOMETRY_LENGTHS,
        steps: STEPS,
        seed: 3000 + gradShift,
        layout,
        gradShift,
        stateDtype,
      });
      expect(results).toHaveLength(OPTIMIZER_CASES.length);
      expect(parityFailures(results, GEOMETRY_LENGTHS.length, STEPS, path)).toEqual([]);
      expect(results.filter((r) => r.stateDtype !== stateDtype).map((r) => r.desc)).toEqual([]);
      expect(bitMismatches(results)).toEqual([]);
      expect(lambUlps(results)).toEqual([]);
    },
  );

  it('per-tensor path with separate body and tail dispatches (large tensors)', async () => {
    // more than COMBINE_BELOW_VEC4 vec4s with scalars: a body (MODE 0) and a tail (MODE 1)
    const lengths = [100_003, 100_001, 65_538];
    for (const stateDtype of ['f16', 'bf16'] as const) {
      const results = await testPage().run('parity', {
        cases: FULL_CASES,
        lengths,
        steps: 4,
        seed: 17,
        layout: 'separate',
        stateDtype,
      });
      expect(parityFailures(results, lengths.length, 4)).toEqual([]);
      expect(bitMismatches(results)).toEqual([]);
      expect(lambUlps(results)).toEqual([]);
    }
  });
});
