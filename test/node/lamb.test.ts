/**
 * LAMB: the CPU reference against the float64 transcription of optax's lamb
 * (test/fixtures/torch/lamb.json, scripts/fixtures/lamb.py), hand-derived goldens, identities,
 * the host's dispatch counts on a ParamArena and its limits (fake device).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import lambJson from '../fixtures/torch/lamb.json' with { type: 'json' };
import { LAMB, ParamArena } from '../../src/index.ts';
import { DEFAULTS } from '../../src/options/defaults.ts';
import { AdamWReference, LAMBReference } from '../../src/reference/classes.ts';
import { lambRatio } from '../../src/reference/lamb.ts';
import { q8TensorSums } from '../../src/reference/tensorSums.ts';
import { LAMB_KERNEL } from '../../src/kernels/lamb.ts';
import { MAX_SUM_TENSORS, SUMS_WORKGROUP, partialCapacity } from '../../src/kernels/tensorSums.ts';
import { planTensorSums, withGathered } from '../../src/optim/tensorSums.ts';
import { SUMS_RUN_MEAN } from '../../src/optim/binder.ts';
import { OPTIMIZER_CASES } from '../cases.ts';
import { caseInputs, measureCase, type TorchOptimFixture } from '../torch/fixture.ts';
import { torchFailures } from '../torch/tolerance.ts';
import { fakeDevice } from './fakeDevice.ts';

const fixture = lambJson as unknown as TorchOptimFixture;
const f32 = Math.fround;

describe('LAMB reference against optax.lamb in float64 (test/fixtures/torch/lamb.json)', () => {
  it('has the defaults of optax.lamb', () => {
    // optax/_src/alias.py: lamb(learning_rate, b1=0.9, b2=0.999, eps=1e-6, eps_root=0.0,
    // weight_decay=0.)
    expect(DEFAULTS.lamb).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-6,
      weightDecay: 0,
      maximize: false,
    });
  });

  it('covers every LAMB row of the parity table (test/cases.ts)', () => {
    const have = new Set(fixture.cases.map((c) => JSON.stringify(c.options)));
    const rows = OPTIMIZER_CASES.filter((c) => c.algorithm === 'lamb');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((c) => !have.has(JSON.stringify(c.options))).map((c) => c.desc)).toEqual([]);
    expect(fixture.cases.every((c) => c.params.length === fixture.steps)).toBe(true);
  });

  it.each(fixture.cases.map((c) => [c.desc, c] as const))('%s', async (_, c) => {
    const { params0, grads } = caseInputs(fixture, c);
    const ref = new LAMBReference(params0, c.options as never);
    const worst = await measureCase(fixture, c, grads, {
      step: (g) => ref.step(g),
      params: () => ref.params,
      state: () =>
        ref.stateDict().state.map((s) => ({
          exp_avg: s.exp_avg as Float32Array,
          exp_avg_sq: s.exp_avg_sq as Float32Array,
        })),
      norm: () => ref.lastGradNorm,
    });
    expect(torchFailures([worst])).toEqual([]);
  });
});

describe('LAMB goldens (arithmetic in the comments)', () => {
  it('first step: u = sign(g) (eps aside), ratio = ‖p‖ / ‖u‖', () => {
    // p = [3, 4] (‖p‖ = 5), g = [1, -1], lr = 0.1, defaults otherwise.
    // exp_avg = 0.1·g = [0.1, -0.1]; exp_avg_sq = 0.001·g² = [0.001, 0.001]
    // denom = sqrt(0.001) / sqrt(0.001) + 1e-6 = 1 + 1e-6
    // u = (exp_avg / denom) / 0.1 = ±1 / (1 + 1e-6) ≈ ±0.999999
    // ‖u‖ = sqrt(2)·0.999999; ratio = 5 / (sqrt(2)·0.999999) ≈ 3.5355374
    // p = p − 0.1·ratio·u = [3 − 0.35355339, 4 + 0.35355339] (ratio·u = ±5/sqrt(2))
    const p = new Float32Array([3, 4]);
    const ref = new LAMBReference([p], { lr: 0.1 });
    ref.step([new Float32Array([1, -1])]);
    const step = 0.5 / Math.SQRT2;
    expect(p[0]).toBeCloseTo(3 - step, 6);
    expect(p[1]).toBeCloseTo(4 + step, 6);
    // the step's length is lr·‖p‖ whatever the gradient's scale: LAMB's point
    const q = new Float32Array([3, 4]);
    new LAMBReference([q], { lr: 0.1 }).step([new Float32Array([1e-3, -1e-3])]);
    expect(Math.hypot((q[0] as number) - 3, (q[1] as number) - 4)).toBeCloseTo(0.5, 3);
  });

  it('ratio is 1 where either norm is 0 (optax safe_trust_ratio)', () => {
    expect(lambRatio(0, 4)).toBe(1);
    expect(lambRatio(4, 0)).toBe(1);
    expect(lambRatio(9, 4)).toBe(f32(3 / 2));
    // zero params: the step is Adam's, lr·u = 0.1·±1/(1+1e-6)
    const p = new Float32Array([0, 0]);
    new LAMBReference([p], { lr: 0.1 }).step([new Float32Array([2, -2])]);
    expect(p[0]).toBeCloseTo(-0.1, 6);
    expect(p[1]).toBeCloseTo(0.1, 6);
    // zero grads and no decay: u = 0, ratio 1, params unchanged and finite
    const z = new Float32Array([1, 2]);
    new LAMBReference([z]).step([new Float32Array([0, 0])]);
    expect([...z]).toEqual([1, 2]);
  });
});

describe('LAMB identities', () => {
  /** Params p whose norm equals ‖u‖ of the first step, so the ratio is 1 (to an ULP or so). */
  function equalNorms(n: number): { p: Float32Array; g: Float32Array } {
    const g = new Float32Array(n).map((_, i) => Math.sin(i + 1));
    // first step, eps 1e-6: u_i = g_i / (|g_i| + 1e-6), so ‖u‖² = Σ (|g_i| / (|g_i| + 1e-6))²
    let u2 = 0;
    for (const x of g) u2 += (Math.abs(x) / (Math.abs(x) + 1e-6)) ** 2;
    const p = new Float32Array(n).map((_, i) => ((i % 2 ? -1 : 1) * Math.sqrt(u2)) / Math.sqrt(n));
    return { p, g };
  }

  it('with trust ratio 1 (‖p‖ = ‖u‖), LAMB is AdamW: the same step to a few ULP', () => {
    const { p, g } = equalNorms(64);
    const lamb = new Float32Array(p);
    const adamw = new Float32Array(p);
    new LAMBReference([lamb], { lr: 0.01 }).step([g]);
    new AdamWReference([adamw], { lr: 0.01, weightDecay: 0, eps: 1e-6 }).step([g]);
    let worst = 0;
    for (let i = 0; i < p.length; i++)
      worst = Math.max(worst, Math.abs((lamb[i] as number) - (adamw[i] as number)));
    // |p| ≈ 1: the two differ only in rounding (u·(1/bc1) vs (lr/bc1)·u, ratio within an ULP
    // of 1), a few ULP of 2^-23
    expect(worst).toBeLessThanOrEqual(4 * 2 ** -23);
    // and the step itself is lr·u = 0.01 per element, far above that
    expect(Math.abs((lamb[0] as number) - (p[0] as number))).toBeCloseTo(0.01, 6);
  });

  it("LAMB's update is parallel to AdamW's (any ratio): AdamW's direction", () => {
    for (const weightDecay of [0, 0.1]) {
      const n = 37;
      const p = new Float32Array(n).map((_, i) => Math.cos(3 * i) * 5);
      const g = new Float32Array(n).map((_, i) => Math.sin(i) * 0.3);
      const lamb = new Float32Array(p);
      const adamw = new Float32Array(p);
      new LAMBReference([lamb], { lr: 1e-3, weightDecay }).step([g]);
      new AdamWReference([adamw], { lr: 1e-3, weightDecay, eps: 1e-6 }).step([g]);
      const dl = [...lamb].map((x, i) => x - (p[i] as number));
      const da = [...adamw].map((x, i) => x - (p[i] as number));
      const norm = (v: number[]) => Math.hypot(...v);
      const cos = dl.reduce((a, x, i) => a + x * (da[i] as number), 0) / (norm(dl) * norm(da));
      expect(cos).toBeGreaterThan(1 - 1e-6);
      // and the ratio rescales it: ‖Δ_lamb‖ = lr·‖p‖ (ratio·‖u‖ = ‖p‖)
      expect(norm(dl) / (1e-3 * norm([...p]))).toBeCloseTo(1, 3);
    }
  });
});

describe('LAMB on the host (fake device)', () => {
  it("sizes the sums pass's workgroups as tensor_sums.wgsl declares them (SUMS_WG)", () => {
    // the host's grid is ceil(update workgroups / SUMS_WORKGROUP): a larger constant than the
    // shader's would leave partials unwritten, a smaller one only idle threads
    const wgsl = readFileSync('shaders/tensor_sums.wgsl', 'utf8');
    expect(wgsl).toContain(`const SUMS_WG: u32 = ${SUMS_WORKGROUP}u;`);
    expect(wgsl).toMatch(/@workgroup_size\(SUMS_WG\)\nfn tensor_sums\(/);
  });

  it('takes three dispatches per param group on a ParamArena: sums, finalize, update', () => {
    const f = fakeDevice();
    const arena = new ParamArena(f.device, [5, 300, 7, 4096]);
    const opt = new LAMB(f.device, arena.params);
    opt.step(arena.grads);
    // tensor_sums (1) + tensor_finalize (1, every tensor) + the update (1)
    expect(opt.lastStepDispatches).toBe(3);
    expect(opt.lastClipDispatches).toBe(0);
    const before = { ...f.counts };
    opt.step(arena.grads);
    expect(f.counts.bindGroups).toBe(before.bindGroups);
    expect(f.counts.pipelines).toBe(before.pipelines);
    expect(f.counts.buffers).toBe(before.buffers);
    // two groups: a sums and an update dispatch each, one finalize for both
    const groups = new LAMB(f.device, [
      { params: arena.params.slice(0, 2) },
      { params: arena.params.slice(2), lr: 0.1 },
    ]);
    groups.step(arena.grads);
    expect(groups.lastStepDispatches).toBe(5);
    // clipGradNorm adds its own pass (norm partials and finalize), counted apart
    const clipped = new LAMB(f.device, arena.params, { clipGradNorm: 1 });
    clipped.step(arena.grads);
    expect(clipped.lastStepDispatches).toBe(3);
    expect(clipped.lastClipDispatches).toBe(2);
  });

  it('updates an arena as one flat run but sums each tensor apart', () => {
    // The update runs the run as one row and finds each element's tensor in `starts`; the sums
    // pass keeps one row per tensor (its padding is zero), so no norm mixes two tensors.
    expect(LAMB_KERNEL.tensorSums).toBe(true);
    expect(LAMB_KERNEL.flatRuns).toBe(true);
    const f = fakeDevice();
    const writes: { label: string; offset: number; data: Uint8Array }[] = [];
    const queue = f.device.queue as unknown as { writeBuffer: (...a: unknown[]) => void };
    queue.writeBuffer = (buffer, offset, data, dataOffset = 0, size) => {
      const bytes = new Uint8Array(data as ArrayBuffer, dataOffset as number, size as number);
      writes.push({
        label: (buffer as GPUBuffer).label,
        offset: offset as number,
        data: bytes.slice(),
      });
    };
    const arena = new ParamArena(f.device, [3, 5, 8, 1]);
    const opt = new LAMB(f.device, arena.params);
    opt.step(arena.grads);
    expect(opt.lastStepDispatches).toBe(3);
    const u32 = (w: { data: Uint8Array }) =>
      Array.from(new Uint32Array(w.data.buffer, w.data.byteOffset, w.data.byteLength / 4));
    const table = writes.filter((w) => w.label.endsWith('/tensor-table'));
    // the update's rows (one: the run, each tensor rounded up to its 16-byte slot, padding
    // included: 4 + 8 + 8 + 4 = 24 elements), its workgroup map, then the sums rows (one per
    // tensor, each with its padding: 4, 8, 8, 4)
    const rows = table.map((w) => u32(w)).filter((r) => r.length % 12 === 0 && r.length > 1);
    const n = (r: number[]) => r.filter((_, k) => k % 12 === 0);
    expect(rows.map(n)).toEqual([[24], [4, 8, 8, 4]]);
    // where each tensor starts (elements from the param binding's base), for the lookup
    const starts = writes.find((w) => w.label.endsWith('/tensor-sums/starts'));
    expect(u32(starts as { data: Uint8Array }).slice(0, 4)).toEqual([0, 4, 12, 20]);
    // tensors of SUMS_RUN_MEAN elements or more on average keep a row each (the lookup would
    // cost more than their rows' idle threads): the update's rows are the tensors', and the
    // sums pass shares them (no rows of its own)
    writes.length = 0;
    const big = new ParamArena(f.device, [SUMS_RUN_MEAN, SUMS_RUN_MEAN + 4]);
    const rowsOf = new LAMB(f.device, big.params);
    rowsOf.step(big.grads);
    const bigRows = writes
      .filter((w) => w.label.endsWith('/tensor-table'))
      .map((w) => u32(w))
      .filter((r) => r.length % 12 === 0 && r.length > 12);
    expect(bigRows.map(n)).toEqual([[SUMS_RUN_MEAN, SUMS_RUN_MEAN + 4]]);
  });

  it(`accepts at most ${MAX_SUM_TENSORS} tensors, with a clear error`, () => {
    const f = fakeDevice();
    const buffer = f.buffer(4 * (MAX_SUM_TENSORS + 1) * 4);
    const refs = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ buffer, offset: 16 * i, length: 1 }));
    expect(() => new LAMB(f.device, refs(MAX_SUM_TENSORS + 1))).toThrow(
      /LAMB: at most 16384 tensors per optimizer \(over all param groups\), got 16385/,
    );
    // refused before anything is allocated
    const before = f.counts.buffers;
    expect(() => new LAMB(f.device, refs(MAX_SUM_TENSORS + 1))).toThrow(RangeError);
    expect(f.counts.buffers).toBe(before);
    expect(() => new LAMB(f.device, refs(3))).not.toThrow();
  });

  it('gathers small tensors on separate buffers only while their extra slots fit', () => {
    // each gathered tensor takes a second slot of the ratios (withGathered): N tensors of one
    // element, each in its own buffer, all gatherable, need 2N slots
    const usage = 0x80 | 0x4 | 0x8;
    const run = (n: number) => {
      const f = fakeDevice();
      const refs = (role: string) =>
        Array.from({ length: n }, () => ({ buffer: f.buffer(16, usage, role), length: 1 }));
      const opt = new LAMB(f.device, refs('param'));
      const grads = refs('grad');
      opt.step(grads);
      const copies = f.counts.copies;
      opt.step(grads);
      return { dispatches: opt.lastStepDispatches, copies: f.counts.copies - copies };
    };
    // 2 · 8192 = MAX_SUM_TENSORS: one gathered run (sums, finalize, update), three copies each
    expect(run(MAX_SUM_TENSORS / 2)).toEqual({ dispatches: 3, copies: 3 * (MAX_SUM_TENSORS / 2) });
    // one more does not fit: nothing gathered, every tensor alone (sums and update), no copies
    expect(run(MAX_SUM_TENSORS / 2 + 1)).toEqual({
      dispatches: 2 * (MAX_SUM_TENSORS / 2 + 1) + 1,
      copies: 0,
    });
  });

  it("places each tensor's partials in a fixed range and checks the binding limit", () => {
    // ceil(n / 256) + 2 partials per tensor: 1000 → 6, 1 → 3, 256 → 3
    expect([1000, 1, 256].map((n) => partialCapacity(n, 256))).toEqual([6, 3, 3]);
    expect(planTensorSums([1000, 1, 256], 256, 1 << 20, 'LAMB')).toEqual({
      partialBase: [0, 6, 9],
      slot: [0, 1, 2],
      slots: 3,
      partialBytes: 16 * 12,
      fixedCounts: [null, null, null],
    });
    // 'q8': an 8-bit tensor (blocks given) takes one partial per block, after every f32
    // tensor's range and slot: 300 → 4, 200 → 3, then 5000 → 20 blocks, 4096 → 16
    const lengths = [300, 5000, 200, 4096];
    const q8 = planTensorSums(lengths, 256, 1 << 20, 'LAMB', [null, 20, null, 16]);
    expect(q8).toEqual({
      partialBase: [0, 7, 4, 27],
      slot: [0, 2, 1, 3],
      slots: 4,
      partialBytes: 16 * 43,
      fixedCounts: [null, 20, null, 16],
    });
    // 300 and 200 gathered: slots past the four, partials past the 8-bit tensors' (in slot order)
    expect(withGathered(q8, lengths, [[0, 2]], 256)).toEqual({
      partialBase: [36, 0, 40, 20],
      slot: [4, 2, 5, 3],
      slots: 6,
      partialBytes: 16 * 43,
      fixedCounts: [null, 20, null, 16],
    });
    expect(() => planTensorSums([1000, 1, 256], 256, 128, 'LAMB')).toThrow(
      /LAMB: the per-tensor partial sums need 192 bytes, more than this device's maxStorageBufferBindingSize \(128\)/,
    );
  });

  it('validates its options in PyTorch style', () => {
    const f = fakeDevice();
    const p = [{ buffer: f.buffer(64), length: 4 }];
    expect(() => new LAMB(f.device, p, { betas: [1, 0.9] })).toThrow(
      /Invalid beta parameter at index 0: 1/,
    );
    expect(() => new LAMB(f.device, p, { eps: 0 })).toThrow(/Invalid epsilon value: 0/);
    expect(() => new LAMB(f.device, p, { weightDecay: -1 })).toThrow(/Invalid weightDecay/);
    expect(() => new LAMB(f.device, p, { amsgrad: true } as never)).toThrow(
      /unknown option "amsgrad" for lamb/,
    );
  });
});

describe("q8TensorSums: the 8-bit sums pass's order (shaders/tensor_sums_q8.wgsl)", () => {
  const only = (n: number, term: (i: number) => number) => (i: number) => {
    if (i < 0 || i >= n) throw new RangeError(`term ${i} read past ${n}`);
    return [term(i), 1, 0, 0] as const;
  };

  it('adds every element once and reads none past the end (partial words and blocks)', () => {
    for (const n of [1, 3, 4, 5, 255, 256, 257, 4098, 4099]) {
      // small integers are exact in f32: any element skipped or added twice shows
      const [a, count, c, d] = q8TensorSums(
        n,
        only(n, (i) => (i % 7) + 1),
      );
      let expected = 0;
      for (let i = 0; i < n; i++) expected += (i % 7) + 1;
      expect([a, count, c, d], `n = ${n}`).toEqual([expected, n, 0, 0]);
    }
  });

  it('compensates: 1 then 1024 quarters of its ULP add up exactly', () => {
    // 1 + 2^-25 is 1 in f32, so a plain running sum stays 1. Element 0 is 1, the first lane
    // of every later word (4, 8, …, 4096) 2^-25: the Kahan-compensated sums over words and
    // blocks keep them all, 1 + 1024 · 2^-25 = 1 + 2^-15 (exact in f32).
    const n = 4099;
    const [sum] = q8TensorSums(
      n,
      only(n, (i) => (i === 0 ? 1 : i % 4 === 0 ? 2 ** -25 : 0)),
    );
    expect(sum).toBe(1 + 2 ** -15);
  });
});
