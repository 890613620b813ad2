/** Gradient clipping in the reference (the GPU parity suite holds the kernels to it). */
import { describe, expect, it } from 'vitest';
import { SGD } from '../../src/index.ts';
import { clipGrads } from '../../src/reference/clip.ts';
import { gradRuns } from '../../src/optim/gradClipper.ts';
import type { CheckedRef } from '../../src/optim/tensorRef.ts';
import { SGDReference } from '../../src/reference/index.ts';
import { fakeDevice } from './fakeDevice.ts';

describe('gradient clipping', () => {
  it('by global norm: g · min(1, maxNorm / (norm + 1e-6)) over all tensors', () => {
    // grads [3] and [4]: norm = √(9 + 16) = 5; coef = 1 / (5 + 1e-6) ≈ 0.19999996
    const { grads, norm } = clipGrads([new Float32Array([3]), new Float32Array([4])], 1, null);
    expect(norm).toBe(5);
    expect(grads[0]?.[0]).toBeCloseTo(0.6, 6);
    expect(grads[1]?.[0]).toBeCloseTo(0.8, 6);
    // below the threshold nothing changes (coef clamps at 1)
    const same = clipGrads([new Float32Array([3, 4])], 10, null);
    expect(Array.from(same.grads[0] ?? [])).toEqual([3, 4]);
  });

  it('by value: clamp to [−v, v], after the norm clip', () => {
    const { grads } = clipGrads([new Float32Array([-3, 0.1, 4])], null, 0.5);
    expect(Array.from(grads[0] ?? [])).toEqual([-0.5, Math.fround(0.1), 0.5]);
    // norm √(9 + 0.01 + 16) = 5.001 → ×1/5.001 gives [−0.59988, 0.019996, 0.79984], then
    // the clamp to 0.5
    const both = clipGrads([new Float32Array([-3, 0.1, 4])], 1, 0.5);
    expect(both.grads[0]?.[0]).toBe(-0.5);
    expect(both.grads[0]?.[1]).toBeCloseTo(0.1 / 5.001, 6);
    expect(both.grads[0]?.[2]).toBe(0.5);
  });

  it('the reference optimizer steps with clipped grads and reports the norm', () => {
    const p = new Float32Array([1, 1]);
    const opt = new SGDReference([p], { lr: 1, clipGradNorm: 1 });
    opt.step([new Float32Array([3, 4])]);
    // p = 1 − [0.6, 0.8]
    expect(p[0]).toBeCloseTo(0.4, 6);
    expect(p[1]).toBeCloseTo(0.2, 6);
    expect(opt.lastGradNorm).toBe(5);
  });

  it('rejects bad clipping options, naming them', () => {
    const f = fakeDevice();
    const t = [{ buffer: f.buffer(64), length: 4 }];
    expect(() => new SGD(f.device, t, { clipGradNorm: 0 })).toThrow(
      /clipGradNorm must be a finite number > 0, got 0/,
    );
    expect(() => new SGD(f.device, t, { clipGradValue: -1 })).toThrow(
      /clipGradValue must be a finite number > 0, got -1/,
    );
    expect(() => new SGDReference([new Float32Array(2)], { clipGradNorm: NaN })).toThrow(
      /clipGradNorm/,
    );
    expect(() => new SGD(f.device, [{ params: t, clipGradNorm: 1 } as never])).toThrow(
      /paramGroups\[0\]: unknown option "clipGradNorm"/,
    );
  });

  it('records the norm pass before the update: one dispatch per grad buffer, then finalize', () => {
    const f = fakeDevice();
    const p = f.buffer(1024);
    const g = f.buffer(1024);
    const h = f.buffer(1024);
    const params = [
      { buffer: p, length: 10 },
      { buffer: p, offset: 256, length: 10 },
      { buffer: p, offset: 512, length: 10 },
    ];
    const opt = new SGD(f.device, params, { clipGradNorm: 1 });
    // grads 0 and 1 share a buffer (one dispatch), grad 2 has its own (one more), + finalize
    opt.step([
      { buffer: g, length: 10 },
      { buffer: g, offset: 256, length: 10 },
      { buffer: h, length: 10 },
    ]);
    expect(opt.lastClipDispatches).toBe(3);
    // all three in one buffer: one dispatch + finalize, and one update dispatch for the group
    opt.step([
      { buffer: g, length: 10 },
      { buffer: g, offset: 256, length: 10 },
      { buffer: g, offset: 512, length: 10 },
    ]);
    expect(opt.lastClipDispatches).toBe(2);
    expect(opt.lastStepDispatches).toBe(1);
  });

  it('groups consecutive grads of one buffer into runs that fit one binding', () => {
    const f = fakeDevice();
    const a = f.buffer(1 << 20);
    const b = f.buffer(1 << 20);
    const ref = (buffer: GPUBuffer, offset: number, length: number) =>
      ({ buffer, offset, length, end: offset + 4 * length, name: '' }) as CheckedRef;
    const runs = gradRuns(
      [ref(a, 260, 10), ref(a, 4, 10), ref(b, 0, 4), ref(a, 1024, 100), ref(a, 600_000, 1)],
      256,
      1 << 19,
    );
    // a's first two share a run (covering [0, 300)); b breaks it; a resumes; the last one would
    // make a's range 600_004 - 1024 > 2^19 bytes, so it starts a run of its own
    expect(runs.map((r) => [r.grads.length, r.base, r.end])).toEqual([
      [2, 0, 300],
      [1, 0, 16],
      [1, 1024, 1424],
      [1, 599_808, 600_004],
    ]);
  });
});
