/**
 * ScheduleFreeAdamW with a GradScaler, CPU side (src/options/scalerScheduleFree.ts and the
 * reference): the f32 pow the GPU's prepare pass uses, the compensated weight sum, hand-derived
 * step scalars, their distance from the host's f64 path, and the reference optimizer with a
 * GradScalerReference (skipped steps, the f32 path, save → load → continue). The GPU against
 * this reference is test/browser/scheduleFree.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  addWeight,
  powF32,
  scalerScheduleFreeStep,
  splitWeightSum,
  trimLo,
} from '../../src/options/scalerScheduleFree.ts';
import { scheduleFreeRunning, scheduleFreeScalars } from '../../src/options/scheduleFree.ts';
import { resolveOptions } from '../../src/options/validate.ts';
import type { Resolved, ScheduleFreeAdamWOptions } from '../../src/options/types.ts';
import { GradScalerReference, scheduleFreeKernel } from '../../src/reference/index.ts';
import { ScheduleFreeAdamWReference } from '../../src/reference/scheduleFreeOptimizer.ts';
import { roundScalars } from '../../src/reference/f32.ts';

const f = Math.fround;
const ulp = (x: number) => 2 ** (Math.floor(Math.log2(Math.abs(x))) - 23);

function options(o: ScheduleFreeAdamWOptions): Resolved<ScheduleFreeAdamWOptions> {
  return resolveOptions('schedulefreeadamw', o, 'test');
}

describe('powF32', () => {
  it('takes integer exponents by repeated squaring, exactly', () => {
    expect(powF32(0.0025, 2)).toBe(f(f(0.0025) * f(0.0025))); // lr_max² with the default power
    expect(powF32(7, 0)).toBe(1);
    expect(powF32(0, 0)).toBe(1);
    expect(powF32(3, 1)).toBe(3);
    expect(powF32(3, 5)).toBe(243); // 3 · 3^4 = 3 · (3²)², exact
    expect(powF32(4, -1)).toBe(0.25);
    expect(powF32(0, 2)).toBe(0);
    expect(powF32(0, -1)).toBe(Infinity);
    expect(powF32(0, 0.5)).toBe(0);
  });

  it('is exact where the series terms vanish: 4^0.5 = 2, 2^-1.5 · 2^1.5 ≈ 1', () => {
    // log2 4 = 2 with mantissa 1 (s = 0), z = 1, 2^1 · e^0 = 2
    expect(powF32(4, 0.5)).toBe(2);
    expect(powF32(1024, 0.1)).toBeCloseTo(2, 6);
    expect(Math.abs(powF32(2, 1.5) - f(Math.SQRT2 * 2))).toBeLessThanOrEqual(ulp(2.8));
  });

  it('is within 1.5 · (|y·log2 x| + 1) ULP of the correctly rounded power', () => {
    // the error of z = y · log2 x, about |z| · 2^-24 absolute, becomes a relative error of
    // ln 2 · |z| · 2^-24 in 2^z, plus the series' few ULP
    let worst = 0;
    for (let i = 0; i < 60; i++) {
      for (let j = 0; j < 40; j++) {
        const x = f(2 ** (i - 40) * (1 + j / 41));
        const y = f((j - 20) * 0.137 + i * 0.01);
        const want = f(x ** y);
        if (!Number.isFinite(want) || want < 1e-37) continue;
        const z = Math.abs(y * Math.log2(x));
        const err = Math.abs(powF32(x, y) - want) / ulp(want);
        worst = Math.max(worst, err / (z + 1));
      }
    }
    expect(worst).toBeLessThanOrEqual(1.5);
    expect(worst).toBeGreaterThan(0); // not exact everywhere: the series path was taken
  });
});

describe('the compensated weight sum', () => {
  it('keeps adding past 2^24 weights, where a plain f32 sum stalls', () => {
    expect(f(2 ** 24 + 1)).toBe(2 ** 24);
    let [hi, lo] = splitWeightSum(2 ** 24);
    for (let k = 0; k < 3; k++) [hi, lo] = addWeight(hi, lo, 1);
    expect(hi + lo).toBe(2 ** 24 + 3);
    expect(hi).toBe(f(2 ** 24 + 3)); // hi = f32(hi + lo): 2^24 + 4 (ties to even)
  });

  it('TwoSum keeps what does not fit in hi in lo', () => {
    expect(addWeight(1, 0, 2 ** -30)).toEqual([1, 2 ** -30]);
    expect(addWeight(1, 2 ** -30, 2 ** -30)).toEqual([1, 2 ** -29]);
  });

  it('trimLo clears the bits of lo below 2^-51 of hi', () => {
    expect(trimLo(2 ** -40 + 2 ** -60, 1)).toBe(2 ** -40);
    expect(trimLo(3 * 2 ** -51, 1)).toBe(3 * 2 ** -51);
    expect(trimLo(2 ** -52, 1)).toBe(0);
    expect(trimLo(-(2 ** -40 + 2 ** -60), 1)).toBe(-(2 ** -40));
    expect(trimLo(2 ** -30, 2 ** 8)).toBe(2 ** -30);
  });

  it('a pair split from its f64 sum is the pair, over a run of uneven weights', () => {
    let hi = 0;
    let lo = 0;
    for (let k = 1; k <= 5000; k++) {
      const w = f((1 + ((k * 7919) % 1000) / 3) * 2 ** -((k * 13) % 40));
      [hi, lo] = addWeight(hi, lo, w);
      expect(splitWeightSum(hi + lo)).toEqual([hi, lo]);
    }
  });
});

describe('scalerScheduleFreeStep', () => {
  // lr 0.5, β1 0.5, β2 0.75, warmup 2, r 0, weightLrPower 2: every value below is exact
  const o = options({ lr: 0.5, betas: [0.5, 0.75], warmupSteps: 2 });

  it('hand-derived steps 1-3 (warmup, lr_max, the weight sum, ckp1)', () => {
    // t = 1: sched = 1/2, lr = 0.25, lr_max = 0.25, weight = 0.25² = 0.0625, sum = 0.0625,
    // ckp1 = 1, y_coef = 0.25 · (0.5 · 0 − 1) = −0.25, bias_correction2 = 1 − 0.75 = 0.25
    const s1 = scalerScheduleFreeStep(o, 1, 0, -1);
    expect(s1).toEqual({
      fields: { lr: 0.25, ckp1: 1, y_coef: -0.25, first_step: 1, bias_correction2: 0.25 },
      weightSum: 0.0625,
      lrMax: 0.25,
    });
    // t = 2: sched = 1, lr = 0.5, lr_max = 0.5, weight = 0.25, sum = 0.3125,
    // ckp1 = f32(0.25 / 0.3125) = f32(0.8), y_coef = 0.5 · (0.5 · (1 − ckp1) − 1),
    // bias_correction2 = 1 − 0.75² = 0.4375
    const s2 = scalerScheduleFreeStep(o, 2, s1.weightSum, s1.lrMax);
    const ckp1 = f(0.8);
    expect(s2).toEqual({
      fields: {
        lr: 0.5,
        ckp1,
        y_coef: f(0.5 * f(f(0.5 * f(1 - ckp1)) - 1)),
        first_step: 0,
        bias_correction2: 0.4375,
      },
      weightSum: 0.3125,
      lrMax: 0.5,
    });
    // t = 3, after warmup: weight 0.25 again, sum 0.5625, ckp1 = f32(4/9)
    const s3 = scalerScheduleFreeStep(o, 3, s2.weightSum, s2.lrMax);
    expect(s3.weightSum).toBe(0.5625);
    expect(s3.fields.ckp1).toBe(f(4 / 9));
    // r = 1: weight = t · lr_max², 2 · 0.25 at t = 2
    const r1 = options({ lr: 0.5, betas: [0.5, 0.75], warmupSteps: 2, r: 1 });
    expect(scalerScheduleFreeStep(r1, 2, 0.0625, 0.25).weightSum).toBe(0.5625);
  });

  it('a weight sum of 0 gives ckp1 = 0 (lr 0), as the host path', () => {
    const z = scalerScheduleFreeStep(options({ lr: 0 }), 1, 0, -1);
    expect(z.fields.ckp1).toBe(0);
    expect(z.weightSum).toBe(0);
  });

  it.each([
    ['defaults, warmup 10', { lr: 0.0025, warmupSteps: 10 }, { ckp1: 2, y_coef: 8, ws: 3 }],
    ['lr 0.01, r 0.5', { lr: 0.01, r: 0.5 }, { ckp1: 8, y_coef: 8, ws: 3 }],
    [
      'warmup 100, r 1.5, weightLrPower 0.5',
      { lr: 0.01, warmupSteps: 100, r: 1.5, weightLrPower: 0.5 },
      { ckp1: 32, y_coef: 8, ws: 4 },
    ],
  ] as const)(
    'stays within a few ULP of the host f64 path over 20000 steps: %s',
    (_, opts, bound) => {
      // measured worst: 1, 5 and 20 ULP of ckp1 (powF32's error, up to 1.5 · (|r · log2 t| + 1)
      // ULP: the bounds), 7 of y_coef (1 − ckp1 and β1 · (…) − 1 each round in f32) and 2.2
      // of the weight sum (the pair keeps it as exact as f64 accumulation, up to the weights)
      let host = options(opts);
      let ws = 0;
      let lrMax = -1;
      const worst = { ckp1: 0, y_coef: 0, ws: 0 };
      for (let t = 1; t <= 20000; t++) {
        const want = roundScalars(scheduleFreeScalars(host, t));
        const run = scheduleFreeRunning(host, t);
        const got = scalerScheduleFreeStep(host, t, ws, lrMax);
        worst.ckp1 = Math.max(worst.ckp1, Math.abs(got.fields.ckp1 - want.ckp1) / ulp(want.ckp1));
        worst.y_coef = Math.max(
          worst.y_coef,
          Math.abs(got.fields.y_coef - want.y_coef) / ulp(want.y_coef),
        );
        worst.ws = Math.max(worst.ws, Math.abs(got.weightSum - run.weightSum) / ulp(run.weightSum));
        host = { ...host, weightSum: run.weightSum, lrMax: run.lrMax };
        ws = got.weightSum;
        lrMax = got.lrMax;
      }
      expect(worst.ckp1).toBeLessThanOrEqual(bound.ckp1);
      expect(worst.y_coef).toBeLessThanOrEqual(bound.y_coef);
      expect(worst.ws).toBeLessThanOrEqual(bound.ws);
    },
  );
});

describe('ScheduleFreeAdamWReference with a GradScalerReference', () => {
  const grads = Array.from({ length: 12 }, (_, k) => [((k * 7) % 5) - 2.3, 0.5 + k / 10, -k]);
  const opts = { lr: 0.05, warmupSteps: 3, weightDecay: 0.1, r: 0.5 };

  it('steps with the f32 scalars of the GPU path (scale 1), not the host f64 ones', () => {
    const composed = (scaled: boolean): number[][] => {
      const p = new Float32Array([1, -2, 0.5]);
      const z = new Float32Array(3);
      const v = new Float32Array(3);
      let o = options(opts);
      return grads.map((g, k) => {
        const u = roundScalars(scheduleFreeScalars(o, k + 1));
        const gpu = scalerScheduleFreeStep(o, k + 1, o.weightSum, o.lrMax);
        if (scaled) Object.assign(u, gpu.fields);
        scheduleFreeKernel(p, new Float32Array(g), z, v, u);
        const run = scaled ? gpu : scheduleFreeRunning(o, k + 1);
        o = { ...o, weightSum: run.weightSum, lrMax: run.lrMax };
        return Array.from(p);
      });
    };
    const p = new Float32Array([1, -2, 0.5]);
    const opt = new ScheduleFreeAdamWReference([p], {
      ...opts,
      gradScaler: new GradScalerReference({ initScale: 1 }),
    });
    const run = grads.map((g) => {
      opt.step([new Float32Array(g)]);
      return Array.from(p);
    });
    const withScaler = composed(true);
    const without = composed(false);
    // the two paths differ somewhere, or this test could not tell them apart
    expect(JSON.stringify(withScaler)).not.toBe(JSON.stringify(without));
    expect(run).toEqual(withScaler);
  });

  it('a skipped step changes no param, state, weightSum, lrMax or step; save → load → continue is bitwise', () => {
    const make = () => {
      const p = new Float32Array([1, -2, 0.5]);
      const scaler = new GradScalerReference({ initScale: 4 });
      return {
        p,
        scaler,
        opt: new ScheduleFreeAdamWReference([p], { ...opts, gradScaler: scaler }),
      };
    };
    const a = make();
    const feed = (x: ReturnType<typeof make>, k: number, poison: boolean) => {
      const g = new Float32Array((grads[k] as number[]).map((v) => v * x.scaler.scale));
      if (poison) g[1] = Infinity;
      x.opt.step([g]);
    };
    for (let k = 0; k < 4; k++) feed(a, k, false);
    const before = { p: Array.from(a.p), dict: a.opt.stateDict() };
    feed(a, 4, true);
    expect(a.scaler.lastFoundInf).toBe(true);
    const after = a.opt.stateDict();
    expect(Array.from(a.p)).toEqual(before.p);
    expect(after.state).toEqual(before.dict.state);
    expect(after.paramGroups[0]?.weightSum).toBe(before.dict.paramGroups[0]?.weightSum);
    expect(after.paramGroups[0]?.lrMax).toBe(before.dict.paramGroups[0]?.lrMax);
    expect(after.state[0]?.step).toBe(4);
    // b: loaded from a's dict, then both continue
    const b = make();
    b.p.set(a.p);
    b.opt.loadStateDict(a.opt.stateDict());
    for (let k = 5; k < 12; k++) {
      feed(a, k, k === 8);
      feed(b, k, k === 8);
    }
    expect(Array.from(b.p)).toEqual(Array.from(a.p));
    expect(b.opt.stateDict()).toEqual(a.opt.stateDict());
    expect(a.opt.stateDict().state[0]?.step).toBe(10);
  });
});
