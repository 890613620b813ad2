/**
 * Checks the Stryker run found missing in the new algorithms' host code (docs/mutation.md):
 * 16-bit state in the Adamax, Adadelta, Lion, NAdam and RAdam kernels, NAdam's beta check and
 * carried mu_product, the ε floor's epsInsideSqrt case, RAdam's rho_t > 5 at exactly 5 (f64
 * host path and f32 GradScaler path), the GradScaler path's term-by-term rho_t sum up to and
 * including step 256, and which scalars a reference step uses with and without a GradScaler.
 */
import { describe, expect, it } from 'vitest';
import {
  AdadeltaReference,
  AdamaxReference,
  AdamReference,
  GradScalerReference,
  LionReference,
  NAdamReference,
  RAdamReference,
  adamaxKernel,
  adamKernel,
  nadamKernel,
  radamKernel,
} from '../../src/reference/index.ts';
import { roundScalars } from '../../src/reference/f32.ts';
import { carriedScalar } from '../../src/options/carried.ts';
import { epsAtStateScale } from '../../src/options/half.ts';
import {
  adamaxScalars,
  adamScalars,
  nadamMuProduct,
  nadamScalars,
  radamRectification,
  radamScalars,
} from '../../src/options/scalars.ts';
import {
  radamRhoInf,
  scalerAdamaxClr,
  scalerAdamFields,
  scalerNadamFields,
  scalerRadamFields,
} from '../../src/options/scaler.ts';
import { resolveOptions } from '../../src/options/validate.ts';
import type { OptionsByAlgorithm, Resolved } from '../../src/options/types.ts';

const f = Math.fround;

describe('16-bit state in the new kernels', () => {
  // One step from p = 1 with g = 0.5 (Adadelta: g² = 0.25). The first state value written is
  // (1 − β)·g (torch's lerp from 0): in f32 then rounded to f16 (numpy.float16):
  //   (1 − 0.9)·0.5 = 0.0500000007 → f16 0.04998779296875 (1638 · 2^-15)
  //   (1 − 0.99)·0.5 = 0.0049999999 → f16 0.005001068115234375 (1311 · 2^-18)
  //   Adadelta square_avg (1 − 0.9)·0.25 = 0.0250000004 → f16 0.024993896484375 (1638 · 2^-16)
  // With f32 state (what the mutant `flags.store && f32` stores) the values keep their f32 bits.
  const cases: [
    string,
    () => { step(g: Float32Array[]): void; stateDict(): unknown },
    string,
    number,
  ][] = [
    [
      'adamax',
      () => new AdamaxReference([new Float32Array([1])], { stateDtype: 'f16' }),
      'exp_avg',
      0.04998779296875,
    ],
    [
      'nadam',
      () => new NAdamReference([new Float32Array([1])], { stateDtype: 'f16' }),
      'exp_avg',
      0.04998779296875,
    ],
    [
      'radam',
      () => new RAdamReference([new Float32Array([1])], { stateDtype: 'f16' }),
      'exp_avg',
      0.04998779296875,
    ],
    [
      'lion',
      () => new LionReference([new Float32Array([1])], { stateDtype: 'f16' }),
      'exp_avg',
      0.005001068115234375,
    ],
    [
      'adadelta',
      () => new AdadeltaReference([new Float32Array([1])], { stateDtype: 'f16' }),
      'square_avg',
      0.024993896484375,
    ],
  ];
  for (const [name, make, key, expected] of cases) {
    it(`${name}: the stored ${key} is rounded to f16`, () => {
      const opt = make();
      opt.step([new Float32Array([0.5])]);
      const dict = opt.stateDict() as { state: Record<string, Float32Array>[] };
      expect(dict.state[0]?.[key]?.[0]).toBe(expected);
    });
  }

  it('adamax: exp_inf = |g| + ε (ε floored to 2^-24 at state scale) is stored as f16 0.5', () => {
    // 0.5 + 2^-24 = 0.50000006 in f32 (f32 state keeps it); the f16 neighbours are 0.5 and
    // 0.5 + 2^-11, so f16 state stores 0.5.
    const opt = new AdamaxReference([new Float32Array([1])], { stateDtype: 'f16' });
    opt.step([new Float32Array([0.5])]);
    expect(opt.stateDict().state[0]?.exp_inf?.[0]).toBe(0.5);
  });
});

describe('NAdam options and mu_product', () => {
  it('rejects betas outside [0, 1) for NAdam as for Adam', () => {
    expect(() => new NAdamReference([new Float32Array(1)], { betas: [1.5, 0.999] })).toThrow(
      /nadam reference: Invalid beta parameter at index 0: 1.5 \(must be in \[0, 1\)\)/,
    );
    expect(() => new NAdamReference([new Float32Array(1)], { betas: [0.9, 1] })).toThrow(
      /Invalid beta parameter at index 1: 1 \(must be in \[0, 1\)\)/,
    );
  });

  it('carriedScalar("nadam") starts at 1 and advances by mu_t = β1·(1 − 0.5·0.96^(t·ψ))', () => {
    const carry = carriedScalar('nadam');
    expect(carry?.name).toBe('mu_product');
    expect(carry?.initial).toBe(1);
    expect(carriedScalar('radam')).toBeNull();
    const o = resolveOptions('nadam', {}, 'test');
    // torch.optim.NAdam defaults β1 = 0.9, momentum_decay ψ = 0.004; mu_product is a float32
    // tensor in torch, so each product is rounded to f32.
    const mu1 = 0.9 * (1 - 0.5 * 0.96 ** 0.004);
    const mu2 = 0.9 * (1 - 0.5 * 0.96 ** 0.008);
    const after1 = carry?.next(o, 1, 1) as number;
    expect(after1).toBeCloseTo(mu1, 7);
    expect(carry?.next(o, 2, after1)).toBeCloseTo(mu1 * mu2, 7);
    expect(after1).toBe(f(after1));
  });
});

describe('the ε floor applies inside the square root for epsInsideSqrt', () => {
  it('epsAtStateScale: Adamax and Adadelta always, others only with epsInsideSqrt: true', () => {
    expect(epsAtStateScale('adamax', {})).toBe(true);
    expect(epsAtStateScale('adadelta', {})).toBe(true);
    expect(epsAtStateScale('adam', { epsInsideSqrt: true })).toBe(true);
    expect(epsAtStateScale('rmsprop', { epsInsideSqrt: true })).toBe(true);
    expect(epsAtStateScale('adam', { epsInsideSqrt: false })).toBe(false);
    expect(epsAtStateScale('adam', {})).toBe(false);
  });
});

describe("RAdam's rectification at rho_t exactly 5 (torch: `if rho_t > 5.0`)", () => {
  it('f64 host path: β2 = 0.8397685748659791, step 6 gives rho_t = 5 exactly: not rectified', () => {
    // β2 found by bisection on rho_t(β2, 6) = 5 (the root of 6b^5 + 4b^4 + 2b^3 − 2b − 4 = 0,
    // from rho_t = Σ_{s<6}(2s + 1)·b^s / Σ_{s<6} b^s), then the double whose f64 rho_t is 5.0
    const r = radamRectification(0.8397685748659791, 6);
    expect(r.rhoT).toBe(5);
    expect(r.rectified).toBe(false);
    expect(r.rect).toBe(0);
    const o = resolveOptions('radam', { betas: [0.9, 0.8397685748659791] }, 'test');
    expect(radamScalars(o, 6).rectified).toBe(0);
    // one double up, rho_t > 5: rectified
    expect(radamRectification(0.8397685748659792, 6).rectified).toBe(true);
  });

  // shaders/gradscaler.wgsl's prepare, t ≤ SMALL_T: rho_t = Σ (2s + 1)·b^s / Σ b^s in f32
  const rhoSum = (b: number, t: number): number => {
    let num = 0;
    let den = 0;
    let bs = 1;
    for (let s = 0; s < t; s++) {
      num = f(num + f(f(2 * s + 1) * bs));
      den = f(den + bs);
      bs = f(bs * b);
    }
    return f(num / den);
  };
  // its rect, in f32, from rho_t and rho_inf
  const rectOf = (rhoT: number, rhoInf: number): number =>
    f(
      Math.sqrt(
        f(f(f(f(rhoT - 4) * f(rhoT - 2)) * rhoInf) / f(f(f(rhoInf - 4) * f(rhoInf - 2)) * rhoT)),
      ),
    );

  it('f32 GradScaler path: β2 = f32 0.8397685885429382, step 6 gives f32 rho_t = 5: not rectified', () => {
    expect(rhoSum(0.8397685885429382, 6)).toBe(5);
    const fields = scalerRadamFields([0.9, 0.8397685885429382], 6);
    expect(fields.rectified).toBe(0);
    expect(fields.rect).toBe(0);
  });

  it('f32 GradScaler path sums rho_t term by term up to and including step 256 (SMALL_T)', () => {
    // At t = 256, β2 = 0.9999: the sum gives 254.90756, the closed form
    // rho_inf − 2t·β2^t/(1 − β2^t) loses digits to cancellation (254.90820; f64: 254.90771)
    const rhoInf = f(radamRhoInf(0.9999));
    for (const t of [255, 256]) {
      const rhoT = rhoSum(f(0.9999), t);
      expect(scalerRadamFields([0.9, 0.9999], t).rect, `t=${t}`).toBe(rectOf(rhoT, rhoInf));
    }
    expect(Math.abs(rhoSum(f(0.9999), 256) - 254.90770731592784)).toBeLessThan(2e-4);
  });
});

describe('a reference step uses the f32 GradScaler scalars exactly when a GradScaler is attached', () => {
  type K = 'adam' | 'adamax' | 'nadam' | 'radam';
  // lr picked so that the two paths' one-ULP differences in the scalars reach the params
  const LR: Record<K, number> = { adam: 0.01, adamax: 0.01, nadam: 0.01, radam: 1 };
  const grads = Array.from({ length: 40 }, (_, k) => f(0.37 * Math.cos(1.3 * k + 0.2) + 0.05));

  // The step composed from separately tested pieces: the kernel twin, the f64 scalars rounded
  // to f32 (the uniform) and, with a GradScaler, the prepare pass's f32 fields over them.
  function composed(alg: K, scaled: boolean): number[] {
    const o = resolveOptions(alg, { lr: LR[alg] }, 'test') as Resolved<OptionsByAlgorithm[K]>;
    const p = new Float32Array([0]);
    const out: number[] = [];
    const a = new Float32Array(1);
    const b = new Float32Array(1);
    let mu = 1;
    grads.forEach((gv, k) => {
      const t = k + 1;
      const g = new Float32Array([gv]);
      if (alg === 'adam') {
        const r = o as Resolved<OptionsByAlgorithm['adam']>;
        const u = roundScalars(adamScalars(r, t));
        if (scaled) Object.assign(u, scalerAdamFields(r.lr, r.betas, t));
        adamKernel(p, g, a, b, undefined, u, {
          maximize: false,
          amsgrad: false,
          decoupled: false,
          epsInsideSqrt: false,
        });
      } else if (alg === 'adamax') {
        const r = o as Resolved<OptionsByAlgorithm['adamax']>;
        const u = roundScalars(adamaxScalars(r, t));
        if (scaled) u.clr = scalerAdamaxClr(r.lr, r.betas[0], t);
        adamaxKernel(p, g, a, b, u, { maximize: false });
      } else if (alg === 'nadam') {
        const r = o as Resolved<OptionsByAlgorithm['nadam']>;
        const u = roundScalars(nadamScalars(r, t, mu));
        let next = nadamMuProduct(r, t, mu);
        if (scaled) {
          const s = scalerNadamFields(r.lr, r.betas, r.momentumDecay, t, mu);
          Object.assign(u, s.fields);
          next = s.muProduct;
        }
        mu = next;
        nadamKernel(p, g, a, b, u, { maximize: false, decoupled: false });
      } else {
        const r = o as Resolved<OptionsByAlgorithm['radam']>;
        const u = roundScalars(radamScalars(r, t));
        if (scaled) Object.assign(u, scalerRadamFields(r.betas, t));
        radamKernel(p, g, a, b, u, { maximize: false, decoupled: false });
      }
      out.push(p[0] as number);
    });
    return out;
  }

  const make = (alg: K, p: Float32Array, scaler?: GradScalerReference) => {
    const opts = { lr: LR[alg], ...(scaler ? { gradScaler: scaler } : {}) };
    if (alg === 'adam') return new AdamReference([p], opts);
    if (alg === 'adamax') return new AdamaxReference([p], opts);
    if (alg === 'nadam') return new NAdamReference([p], opts);
    return new RAdamReference([p], opts);
  };

  for (const alg of ['adam', 'adamax', 'nadam', 'radam'] as const) {
    it(`${alg}: bitwise the composed step, with and without a GradScaler (scale 1)`, () => {
      const withScaler = composed(alg, true);
      const without = composed(alg, false);
      // the two paths must differ somewhere in these 40 steps, or this test could not tell them apart
      expect(withScaler.filter((x, k) => x !== without[k]).length).toBeGreaterThan(0);
      const p = new Float32Array([0]);
      const q = new Float32Array([0]);
      const scaled = make(alg, p, new GradScalerReference({ initScale: 1 }));
      const plain = make(alg, q);
      const got: number[] = [];
      const gotPlain: number[] = [];
      for (const gv of grads) {
        scaled.step([new Float32Array([gv])]);
        plain.step([new Float32Array([gv])]);
        got.push(p[0] as number);
        gotPlain.push(q[0] as number);
      }
      expect(got).toEqual(withScaler);
      expect(gotPlain).toEqual(without);
    });
  }
});
