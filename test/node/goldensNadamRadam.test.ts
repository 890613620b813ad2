/**
 * NAdam and RAdam: hand-derived steps of the CPU reference (the GPU kernels' twin), with the
 * arithmetic in comments, and identities that tie them to Adam and to their own branches.
 */
import { describe, expect, it } from 'vitest';
import {
  AdamReference,
  NAdamReference,
  RAdamReference,
  radamScalars,
} from '../../src/reference/index.ts';
import { nadamMu, nadamScalars } from '../../src/options/scalars.ts';
import { scalerNadamFields, scalerRadamFields } from '../../src/options/scaler.ts';
import { DEFAULTS } from '../../src/options/defaults.ts';
import type { ReferenceOptimizer } from '../../src/reference/optimizer.ts';

function close(actual: number, expected: number, rel = 2e-7): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-9);
}

/** Steps one single-element tensor from p0 through `grads`; returns p after each step. */
function trace(
  make: (p: Float32Array[]) => ReferenceOptimizer<never>,
  p0: number,
  grads: number[],
) {
  const p = new Float32Array([p0]);
  const opt = make([p]);
  return grads.map((g) => {
    opt.step([new Float32Array([g])]);
    return { p: p[0] as number, state: opt.stateDict().state[0] };
  });
}

describe('NAdam goldens (p0 = 1, g = 0.5 then 0.25, lr = 0.1, betas (0.9, 0.999), ψ = 0.004)', () => {
  // mu_t = 0.9·(1 − 0.5·0.96^(0.004·t)): mu_1 = 0.45007347, mu_2 = 0.45014694, mu_3 = 0.45022038
  const make = (p: Float32Array[]) => new NAdamReference(p, { lr: 0.1 }) as never;
  it('step 1: mu_product = mu_1, so the gradient term is exactly lr·g/denom', () => {
    const [s1] = trace(make, 1, [0.5]);
    // exp_avg = 0.05, exp_avg_sq = 0.001·0.25 = 2.5e-4, bc2 = 0.001: denom = √0.25 + 1e-8 = 0.5
    close(s1?.state?.exp_avg?.[0] as number, 0.05);
    close(s1?.state?.exp_avg_sq?.[0] as number, 2.5e-4);
    // gradient term: −0.1·(1 − mu_1)/(1 − mu_1)·0.5/0.5 = −0.1
    // exp_avg term:  −0.1·mu_2/(1 − mu_1·mu_2)·0.05/0.5 = −0.01·0.45014694/0.79740081 = −0.0056452
    // p = 1 − 0.1 − 0.0056452 = 0.8943548
    close(s1?.p as number, 0.8943548242773647);
    close(s1?.state?.mu_product as number, 0.45007347359129607);
  });
  it('step 2: mu_product = mu_1·mu_2 enters both coefficients', () => {
    const [, s2] = trace(make, 1, [0.5, 0.25]);
    // exp_avg = 0.9·0.05 + 0.1·0.25 = 0.07; exp_avg_sq = 0.999·2.5e-4 + 0.001·0.0625 = 3.1225e-4
    // bc2 = 1 − 0.999² = 0.001999; denom = √(3.1225e-4/0.001999) + 1e-8 = 0.39522539
    // mu_product = 0.45007347·0.45014694 = 0.20259919
    // grad_coef = −0.1·(1 − 0.45014694)/(1 − 0.20259919) = −0.06895567
    // avg_coef  = −0.1·0.45022038/(1 − 0.20259919·0.45022038) = −0.04954087
    // p = 0.8943548 − 0.06895567·0.25/0.39522539 − 0.04954087·0.07/0.39522539 = 0.8419625
    close(s2?.state?.exp_avg?.[0] as number, 0.07);
    close(s2?.p as number, 0.8419624955659357, 1e-6);
    close(s2?.state?.mu_product as number, 0.20259919474573693);
  });
  it('decoupledWeightDecay 0.1: p·(1 − 0.1·0.1) first, and the gradient is not changed', () => {
    const [a] = trace((p) => new NAdamReference(p, { lr: 0.1 }) as never, 0.99, [0.5]);
    const [b] = trace(
      (p) =>
        new NAdamReference(p, { lr: 0.1, weightDecay: 0.1, decoupledWeightDecay: true }) as never,
      1,
      [0.5],
    );
    // 1·0.99 = 0.99, then the same update as from p0 = 0.99 without decay
    expect(b?.p).toBe(a?.p);
  });
  it('weightDecay 0.1 (L2): g = 0.5 + 0.1·1 = 0.6, as NAdam without decay given g = 0.6', () => {
    const [a] = trace((p) => new NAdamReference(p, { lr: 0.1 }) as never, 1, [0.6]);
    const [b] = trace(
      (p) => new NAdamReference(p, { lr: 0.1, weightDecay: 0.1 }) as never,
      1,
      [0.5],
    );
    expect(b?.p).toBe(a?.p);
  });
  it('maximize: the same step with −g', () => {
    const [a] = trace((p) => new NAdamReference(p, { lr: 0.1 }) as never, 1, [-0.5]);
    const [b] = trace((p) => new NAdamReference(p, { lr: 0.1, maximize: true }) as never, 1, [0.5]);
    expect(b?.p).toBe(a?.p);
  });
});

describe('NAdam identities', () => {
  it('beta1 = 0: mu = 0, so NAdam is Adam with beta1 = 0 (up to where ε and the root sit)', () => {
    const grads = [0.5, -0.3, 0.8, 0.1, -0.6, 0.2];
    const n = trace(
      (p) => new NAdamReference(p, { lr: 0.05, betas: [0, 0.99] }) as never,
      1,
      grads,
    );
    const a = trace((p) => new AdamReference(p, { lr: 0.05, betas: [0, 0.99] }) as never, 1, grads);
    // NAdam: √(v/bc2) + ε; Adam: √v/√bc2 + ε: a few f32 roundings apart over 6 steps
    n.forEach((s, t) => close(s.p, a[t]?.p as number, 1e-6));
  });
  it('mu_product is the running product of mu_t, rounded to f32 at every step', () => {
    const o = DEFAULTS.nadam;
    let expected = 1;
    const run = trace((p) => new NAdamReference(p) as never, 1, [0.1, 0.2, 0.3, 0.4]);
    run.forEach((s, t) => {
      expected = Math.fround(expected * Math.fround(nadamMu(o.betas[0], o.momentumDecay, t + 1)));
      expect(s.state?.mu_product).toBe(expected);
    });
  });
  it("the scaler's f32 coefficients are within a few f32 ULPs of the host's f64 ones", () => {
    let before = 1;
    for (let t = 1; t <= 200; t++) {
      const host = nadamScalars({ ...DEFAULTS.nadam, lr: 0.01 }, t, before);
      const gpu = scalerNadamFields(0.01, [0.9, 0.999], 4e-3, t, before);
      close(gpu.fields.grad_coef, host.grad_coef, 2e-6);
      close(gpu.fields.avg_coef, host.avg_coef, 2e-6);
      close(gpu.fields.bias_correction2, host.bias_correction2, 2e-6);
      before = gpu.muProduct;
    }
  });
});

describe('RAdam goldens (p0 = 1, lr = 0.1)', () => {
  it('unrectified steps (rho_t ≤ 5) are momentum SGD on the bias-corrected exp_avg', () => {
    const [s1, s2] = trace((p) => new RAdamReference(p, { lr: 0.1 }) as never, 1, [0.5, 0.25]);
    // step 1: exp_avg = 0.05, bc1 = 0.1, m = 0.5; rho_1 = 1999 − 2·0.999/0.001 = 1: p = 0.95
    close(s1?.p as number, 0.95);
    // step 2: exp_avg = 0.045 + 0.025 = 0.07, bc1 = 0.19, m = 0.3684211; p = 0.95 − 0.0368421
    close(s2?.p as number, 0.9131579);
  });
  it('betas (0.9, 0.9), constant g = 0.5: five steps of −lr·g, then −lr·rect_6 at step 6', () => {
    const run = trace(
      (p) => new RAdamReference(p, { lr: 0.1, betas: [0.9, 0.9] }) as never,
      1,
      [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
    );
    // constant g: exp_avg_t = g·(1 − 0.9^t), so m = g; exp_avg_sq_t = g²·(1 − 0.9^t), so
    // adaptive = √bc2 / (√(g²·bc2) + ε) = 1/|g| (ε = 1e-8 is far below f32 resolution here)
    // rho_inf = 2/0.1 − 1 = 19; rho_t = 19 − 2t·0.9^t/(1 − 0.9^t):
    // 1, 1.947, 2.860, 3.737, 4.581 (≤ 5), then rho_6 = 5.3896
    // steps 1-5: p = 1 − 5·0.1·0.5 = 0.75
    close(run[4]?.p as number, 0.75, 1e-6);
    // rect_6 = √((5.3896 − 4)(5.3896 − 2)·19 / (15·17·5.3896)) = 0.25517681; p = 0.75 − 0.025517681
    close(run[5]?.p as number, 0.75 - 0.1 * 0.2551768065466866, 1e-6);
    // rho_7 = 6.1648, rect_7 = 0.33010702
    close(run[6]?.p as number, 0.75 - 0.1 * (0.2551768065466866 + 0.33010701906068685), 1e-6);
  });
  it('decoupledWeightDecay 0.1: p·(1 − 0.01) first; L2 weightDecay 0.1: g = g + 0.1·p', () => {
    const [a] = trace((p) => new RAdamReference(p, { lr: 0.1 }) as never, 0.99, [0.5]);
    const [b] = trace(
      (p) =>
        new RAdamReference(p, { lr: 0.1, weightDecay: 0.1, decoupledWeightDecay: true }) as never,
      1,
      [0.5],
    );
    expect(b?.p).toBe(a?.p);
    const [c] = trace((p) => new RAdamReference(p, { lr: 0.1 }) as never, 1, [0.6]);
    const [d] = trace(
      (p) => new RAdamReference(p, { lr: 0.1, weightDecay: 0.1 }) as never,
      1,
      [0.5],
    );
    expect(d?.p).toBe(c?.p);
  });
});

describe('RAdam identities', () => {
  it('the rectified branch starts where rho_t first exceeds 5, on the host and on the GPU', () => {
    // With a GradScaler, rho_t is computed in f32 on the GPU: for t ≤ 256 as the weighted mean
    // Σ(2s + 1)·beta2^s / Σ beta2^s (no cancellation), later as rho_inf − 2t·beta2^t/(1 −
    // beta2^t), a difference of two numbers near rho_inf with about one ULP of rho_inf of
    // error, which is small next to rho_t by then. rect's worst relative error over t ≤ 20000,
    // measured: 4.7e-7 (beta2 0.9), 3.4e-7 (0.99), 4.8e-7 (0.999), 5.1e-6 (0.9999, at t = 267,
    // just past the sum); the branch never differs. (The first form alone: 2.3e-4 for 0.9999.)
    const bounds: [number, number][] = [
      [0.9, 1e-6],
      [0.99, 1e-6],
      [0.999, 1e-6],
      [0.9999, 1e-5],
    ];
    for (const [beta2, bound] of bounds) {
      const o = { ...DEFAULTS.radam, betas: [0.9, beta2] as const };
      for (let t = 1; t <= 3000; t++) {
        const host = radamScalars(o, t);
        const gpu = scalerRadamFields(o.betas, t);
        expect(gpu.rectified, `beta2 ${beta2} step ${t}`).toBe(host.rectified);
        if (host.rectified) close(gpu.rect, host.rect, bound);
      }
    }
    // beta2 = 0.999: steps 1-5 unrectified (rho_5 = 4.99…), 6 rectified (rho_6 = 5.99…)
    expect(radamScalars(DEFAULTS.radam, 5).rectified).toBe(0);
    expect(radamScalars(DEFAULTS.radam, 6).rectified).toBe(1);
  });
  it('rect → 1 as t grows, so late RAdam steps approach Adam without ε inside', () => {
    const late = radamScalars(DEFAULTS.radam, 1_000_000);
    close(late.rect, 1, 1e-3);
  });
  it('beta2 ≤ 0.6 never rectifies (rho_inf ≤ 4): RAdam is then momentum SGD throughout', () => {
    for (let t = 1; t < 1000; t++) {
      expect(radamScalars({ ...DEFAULTS.radam, betas: [0.9, 0.6] }, t).rectified).toBe(0);
    }
  });
});
