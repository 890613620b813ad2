/**
 * ScheduleFreeAdamW on the CPU reference: hand-derived goldens (arithmetic in the comments,
 * from schedule_free's adamw_schedulefree.py v1.3), the float64 transcription's trajectories
 * (test/fixtures/torch/h11d.json, scripts/fixtures/schedulefree.py), identities, validation.
 */
import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/torch/h11d.json';
import { DEFAULTS } from '../../src/options/defaults.ts';
import { scheduleFreeRunning } from '../../src/options/scheduleFree.ts';
import type { Resolved, ScheduleFreeAdamWOptions } from '../../src/options/types.ts';
import { ScheduleFreeAdamWReference } from '../../src/reference/index.ts';
import { torchLerp } from '../../src/reference/f32.ts';
import { ulp } from '../browser/suites/compare.ts';
import { TORCH_ULPS } from '../torch/tolerance.ts';

function close(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(2e-7 * Math.abs(expected) + 1e-9);
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

function state(opt: ScheduleFreeAdamWReference, name: 'z' | 'exp_avg_sq'): number {
  return (opt.stateDict().state[0]?.[name] as Float32Array)[0] as number;
}

describe('ScheduleFreeAdamW goldens (p0 = 1, g = 0.5, lr = 0.1, betas (0.9, 0.999))', () => {
  it('two steps, then eval() gives the average x', () => {
    const p = new Float32Array([1]);
    const opt = new ScheduleFreeAdamWReference([p], { lr: 0.1 });
    const g = new Float32Array([0.5]);
    // step 1 (k = 0): lr = 0.1, lr_max = 0.1, weight = 1^0 · 0.1^2 = 0.01, weight_sum = 0.01,
    // ckp1 = 1; z = clone(p) = 1; bias_correction2 = 1 − 0.999 = 0.001;
    // exp_avg_sq = 0.001 · 0.25 = 0.00025; denom = sqrt(0.00025 / 0.001) + 1e-8 = 0.5 + 1e-8;
    // g' = 0.5 / denom = 0.99999998; y = lerp(1, 1, 1) = 1;
    // y += 0.1 · (0.9 · (1 − 1) − 1) · g' → 0.9; z = 1 − 0.1 · g' = 0.9
    opt.step([g]);
    close(p[0] as number, 0.9);
    close(state(opt, 'z'), 0.9);
    close(state(opt, 'exp_avg_sq'), 0.00025);
    expect(opt.paramGroups[0]?.weightSum).toBeCloseTo(0.01, 15);
    expect(opt.paramGroups[0]?.lrMax).toBe(0.1);
    // step 2 (k = 1): weight = 0.01, weight_sum = 0.02, ckp1 = 0.5;
    // bias_correction2 = 1 − 0.999^2 = 0.001999; exp_avg_sq = 0.00025 · 0.999 + 0.001 · 0.25
    // = 0.00049975; exp_avg_sq / bc2 = 0.25, denom ≈ 0.5, g' ≈ 1;
    // y = lerp(0.9, 0.9, 0.5) = 0.9; y += 0.1 · (0.9 · 0.5 − 1) · 1 = −0.055 → 0.845;
    // z = 0.9 − 0.1 = 0.8
    opt.step([g]);
    close(p[0] as number, 0.845);
    close(state(opt, 'z'), 0.8);
    close(state(opt, 'exp_avg_sq'), 0.00049975);
    // eval: x = lerp(y, z, 1 − 1/0.9) = 0.845 + (−1/9) · (0.8 − 0.845) = 0.85, the average
    // x_2 = (1 − ckp1) · x_1 + ckp1 · z_2 = 0.5 · 0.9 + 0.5 · 0.8
    opt.eval();
    close(p[0] as number, 0.85);
    opt.train();
    close(p[0] as number, 0.845);
  });

  it('warmupSteps 4, weightDecay 0.5: lr = 0.1 · 1/4 on step 1, decay taken at y', () => {
    const p = new Float32Array([1]);
    const opt = new ScheduleFreeAdamWReference([p], { lr: 0.1, warmupSteps: 4, weightDecay: 0.5 });
    // step 1: sched = 1/4, lr = 0.025; ckp1 = 1; g' = 0.99999998 + 0.5 · 1 = 1.49999998;
    // y = 1 + 0.025 · (0 − 1) · 1.5 = 0.9625; z = 1 − 0.025 · 1.5 = 0.9625
    opt.step([new Float32Array([0.5])]);
    close(p[0] as number, 0.9625);
    close(state(opt, 'z'), 0.9625);
    expect(opt.paramGroups[0]?.lrMax).toBe(0.025);
    // step 2: sched = 2/4, lr = 0.05 = lr_max; weight = 0.05^2 = 0.0025,
    // weight_sum = 0.025^2 + 0.0025 = 0.003125, ckp1 = 0.8
    opt.step([new Float32Array([0.5])]);
    expect(opt.paramGroups[0]?.weightSum).toBeCloseTo(0.003125, 15);
  });
});

interface FixtureCase {
  desc: string;
  groups: { size: number; options: ScheduleFreeAdamWOptions }[];
  ops: ('train' | 'eval' | 'step')[];
  lrChanges: Record<string, [number, number][]>;
  params0: number[][];
  grads: number[][][];
  params: number[][][];
  state: { z: number[]; exp_avg_sq: number[] }[];
  weightSum: number[];
  lrMax: number[];
}

/** Max over elements of |ours − f64| in ULPs of the element's running max |f64|. */
function ulpsOff(ours: ArrayLike<number>, expected: number[], scale: number[]): number {
  let worst = 0;
  expected.forEach((e, i) => {
    scale[i] = Math.max(scale[i] ?? 0, Math.abs(e));
    worst = Math.max(worst, Math.abs((ours[i] as number) - e) / ulp(scale[i] as number));
  });
  return worst;
}

describe('ScheduleFreeAdamW against the float64 transcription of schedule_free v1.3', () => {
  const cases = (fixture as unknown as { cases: FixtureCase[] }).cases;
  it.each(cases.map((c) => [c.desc, c] as const))('%s', (_, c) => {
    const params = c.params0.map((p) => new Float32Array(p));
    let at = 0;
    const groups = c.groups.map((g) => ({
      ...g.options,
      params: params.slice(at, (at += g.size)),
    }));
    const opt = new ScheduleFreeAdamWReference(groups);
    const scale = c.params0.map((p) => p.map(Math.abs));
    let worst = 0;
    let taken = 0;
    c.ops.forEach((op, o) => {
      if (op === 'step') {
        for (const [gi, lr] of c.lrChanges[String(taken)] ?? []) {
          (opt.paramGroups[gi] as { lr: number }).lr = lr;
        }
        opt.step((c.grads[taken] as number[][]).map((g) => new Float32Array(g)));
        taken++;
      } else if (op === 'eval') opt.eval();
      else opt.train();
      params.forEach((p, t) => {
        worst = Math.max(worst, ulpsOff(p, c.params[o]?.[t] as number[], scale[t] as number[]));
      });
    });
    const dict = opt.stateDict();
    let stateWorst = 0;
    c.state.forEach((s, t) => {
      for (const name of ['z', 'exp_avg_sq'] as const) {
        const ours = dict.state[t]?.[name] as Float32Array;
        // z lives on the params' scale: measure it in ULPs of their running max as well
        const sc = s[name].map((v, i) =>
          name === 'z' ? Math.max(Math.abs(v), scale[t]?.[i] ?? 0) : Math.abs(v),
        );
        stateWorst = Math.max(stateWorst, ulpsOff(ours, s[name], sc));
      }
    });
    expect(worst, `${c.desc}: params`).toBeLessThanOrEqual(TORCH_ULPS.schedulefreeadamw.param);
    expect(stateWorst, `${c.desc}: state`).toBeLessThanOrEqual(TORCH_ULPS.schedulefreeadamw.state);
    // the running sums are f64 on the host, as in Python
    c.weightSum.forEach((w, gi) => {
      const ours = opt.paramGroups[gi]?.weightSum as number;
      expect(Math.abs(ours - w)).toBeLessThanOrEqual(1e-14 * Math.abs(w));
      expect(opt.paramGroups[gi]?.lrMax).toBe(c.lrMax[gi]);
    });
  });
});

describe('ScheduleFreeAdamW identities', () => {
  const make = (n: number, seed: number) =>
    Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 97 + i * 1.7) * (1 + (i % 5)));

  it('eval() then train() restores the params bitwise (where the lerp alone does not)', () => {
    const p = make(4097, 1);
    const opt = new ScheduleFreeAdamWReference([p], { lr: 0.05, betas: [0.9, 0.99] });
    for (let s = 0; s < 5; s++) opt.step([make(4097, s + 2)]);
    const y = new Float32Array(p);
    opt.eval();
    const x = new Float32Array(p);
    opt.train();
    expect(bits(p)).toEqual(bits(y));
    // without saved_y, lerp(x, z, 1 − β1) misses y in some elements: the save is needed
    const z = opt.stateDict().state[0]?.z as Float32Array;
    const w = Math.fround(1 - 0.9);
    const off = x.filter((xi, i) => !Object.is(torchLerp(xi, z[i] as number, w), y[i])).length;
    expect(off).toBeGreaterThan(0);
  });

  it('train() after the params changed in eval mode uses the formula y = lerp(x, z, 1 − β1)', () => {
    const p = new Float32Array([1, 2]);
    const opt = new ScheduleFreeAdamWReference([p], { lr: 0.1 });
    opt.step([new Float32Array([0.5, -0.5])]);
    opt.eval();
    p[0] = 3; // e.g. a loaded checkpoint of x
    opt.train();
    const z = opt.stateDict().state[0]?.z as Float32Array;
    // |1 − β1| < 0.5: x + w · (z − x), in f32
    const w = Math.fround(1 - 0.9);
    expect(p[0]).toBe(Math.fround(3 + Math.fround(w * Math.fround((z[0] as number) - 3))));
  });

  it('before the first step, train() and eval() change nothing (no z yet)', () => {
    const p = make(9, 3);
    const before = bits(p);
    const opt = new ScheduleFreeAdamWReference([p]);
    opt.eval();
    expect(opt.mode).toBe('eval');
    expect(bits(p)).toEqual(before);
    opt.train();
    expect(bits(p)).toEqual(before);
  });

  it('a state dict saved in eval mode loads in eval mode: train() then gives y by the formula', () => {
    const p = make(8, 7);
    const opt = new ScheduleFreeAdamWReference([p], { lr: 0.05 });
    for (let s = 0; s < 3; s++) opt.step([make(8, s + 20)]);
    const y = new Float32Array(p);
    opt.eval();
    const dict = opt.stateDict();
    expect(dict.paramGroups[0]?.trainMode).toBe(false);
    // a new run: the model loaded with the saved x, the optimizer with the saved state
    const q = new Float32Array(p);
    const resumed = new ScheduleFreeAdamWReference([q], { lr: 0.05 });
    resumed.loadStateDict(dict);
    expect(resumed.mode).toBe('eval');
    expect(() => resumed.step([make(8, 1)])).toThrow(/eval mode/);
    resumed.train();
    // no saved_y in the dict: y = lerp(x, z, 1 − β1), within an ULP or so of the y eval() left
    const z = dict.state[0]?.z as Float32Array;
    const w = Math.fround(1 - 0.9);
    q.forEach((v, i) => {
      expect(v).toBe(torchLerp(p[i] as number, z[i] as number, w));
      expect(Math.abs(v - (y[i] as number))).toBeLessThanOrEqual(4 * ulp(y[i] as number));
    });
  });

  it('train() and eval() switch only the groups not already in that mode', () => {
    const a = make(4, 8);
    const b = make(4, 9);
    const opt = new ScheduleFreeAdamWReference([{ params: [a] }, { params: [b] }], { lr: 0.05 });
    opt.step([make(4, 10), make(4, 11)]);
    (opt.paramGroups[1] as { trainMode: boolean }).trainMode = false; // as a loaded dict might
    const b0 = new Float32Array(b);
    opt.eval(); // only group 0 moves
    expect(bits(b)).toEqual(bits(b0));
    expect(opt.paramGroups.map((g) => g.trainMode)).toEqual([false, false]);
  });

  it('step() in eval mode throws; train mode is the initial mode', () => {
    const opt = new ScheduleFreeAdamWReference([new Float32Array(2)]);
    expect(opt.mode).toBe('train');
    opt.eval();
    expect(() => opt.step([new Float32Array(2)])).toThrow(/eval mode/);
  });

  it('lr 0 leaves y and z where they started, and weight_sum at 0 (ckp1 = 0)', () => {
    const p = make(5, 4);
    const before = bits(p);
    const opt = new ScheduleFreeAdamWReference([p], { lr: 0 });
    for (let s = 0; s < 3; s++) opt.step([make(5, s + 9)]);
    expect(bits(p)).toEqual(before);
    expect(opt.paramGroups[0]?.weightSum).toBe(0);
  });

  it('with β1 → the first step is plain sign-like AdamW: y = z after step 1 (ckp1 = 1)', () => {
    const p = make(6, 5);
    const opt = new ScheduleFreeAdamWReference([p], { lr: 0.01 });
    opt.step([make(6, 6)]);
    // ckp1 = 1: y = z − lr·g' + lr·(β1·0)·g'... both take the same step from p
    expect(bits(p)).toEqual(bits(opt.stateDict().state[0]?.z as Float32Array));
  });

  it('the average x (eval mode) converges on an ill-conditioned quadratic bowl too', () => {
    const p = new Float32Array([3, 1]);
    const opt = new ScheduleFreeAdamWReference([p], { lr: 0.05, warmupSteps: 20 });
    const f = (x: number, y: number) => 0.5 * (x * x + 25 * y * y);
    for (let s = 0; s < 1000; s++)
      opt.step([new Float32Array([p[0] as number, 25 * (p[1] as number)])]);
    opt.eval();
    expect(f(p[0] as number, p[1] as number)).toBeLessThan(f(3, 1) * 1e-3);
  });

  it('running numbers: ckp1 = 1/k for constant lr and r = 0 (a uniform average)', () => {
    let o = { ...DEFAULTS.schedulefreeadamw } as Resolved<ScheduleFreeAdamWOptions>;
    for (let k = 1; k <= 10; k++) {
      const run = scheduleFreeRunning(o, k);
      expect(run.ckp1).toBeCloseTo(1 / k, 14);
      o = { ...o, weightSum: run.weightSum, lrMax: run.lrMax };
    }
  });
});

describe('ScheduleFreeAdamW options', () => {
  it("holds the reference's defaults (lr 0.0025, betas (0.9, 0.999), eps 1e-8, ...)", () => {
    expect(DEFAULTS.schedulefreeadamw).toEqual({
      lr: 0.0025,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      warmupSteps: 0,
      r: 0,
      weightLrPower: 2,
      weightSum: 0,
      lrMax: -1,
      trainMode: true,
    });
  });
  it.each([
    [{ warmupSteps: -1 }, /Invalid warmupSteps value: -1/],
    [{ warmupSteps: 1.5 }, /Invalid warmupSteps value: 1.5/],
    [{ betas: [1, 0.9] as const }, /Invalid beta parameter at index 0: 1/],
    [{ eps: 0 }, /Invalid epsilon value: 0/],
    [{ weightSum: -1 }, /Invalid weightSum value: -1/],
    [{ maximize: true }, /unknown option "maximize"/],
  ])('rejects %o', (o, message) => {
    expect(() => new ScheduleFreeAdamWReference([new Float32Array(1)], o as never)).toThrow(
      message,
    );
  });
  it('eval() with β1 = 0 throws (x is undefined: the reference divides by β1)', () => {
    const opt = new ScheduleFreeAdamWReference([new Float32Array(1)], { betas: [0, 0.999] });
    opt.step([new Float32Array([1])]);
    expect(() => opt.eval()).toThrow(/betas\[0\] > 0/);
  });
});
