/**
 * Hand-derived golden steps for every algorithm and every option, with the arithmetic in the
 * comments (in f64, from PyTorch's formulas in torch/optim/*.py). The reference computes in
 * f32, so values near 1 agree to about 1e-7; `close` allows 2e-7 relative plus 1e-9 absolute.
 */
import { describe, expect, it } from 'vitest';
import {
  AdagradReference,
  AdamReference,
  AdamWReference,
  AdamaxReference,
  AdadeltaReference,
  LionReference,
  RMSpropReference,
  SGDReference,
  type StateName,
} from '../../src/reference/index.ts';
import type { ReferenceOptimizer } from '../../src/reference/optimizer.ts';
import type { Algorithm } from '../../src/options/types.ts';

function close(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(2e-7 * Math.abs(expected) + 1e-9);
}

/** Runs one single-element tensor from p0 through `grads`; returns p and state after each step. */
function trace<A extends Algorithm>(
  make: (p: Float32Array[]) => ReferenceOptimizer<A>,
  p0: number,
  grads: number[],
): { p: number; state: Partial<Record<StateName, number>> }[] {
  const p = new Float32Array([p0]);
  const opt = make([p]);
  return grads.map((g) => {
    opt.step([new Float32Array([g])]);
    const s = opt.stateDict().state[0] ?? { step: 0 };
    const state: Partial<Record<StateName, number>> = {};
    for (const [k, v] of Object.entries(s))
      if (v instanceof Float32Array) state[k as StateName] = v[0];
    return { p: p[0] as number, state };
  });
}

describe('SGD goldens (p0 = 1, g = 0.5, lr = 0.1)', () => {
  it('plain: p = 1 − 0.1·0.5 = 0.95', () => {
    const [s1] = trace((p) => new SGDReference(p, { lr: 0.1 }), 1, [0.5]);
    close(s1?.p as number, 0.95);
    expect(s1?.state).toEqual({}); // no momentum_buffer without momentum
  });
  it('weightDecay 0.1: g = 0.5 + 0.1·1 = 0.6; p = 1 − 0.06 = 0.94', () => {
    const [s1] = trace((p) => new SGDReference(p, { lr: 0.1, weightDecay: 0.1 }), 1, [0.5]);
    close(s1?.p as number, 0.94);
  });
  it('maximize: g = −0.5; p = 1 + 0.05 = 1.05', () => {
    const [s1] = trace((p) => new SGDReference(p, { lr: 0.1, maximize: true }), 1, [0.5]);
    close(s1?.p as number, 1.05);
  });
  it('momentum 0.9: buf copies g on step 1, then buf = 0.9·buf + g', () => {
    const [s1, s2, s3] = trace(
      (p) => new SGDReference(p, { lr: 0.1, momentum: 0.9 }),
      1,
      [0.5, 0.5, 0.5],
    );
    // step 1: buf = 0.5;                    p = 1 − 0.05 = 0.95
    close(s1?.state.momentum_buffer as number, 0.5);
    close(s1?.p as number, 0.95);
    // step 2: buf = 0.9·0.5 + 0.5 = 0.95;    p = 0.95 − 0.095 = 0.855
    close(s2?.state.momentum_buffer as number, 0.95);
    close(s2?.p as number, 0.855);
    // step 3: buf = 0.9·0.95 + 0.5 = 1.355;  p = 0.855 − 0.1355 = 0.7195
    close(s3?.state.momentum_buffer as number, 1.355);
    close(s3?.p as number, 0.7195);
  });
  it('dampening 0.5: not applied on step 1; then buf = 0.9·buf + 0.5·g', () => {
    const [s1, s2, s3] = trace(
      (p) => new SGDReference(p, { lr: 0.1, momentum: 0.9, dampening: 0.5 }),
      1,
      [0.5, 0.5, 0.5],
    );
    // step 1: buf = 0.5 (PyTorch clones g);  p = 0.95
    close(s1?.state.momentum_buffer as number, 0.5);
    close(s1?.p as number, 0.95);
    // step 2: buf = 0.45 + 0.25 = 0.7;       p = 0.95 − 0.07 = 0.88
    close(s2?.state.momentum_buffer as number, 0.7);
    close(s2?.p as number, 0.88);
    // step 3: buf = 0.63 + 0.25 = 0.88;      p = 0.88 − 0.088 = 0.792
    close(s3?.p as number, 0.792);
  });
  it('nesterov: g = g + 0.9·buf', () => {
    const [s1, s2] = trace(
      (p) => new SGDReference(p, { lr: 0.1, momentum: 0.9, nesterov: true }),
      1,
      [0.5, 0.5],
    );
    // step 1: buf = 0.5;  g = 0.5 + 0.45 = 0.95;   p = 1 − 0.095 = 0.905
    close(s1?.p as number, 0.905);
    // step 2: buf = 0.95; g = 0.5 + 0.855 = 1.355; p = 0.905 − 0.1355 = 0.7695
    close(s2?.state.momentum_buffer as number, 0.95);
    close(s2?.p as number, 0.7695);
  });
  it('momentum with weight decay: decay is added before the buffer', () => {
    const [s1, s2] = trace(
      (p) => new SGDReference(p, { lr: 0.1, momentum: 0.9, weightDecay: 0.1 }),
      1,
      [0.5, 0.5],
    );
    // step 1: g = 0.5 + 0.1·1 = 0.6;     buf = 0.6;                  p = 1 − 0.06 = 0.94
    close(s1?.p as number, 0.94);
    // step 2: g = 0.5 + 0.1·0.94 = 0.594; buf = 0.54 + 0.594 = 1.134; p = 0.94 − 0.1134 = 0.8266
    close(s2?.state.momentum_buffer as number, 1.134);
    close(s2?.p as number, 0.8266);
  });
});

describe('Adagrad goldens (p0 = 1, g = 0.5, lr = 0.1)', () => {
  it('defaults: sum from 0, eps 1e-10 outside the root', () => {
    const [s1, s2] = trace((p) => new AdagradReference(p, { lr: 0.1 }), 1, [0.5, 0.5]);
    // step 1: sum = 0.25; std = 0.5 + 1e-10;        p = 1 − 0.1·0.5/0.5 = 0.9
    close(s1?.state.sum as number, 0.25);
    close(s1?.p as number, 0.9);
    // step 2: sum = 0.5;  std = √0.5 = 0.70710678;  p = 0.9 − 0.05/0.70710678 = 0.82928932
    close(s2?.state.sum as number, 0.5);
    close(s2?.p as number, 0.8292893219);
  });
  it('lrDecay 0.5: clr = 0.1 / (1 + (t − 1)·0.5)', () => {
    const [, s2] = trace((p) => new AdagradReference(p, { lr: 0.1, lrDecay: 0.5 }), 1, [0.5, 0.5]);
    // step 2: clr = 0.1/1.5 = 0.0666667; p = 0.9 − 0.0666667·0.5/0.70710678 = 0.85285955
    close(s2?.p as number, 0.8528595479);
  });
  it('TF.js form: initialAccumulatorValue 0.1, eps 1e-7 inside the root', () => {
    const [s1, s2] = trace(
      (p) =>
        new AdagradReference(p, {
          lr: 0.1,
          initialAccumulatorValue: 0.1,
          eps: 1e-7,
          epsInsideSqrt: true,
        }),
      1,
      [0.5, 0.5],
    );
    // step 1: sum = 0.1 + 0.25 = 0.35; p = 1 − 0.05/√0.3500001 = 1 − 0.0845154 = 0.91548459
    close(s1?.state.sum as number, 0.35);
    close(s1?.p as number, 0.9154845866);
    // step 2: sum = 0.6;               p = 0.91548459 − 0.05/√0.6000001 = 0.85093487
    close(s2?.p as number, 0.8509348695);
  });
  it('weightDecay 0.1 with maximize: g = −0.5 + 0.1·p', () => {
    const [s1, s2] = trace(
      (p) => new AdagradReference(p, { lr: 0.1, weightDecay: 0.1, maximize: true }),
      1,
      [0.5, 0.5],
    );
    // step 1: g = −0.5 + 0.1 = −0.4; sum = 0.16; p = 1 + 0.1·0.4/0.4 = 1.1
    close(s1?.state.sum as number, 0.16);
    close(s1?.p as number, 1.1);
    // step 2: g = −0.5 + 0.11 = −0.39; sum = 0.16 + 0.1521 = 0.3121; p = 1.1 + 0.039/√0.3121 = 1.16981001
    close(s2?.state.sum as number, 0.3121);
    close(s2?.p as number, 1.1698100136);
  });
});

describe('RMSprop goldens (p0 = 1, g = 0.5 then 0.25, lr = 0.01, alpha = 0.9)', () => {
  const base = { lr: 0.01, alpha: 0.9 };
  it('plain: avg = √square_avg + eps', () => {
    const [s1, s2] = trace((p) => new RMSpropReference(p, base), 1, [0.5, 0.25]);
    // step 1: sq = 0.1·0.25 = 0.025; avg = 0.15811388; p = 1 − 0.01·0.5/0.15811388 = 0.96837723
    close(s1?.state.square_avg as number, 0.025);
    close(s1?.p as number, 0.9683772254);
    // step 2: sq = 0.0225 + 0.1·0.0625 = 0.02875; avg = 0.16955825; p = 0.96837723 − 0.0147442 = 0.95363303
    close(s2?.state.square_avg as number, 0.02875);
    close(s2?.p as number, 0.9536330307);
  });
  it('centered: v = square_avg − grad_avg²', () => {
    const [s1, s2] = trace(
      (p) => new RMSpropReference(p, { ...base, centered: true }),
      1,
      [0.5, 0.25],
    );
    // step 1: ga = 0.05; v = 0.025 − 0.0025 = 0.0225; avg = 0.15; p = 1 − 0.005/0.15 = 0.96666667
    close(s1?.state.grad_avg as number, 0.05);
    close(s1?.p as number, 0.9666666689);
    // step 2: ga = 0.045 + 0.025 = 0.07; v = 0.02875 − 0.0049 = 0.02385; p = 0.96666667 − 0.0025/0.15443445 = 0.95047857
    close(s2?.state.grad_avg as number, 0.07);
    close(s2?.p as number, 0.9504785722);
  });
  it('momentum 0.9: buf = 0.9·buf + g/avg; p −= lr·buf', () => {
    const [s1, s2] = trace(
      (p) => new RMSpropReference(p, { ...base, momentum: 0.9 }),
      1,
      [0.5, 0.25],
    );
    // step 1: buf = 0.5/0.15811388 = 3.16227746; p = 1 − 0.0316227746 = 0.96837723
    close(s1?.state.momentum_buffer as number, 3.1622774602);
    close(s1?.p as number, 0.9683772254);
    // step 2: buf = 2.84604971 + 0.25/0.16955825 = 4.32046919; p = 0.96837723 − 0.0432046919 = 0.92517253
    close(s2?.state.momentum_buffer as number, 4.3204691887);
    close(s2?.p as number, 0.9251725335);
  });
  it('epsInsideSqrt with eps 1e-4: avg = √(square_avg + eps)', () => {
    const [s1, s2] = trace(
      (p) => new RMSpropReference(p, { ...base, eps: 1e-4, epsInsideSqrt: true }),
      1,
      [0.5, 0.25],
    );
    // step 1: avg = √0.0251 = 0.15842980; p = 1 − 0.005/0.15842980 = 0.96844028
    close(s1?.p as number, 0.9684402798);
    // step 2: avg = √0.02885 = 0.16985288; p = 0.96844028 − 0.0025/0.16985288 = 0.95372166
    close(s2?.p as number, 0.9537216596);
  });
  it('weightDecay 0.1 with maximize', () => {
    const [s1, s2] = trace(
      (p) => new RMSpropReference(p, { ...base, weightDecay: 0.1, maximize: true }),
      1,
      [0.5, 0.25],
    );
    // step 1: g = −0.5 + 0.1 = −0.4; sq = 0.016; p = 1 + 0.004/0.12649111 = 1.03162277
    close(s1?.state.square_avg as number, 0.016);
    close(s1?.p as number, 1.0316227741);
    // step 2: g = −0.25 + 0.103162277 = −0.146837723; sq = 0.0144 + 0.1·0.021561 = 0.01655613
    close(s2?.state.square_avg as number, 0.0165561317);
    close(s2?.p as number, 1.0430346797);
  });
});

describe('Adam goldens (p0 = 1, g = 0.5 then 0.25, lr = 0.1, betas (0.9, 0.999))', () => {
  it('defaults: bias-corrected, eps 1e-8 outside the root', () => {
    const [s1, s2] = trace((p) => new AdamReference(p, { lr: 0.1 }), 1, [0.5, 0.25]);
    // step 1: m = 0.05, v = 0.00025; m̂ = 0.5, √v̂ = 0.5; p = 1 − 0.1·0.5/(0.5 + 1e-8) = 0.9
    close(s1?.state.exp_avg as number, 0.05);
    close(s1?.state.exp_avg_sq as number, 0.00025);
    close(s1?.p as number, 0.900000002);
    // step 2: m = 0.045 + 0.025 = 0.07; v = 0.00024975 + 0.0000625 = 0.00031225
    //         step_size = 0.1/0.19; denom = √0.00031225/√0.001999 = 0.39522; p = 0.9 − 0.0932180 = 0.80678204
    close(s2?.state.exp_avg as number, 0.07);
    close(s2?.state.exp_avg_sq as number, 0.00031225);
    close(s2?.p as number, 0.8067820405);
  });
  it('amsgrad keeps the max of the uncorrected exp_avg_sq (beta2 = 0.5 so v falls)', () => {
    const [s1, s2] = trace(
      (p) => new AdamReference(p, { lr: 0.1, betas: [0.9, 0.5], amsgrad: true }),
      1,
      [1, 0.1],
    );
    // step 1: m = 0.1, v = 0.5, vmax = 0.5; m̂ = 1, v̂ = 1; p = 0.9
    close(s1?.state.max_exp_avg_sq as number, 0.5);
    close(s1?.p as number, 0.900000001);
    // step 2: m = 0.09 + 0.01 = 0.1; v = 0.25 + 0.005 = 0.255; vmax stays 0.5
    //         denom = √0.5/√0.75 = 0.81649658; p = 0.9 − (0.1/0.19)·0.1/0.81649658 = 0.83553975
    close(s2?.state.exp_avg_sq as number, 0.255);
    close(s2?.state.max_exp_avg_sq as number, 0.5);
    close(s2?.p as number, 0.8355397454);
  });
  it('without amsgrad the same run uses v = 0.255', () => {
    const [, s2] = trace((p) => new AdamReference(p, { lr: 0.1, betas: [0.9, 0.5] }), 1, [1, 0.1]);
    // denom = √0.255/√0.75 = 0.58309519; p = 0.9 − 0.52631579·0.1/0.58309519 = 0.80973759
    close(s2?.p as number, 0.8097375893);
  });
  it('weightDecay 0.1 is L2: g = g + 0.1·p', () => {
    const [s1, s2] = trace(
      (p) => new AdamReference(p, { lr: 0.1, weightDecay: 0.1 }),
      1,
      [0.5, 0.25],
    );
    // step 1: g = 0.6; m = 0.06, v = 0.00036; p = 1 − 0.1·0.6/(0.6 + 1e-8) = 0.9
    close(s1?.state.exp_avg as number, 0.06);
    close(s1?.p as number, 0.9000000017);
    // step 2: g = 0.25 + 0.09 = 0.34; m = 0.054 + 0.034 = 0.088; v = 0.00035964 + 0.0001156 = 0.00047524
    close(s2?.state.exp_avg as number, 0.088);
    close(s2?.p as number, 0.8050097659);
  });
  it('maximize: the gradient is negated', () => {
    const [, s2] = trace((p) => new AdamReference(p, { lr: 0.1, maximize: true }), 1, [0.5, 0.25]);
    // mirror image of the default run: p = 1 + (1 − 0.80678204) = 1.19321796
    close(s2?.state.exp_avg as number, -0.07);
    close(s2?.p as number, 1.1932179595);
  });
  it('epsInsideSqrt with eps 1e-3: denom = √(v/bc2 + eps)', () => {
    const [s1, s2] = trace(
      (p) => new AdamReference(p, { lr: 0.1, eps: 1e-3, epsInsideSqrt: true }),
      1,
      [0.5, 0.25],
    );
    // step 1: v̂ = 0.25; denom = √0.251 = 0.50099900; p = 1 − 0.1·0.5/0.500999 = 0.90019940
    close(s1?.p as number, 0.900199402);
    // step 2: v̂ = 0.00031225/0.001999 = 0.15620310; denom = √0.15720310 = 0.39648846
    //         p = 0.9001994 − (0.1/0.19)·0.07/0.39648846 = 0.80727840
    close(s2?.p as number, 0.8072784001);
  });
});

describe('AdamW goldens (p0 = 1, g = 0.5 then 0.25, lr = 0.1)', () => {
  it('default weightDecay 0.01 is decoupled: p = p·(1 − 0.1·0.01) before the update', () => {
    const [s1, s2] = trace((p) => new AdamWReference(p, { lr: 0.1 }), 1, [0.5, 0.25]);
    // step 1: p = 0.999; p = 0.999 − 0.1 = 0.899
    close(s1?.p as number, 0.899000002);
    // step 2: p = 0.899·0.999 = 0.898101; p = 0.898101 − 0.0932180 = 0.80488304
    close(s2?.p as number, 0.8048830405);
    // the moments do not see the decay: they equal Adam's
    close(s2?.state.exp_avg as number, 0.07);
  });
  it('weightDecay 0.1', () => {
    const [s1, s2] = trace(
      (p) => new AdamWReference(p, { lr: 0.1, weightDecay: 0.1 }),
      1,
      [0.5, 0.25],
    );
    // step 1: p = 0.99 − 0.1 = 0.89; step 2: p = 0.89·0.99 − 0.0932180 = 0.78788204
    close(s1?.p as number, 0.890000002);
    close(s2?.p as number, 0.7878820405);
  });
});

describe('Adamax goldens (p0 = 1, g = 0.5 then 0.25, lr = 0.1, betas (0.9, 0.999), eps 1e-8)', () => {
  it('defaults: clr = lr/(1 − β1^t), exp_inf = max(β2·exp_inf, |g| + eps)', () => {
    const [s1, s2] = trace((p) => new AdamaxReference(p, { lr: 0.1 }), 1, [0.5, 0.25]);
    // step 1: m = 0.05; u = max(0, 0.5 + 1e-8) = 0.50000001; clr = 0.1/0.1 = 1
    //         p = 1 − 1·0.05/0.50000001 = 0.900000002
    close(s1?.state.exp_avg as number, 0.05);
    close(s1?.state.exp_inf as number, 0.50000001);
    close(s1?.p as number, 0.900000002);
    // step 2: m = 0.045 + 0.025 = 0.07; u = max(0.999·0.50000001, 0.25000001) = 0.49950001
    //         clr = 0.1/0.19 = 0.52631579; p = 0.900000002 − 0.52631579·0.07/0.49950001 = 0.82624204
    close(s2?.state.exp_avg as number, 0.07);
    close(s2?.state.exp_inf as number, 0.49950001);
    close(s2?.p as number, 0.826242035);
  });
  it('exp_inf decays by β2 until |g| + eps exceeds it (β2 = 0.5, g = 1 then 0.1)', () => {
    const [s1, s2] = trace(
      (p) => new AdamaxReference(p, { lr: 0.1, betas: [0.9, 0.5] }),
      1,
      [1, 0.1],
    );
    // step 1: m = 0.1, u = 1.00000001; p = 1 − 0.1/1.00000001 = 0.900000001
    close(s1?.state.exp_inf as number, 1.00000001);
    close(s1?.p as number, 0.900000001);
    // step 2: m = 0.09 + 0.01 = 0.1; u = max(0.5·1.00000001, 0.10000001) = 0.500000005
    //         p = 0.900000001 − 0.52631579·0.1/0.500000005 = 0.79473684
    close(s2?.state.exp_inf as number, 0.500000005);
    close(s2?.p as number, 0.7947368442);
  });
  it('weightDecay 0.1 is L2: g = g + 0.1·p', () => {
    const [s1, s2] = trace(
      (p) => new AdamaxReference(p, { lr: 0.1, weightDecay: 0.1 }),
      1,
      [0.5, 0.25],
    );
    // step 1: g = 0.6; m = 0.06, u = 0.60000001; p = 1 − 0.06/0.60000001 = 0.9000000017
    close(s1?.state.exp_inf as number, 0.60000001);
    close(s1?.p as number, 0.9000000017);
    // step 2: g = 0.25 + 0.09 = 0.34; m = 0.054 + 0.034 = 0.088; u = 0.999·0.60000001 = 0.59940001
    //         p = 0.9 − 0.52631579·0.088/0.59940001 = 0.82272975
    close(s2?.state.exp_avg as number, 0.088);
    close(s2?.state.exp_inf as number, 0.59940001);
    close(s2?.p as number, 0.8227297502);
  });
  it('maximize: the gradient is negated (exp_inf keeps |g|)', () => {
    const [, s2] = trace(
      (p) => new AdamaxReference(p, { lr: 0.1, maximize: true }),
      1,
      [0.5, 0.25],
    );
    // the mirror image of the default run: p = 1 + (1 − 0.82624204) = 1.17375797
    close(s2?.state.exp_avg as number, -0.07);
    close(s2?.state.exp_inf as number, 0.49950001);
    close(s2?.p as number, 1.173757965);
  });
});

describe('Adadelta goldens (p0 = 1, g = 0.5 then 0.25, lr = 1, rho = 0.9, eps = 1e-6)', () => {
  it('defaults: delta = √(acc_delta + eps)/√(square_avg + eps)·g', () => {
    const [s1, s2] = trace((p) => new AdadeltaReference(p), 1, [0.5, 0.25]);
    // step 1: square_avg = 0.1·0.25 = 0.025; delta = √1e-6/√0.025001·0.5 = 0.0031622144
    //         acc_delta = 0.1·delta² = 9.9996e-7; p = 1 − 0.0031622144 = 0.99683778558
    close(s1?.state.square_avg as number, 0.025);
    close(s1?.state.acc_delta as number, 9.999600016e-7);
    close(s1?.p as number, 0.996837785583);
    // step 2: square_avg = 0.0225 + 0.00625 = 0.02875
    //         delta = √(9.9996e-7 + 1e-6)/√0.028751·0.25 = 0.0020850870
    //         acc_delta = 0.9·9.9996e-7 + 0.1·delta² = 1.3347228e-6; p = 0.99475269856
    close(s2?.state.square_avg as number, 0.02875);
    close(s2?.state.acc_delta as number, 1.334722793e-6);
    close(s2?.p as number, 0.994752698556);
  });
  it('weightDecay 0.1 is L2: g = g + 0.1·p', () => {
    const [s1, s2] = trace((p) => new AdadeltaReference(p, { weightDecay: 0.1 }), 1, [0.5, 0.25]);
    // step 1: g = 0.6; square_avg = 0.036; delta = √1e-6/√0.036001·0.6 = 0.0031622337
    close(s1?.state.square_avg as number, 0.036);
    close(s1?.p as number, 0.996837766259);
    // step 2: g = 0.25 + 0.1·0.99683777 = 0.34968378; square_avg = 0.0324 + 0.0122278749 = 0.0446278744
    close(s2?.state.square_avg as number, 0.04462787436);
    close(s2?.state.acc_delta as number, 1.447947797e-6);
    close(s2?.p as number, 0.994496884383);
  });
  it('maximize: the gradient is negated (the accumulators see g²)', () => {
    const [, s2] = trace((p) => new AdadeltaReference(p, { maximize: true }), 1, [0.5, 0.25]);
    // the mirror image of the default run: p = 1 + (1 − 0.99475269856) = 1.00524730144
    close(s2?.state.square_avg as number, 0.02875);
    close(s2?.p as number, 1.005247301444);
  });
  it('lr 0.5, rho 0.5, eps 1e-4: p −= lr·delta', () => {
    const [s1, s2] = trace(
      (p) => new AdadeltaReference(p, { lr: 0.5, rho: 0.5, eps: 1e-4 }),
      1,
      [0.5, 0.25],
    );
    // step 1: square_avg = 0.125; delta = 0.01/√0.1251·0.5 = 0.014136482; p = 1 − 0.5·delta
    close(s1?.state.acc_delta as number, 9.992006395e-5);
    close(s1?.p as number, 0.992931758919);
    // step 2: square_avg = 0.0625 + 0.03125 = 0.09375; delta = √1.9992e-4/√0.09385·0.25 = 0.011538545
    close(s2?.state.square_avg as number, 0.09375);
    close(s2?.p as number, 0.987162486246);
  });
});

describe('Lion goldens (p0 = 1, lr = 0.1, betas (0.9, 0.99))', () => {
  it('p −= lr·sign(β1·m + (1 − β1)·g); then m = β2·m + (1 − β2)·g', () => {
    const [s1, s2, s3] = trace((p) => new LionReference(p, { lr: 0.1 }), 1, [0.5, -0.25, -0.01]);
    // step 1: c = 0.1·0.5 = 0.05 > 0: p = 1 − 0.1 = 0.9; m = 0.01·0.5 = 0.005
    close(s1?.p as number, 0.9);
    close(s1?.state.exp_avg as number, 0.005);
    // step 2: c = 0.9·0.005 − 0.1·0.25 = −0.0205 < 0: p = 0.9 + 0.1 = 1; m = 0.00495 − 0.0025
    close(s2?.p as number, 1);
    close(s2?.state.exp_avg as number, 0.00245);
    // step 3: c = 0.9·0.00245 − 0.1·0.01 = 0.001205 > 0: the momentum outvotes the gradient,
    //         p = 0.9; m = 0.0024255 − 0.0001 = 0.0023255
    close(s3?.p as number, 0.9);
    close(s3?.state.exp_avg as number, 0.0023255);
  });
  it('weightDecay 0.5 is decoupled: p = p·(1 − 0.1·0.5) before the step', () => {
    const [s1] = trace((p) => new LionReference(p, { lr: 0.1, weightDecay: 0.5 }), 1, [0.5]);
    // p = 1·0.95 − 0.1 = 0.85; m does not see the decay: 0.005
    close(s1?.p as number, 0.85);
    close(s1?.state.exp_avg as number, 0.005);
  });
  it('maximize: the gradient is negated', () => {
    const [s1] = trace((p) => new LionReference(p, { lr: 0.1, maximize: true }), 1, [0.5]);
    // c = −0.05: p = 1 + 0.1 = 1.1; m = −0.005
    close(s1?.p as number, 1.1);
    close(s1?.state.exp_avg as number, -0.005);
  });
  it('a zero interpolation does not move the param (sign(0) = 0)', () => {
    const [s1] = trace((p) => new LionReference(p, { lr: 0.1 }), 1, [0]);
    expect(s1?.p).toBe(1);
    expect(s1?.state.exp_avg).toBe(0);
  });
});

// Every option at its default (no option passed but lr where the test needs one), so a changed
// default moves these numbers. The gradients of the ε tests are small enough that ε is a
// sizeable part of the denominator.
/** For values far below 1, where close()'s 1e-9 absolute term would accept anything: a few
 * f32 roundings (each ≤ 2^-24 relative) of the value itself, 4e-7 relative. */
function closeRel(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(4e-7 * Math.abs(expected));
}
describe('goldens with every option at its default', () => {
  it('SGD with no options: lr 1e-3, p = 1 − 1e-3·0.5 = 0.9995', () => {
    const [s1] = trace((p) => new SGDReference(p, {}), 1, [0.5]);
    close(s1?.p as number, 0.9995);
    expect(s1?.state).toEqual({});
  });
  it('RMSprop with only lr 0.01: alpha 0.99', () => {
    const [s1, s2] = trace((p) => new RMSpropReference(p, { lr: 0.01 }), 1, [0.5, 0.25]);
    // step 1: square_avg = 0.01·0.25 = 0.0025; avg = 0.05 + 1e-8; p = 1 − 0.01·0.5/0.05 = 0.9
    //         (alpha 0.9 would give square_avg 0.025 and p = 0.968)
    close(s1?.state.square_avg as number, 0.0025);
    close(s1?.p as number, 0.90000002);
    // step 2: square_avg = 0.99·0.0025 + 0.01·0.0625 = 0.0031; avg = 0.0556776536;
    //         p = 0.9 − 0.01·0.25/0.0556776536 = 0.8550987026
    close(s2?.state.square_avg as number, 0.0031);
    close(s2?.p as number, 0.8550987026);
    expect(Object.keys(s2?.state ?? {})).toEqual(['square_avg']);
  });
  it('RMSprop with only lr 0.01 and g = 1e-4: ε 1e-8 outside the root', () => {
    const [s1, s2] = trace((p) => new RMSpropReference(p, { lr: 0.01 }), 1, [1e-4, 1e-4]);
    // step 1: square_avg = 0.01·1e-8 = 1e-10; avg = 1e-5 + 1e-8 = 1.001e-5;
    //         p = 1 − 0.01·1e-4/1.001e-5 = 1 − 0.0999000999 = 0.9000999001 (0.9 without ε)
    close(s1?.p as number, 0.9000999001);
    // step 2: square_avg = 0.99e-10 + 1e-10 = 1.99e-10; avg = 1.41067e-5 + 1e-8 = 1.41167e-5;
    //         p = 0.9000999001 − 0.01·7.0837905 = 0.8292619953
    close(s2?.p as number, 0.8292619953);
    closeRel(s2?.state.square_avg as number, 1.99e-10);
  });
  it('Adam with no options and g = 1e-8 then 3e-8: lr 1e-3, betas (0.9, 0.999), ε 1e-8', () => {
    const [s1, s2] = trace((p) => new AdamReference(p, {}), 1, [1e-8, 3e-8]);
    // step 1: m̂ = g = 1e-8, √v̂ = 1e-8; denom = 1e-8 + ε = 2e-8; p = 1 − 1e-3·0.5 = 0.9995
    close(s1?.p as number, 0.9995);
    // step 2: m = 0.9e-9 + 3e-9 = 3.9e-9, m̂ = 3.9e-9/0.19 = 2.0526316e-8;
    //         v = 0.999e-19 + 9e-19 = 9.999e-19, √(v/0.001999) = 2.2365154e-8;
    //         denom = 3.2365154e-8; p = 0.9995 − 1e-3·0.6342105/… = 0.9988657896
    closeRel(s2?.state.exp_avg as number, 3.9e-9);
    closeRel(s2?.state.exp_avg_sq as number, 9.999e-19);
    close(s2?.p as number, 0.9988657896);
    expect(Object.keys(s2?.state ?? {}).sort()).toEqual(['exp_avg', 'exp_avg_sq']);
  });
  it('Adagrad with no options and g = 1e-10: lr 1e-2, sum from 0, ε 1e-10 outside the root', () => {
    const [s1, s2] = trace((p) => new AdagradReference(p, {}), 1, [1e-10, 1e-10]);
    // step 1: sum = 1e-20; std = 1e-10 + 1e-10 = 2e-10; p = 1 − 0.01·0.5 = 0.995
    closeRel(s1?.state.sum as number, 1e-20);
    close(s1?.p as number, 0.995);
    // step 2: sum = 2e-20; std = 1.41421356e-10 + 1e-10; p = 0.995 − 0.01·0.41421356 = 0.9908578644
    close(s2?.p as number, 0.9908578644);
  });
});
