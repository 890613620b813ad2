/**
 * 16-bit optimizer state on the CPU reference: golden steps (arithmetic in the comments, in
 * f64 with numpy.float16 / bf16 rounding), the ε guard against the optax #1754 failure, the
 * error against f32 state after 1000 steps on a quadratic, and state dicts.
 */
import { describe, expect, it } from 'vitest';
import {
  AdagradReference,
  AdamReference,
  ReferenceOptimizer,
  SGDReference,
  adamKernel,
  adamScalars,
  roundToF16,
  type StateDtype,
} from '../../src/reference/index.ts';
import { roundScalars } from '../../src/reference/f32.ts';
import { DEFAULTS } from '../../src/options/defaults.ts';
import { deserializeStateDict, serializeStateDict } from '../../src/options/checkpoint.ts';
import type { Algorithm, OptionsByAlgorithm } from '../../src/options/types.ts';
import { Adam, SGD } from '../../src/index.ts';
import { fakeDevice } from './fakeDevice.ts';

function close(actual: number, expected: number, rel = 2e-7): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-9);
}

describe('golden steps with 16-bit state', () => {
  it('Adam, f16 state: p0 = 1, g = 0.5 twice, lr = 0.1, default betas and eps', () => {
    const p = new Float32Array([1]);
    const opt = new AdamReference([p], { lr: 0.1, stateDtype: 'f16' });
    // ε = max(1e-8, 2^-12) = 2.44140625e-4 (the f16 floor outside the square root).
    // step 1: exp_avg = 0 + 0.1·(0.5 − 0) = 0.05 → stored f16 0.04998779296875 (0x2a66)
    //   exp_avg_sq = 0.001·0.25 = 0.00025 → stored f16 2.5010108947753906e-4
    //   denom = sqrt(0.00025)/sqrt(0.001) + 2^-12 = 0.500244140625 (unrounded v, as in registers)
    //   p = 1 − (0.1/0.1)·0.05/0.500244140625 = 0.9000488042947778
    opt.step([new Float32Array([0.5])]);
    let s = opt.stateDict().state[0];
    expect(s?.exp_avg?.[0]).toBe(0.04998779296875);
    expect(s?.exp_avg_sq?.[0]).toBe(2.5010108947753906e-4);
    close(p[0] as number, 0.9000488042947778);
    // step 2: exp_avg = 0.04998779296875 + 0.1·(0.5 − 0.04998779296875) = 0.094989013671875
    //   → f16 0.094970703125; exp_avg_sq = 0.999·2.5010108947753906e-4 + 0.00025
    //   = 4.998509883880615e-4 → f16 4.99725341796875e-4
    //   denom = sqrt(4.998509883880615e-4)/sqrt(1 − 0.999²) + 2^-12 = 0.5002946575268037
    //   p = 0.9000488042947778 − (0.1/0.19)·0.094989013671875/0.5002946575268037
    //     = 0.8001192588361378
    opt.step([new Float32Array([0.5])]);
    s = opt.stateDict().state[0];
    expect(s?.exp_avg?.[0]).toBe(0.094970703125);
    expect(s?.exp_avg_sq?.[0]).toBe(4.99725341796875e-4);
    close(p[0] as number, 0.8001192588361378);
  });

  it('SGD momentum 0.9, bf16 state: p0 = 1, g = 0.3 twice, lr = 0.1', () => {
    const p = new Float32Array([1]);
    const opt = new SGDReference([p], { lr: 0.1, momentum: 0.9, stateDtype: 'bf16' });
    // step 1: buf = g = 0.3 (f32 0x3e99999a) → bf16 0x3e9a = 0.30078125 (the nearer of
    //   0.298828125 and 0.30078125); p = 1 − 0.1·0.3 = 0.97 (the unrounded buf)
    opt.step([new Float32Array([0.3])]);
    expect(opt.stateDict().state[0]?.momentum_buffer?.[0]).toBe(0.30078125);
    close(p[0] as number, 0.97);
    // step 2: buf = 0.9·0.30078125 + 0.3 = 0.570703125 → bf16 0.5703125;
    //   p = 0.97 − 0.1·0.570703125 = 0.9129296875
    opt.step([new Float32Array([0.3])]);
    expect(opt.stateDict().state[0]?.momentum_buffer?.[0]).toBe(0.5703125);
    close(p[0] as number, 0.9129296875);
  });

  it('rounds the initial accumulator: Adagrad initialAccumulatorValue 0.1 in f16', () => {
    const opt = new AdagradReference([new Float32Array(3)], {
      initialAccumulatorValue: 0.1,
      stateDtype: 'f16',
    });
    // 0.1 = 1.6·2^-4: mantissa 0.6·1024 = 614.4 → 614, so 2^-4·(1 + 614/1024) = 0.0999755859375
    expect([...(opt.stateDict().state[0]?.sum ?? [])]).toEqual([
      0.0999755859375, 0.0999755859375, 0.0999755859375,
    ]);
  });
});

describe('the ε guard (optax issue #1754: ε lost to 16-bit underflow)', () => {
  // Five gradients of 1e-3, then an exact 0 (a masked token, an unused embedding row).
  // (1 − β2)·g² = 1e-9 is below half the smallest f16 subnormal (2^-25 ≈ 3e-8), so f16
  // stores exp_avg_sq = 0 while exp_avg ≈ 4e-4 survives. On the zero-gradient step v = 0 in
  // registers too, and the update is step_size·exp_avg/ε.
  const grad = (t: number) => new Float32Array(8).fill(t < 5 ? 1e-3 : 0);
  const lr = 1e-3;

  /** |Δp| of the zero-gradient step (step 6) with the given ε handling. */
  function lastStep(stateDtype: StateDtype, guarded: boolean): number {
    const p = new Float32Array(8).fill(1);
    if (guarded) {
      const opt = new AdamReference([p], { lr, stateDtype });
      for (let t = 0; t < 5; t++) opt.step([grad(t)]);
      const before = p[0] as number;
      opt.step([grad(5)]);
      return Math.abs((p[0] as number) - before);
    }
    // The kernel twin with the raw ε = 1e-8 and f16 rounding: what the guard prevents.
    const m = new Float32Array(8);
    const v = new Float32Array(8);
    const o = { ...DEFAULTS.adam, lr };
    let before = 1;
    for (let t = 0; t < 6; t++) {
      before = p[0] as number;
      adamKernel(p, grad(t), m, v, undefined, roundScalars(adamScalars(o, t + 1)), {
        maximize: false,
        amsgrad: false,
        decoupled: false,
        epsInsideSqrt: false,
        store: roundToF16,
      });
    }
    expect(v[0]).toBe(0);
    return Math.abs((p[0] as number) - before);
  }

  it('without the guard, f16 state makes the zero-gradient step m/ε: thousands of lr', () => {
    // exp_avg ≈ 0.9·(1 − 0.9^5)·1e-3 ≈ 3.7e-4, step_size = lr/(1 − 0.9^6) ≈ 2.1e-3:
    // 2.1e-3·3.7e-4/1e-8 ≈ 77, i.e. 77 000·lr
    expect(lastStep('f16', false)).toBeGreaterThan(1000 * lr);
  });

  it('with the guard (ε ≥ 2^-12 for f16), the same step stays about lr', () => {
    // 2.1e-3·3.7e-4/2^-12 ≈ 3.2e-3 ≈ 3·lr; f32 state keeps v ≈ 5e-9: 2.1e-3·3.7e-4/(√5e-9/√bc2) ≈ lr
    const f16 = lastStep('f16', true);
    const f32 = lastStep('f32', true);
    expect(f16).toBeLessThan(4 * lr);
    expect(f32).toBeLessThan(2 * lr);
    // bf16 keeps v (its range is f32's), so it needs no floor and stays near f32
    expect(Math.abs(lastStep('bf16', true) - f32)).toBeLessThan(0.05 * f32);
  });

  it.each([
    ['adamax', { lr: 0.1, eps: 1e-8 }, 1e-9],
    ['adadelta', { eps: 1e-8 }, 1e-3],
  ] as const)(
    '%s: ε next to or under the root with the state takes the 2^-24 floor with f16',
    (algorithm, options, g) => {
      // Adamax moves clr·0.1g/(|g| + ε) (g = 1e-9: ε dominates), Adadelta √ε/√(0.1g² + ε)·g
      // (g = 1e-3: 0.30·g with ε = 1e-8, 0.61·g with 2^-24); the first step's update uses
      // unrounded state, so f16 equals f32 with ε = 2^-24
      const run = (o: object) => {
        const p = new Float32Array([0]);
        new ReferenceOptimizer(algorithm, [p], o as never).step([new Float32Array([g])]);
        return p[0] as number;
      };
      const f16 = run({ ...options, stateDtype: 'f16' });
      expect(f16).toBe(run({ ...options, eps: 2 ** -24 }));
      expect(Math.abs(f16 / run(options) - 1)).toBeGreaterThan(0.5);
      // bf16's floor (2^-126) is below 1e-8: unchanged
      expect(run({ ...options, stateDtype: 'bf16' })).toBe(run(options));
    },
  );

  it('zero gradients from the start with f16 state give zero updates, not NaN', () => {
    const p = new Float32Array([1, -2, 0.5]);
    const opt = new AdamReference([p], { lr, stateDtype: 'f16' });
    for (let t = 0; t < 3; t++) opt.step([new Float32Array(3)]);
    expect([...p]).toEqual([1, -2, 0.5]);
  });
});

/**
 * 1000 steps on f(x) = ½ Σ a_i x_i² (64 params, a_i log-spaced in [0.1, 10], x0 seeded in
 * [-1, 1]), gradient a_i·x_i, with 16-bit and with f32 state in lockstep. Returns the largest
 * |x16 − x32| over all steps and elements, the same at the end, and both final losses.
 */
function quadraticError<A extends Algorithm>(
  algorithm: A,
  options: OptionsByAlgorithm[A],
  stateDtype: StateDtype,
): { maxAbs: number; finalAbs: number; loss16: number; loss32: number } {
  const n = 64;
  const a = Float64Array.from({ length: n }, (_, i) => 0.1 * 100 ** (i / (n - 1)));
  let seed = 2024;
  const x0 = Float32Array.from({ length: n }, () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed / 2 ** 32) * 2 - 1;
  });
  const x16 = new Float32Array(x0);
  const x32 = new Float32Array(x0);
  const make = (x: Float32Array, d: StateDtype) =>
    new ReferenceOptimizer(algorithm, [x], { ...options, stateDtype: d } as never);
  const [o16, o32] = [make(x16, stateDtype), make(x32, 'f32')];
  const grad = (x: Float32Array) => Float32Array.from(x, (xi, i) => (a[i] as number) * xi);
  const worst = () => Math.max(...x16.map((v, i) => Math.abs(v - (x32[i] as number))));
  let maxAbs = 0;
  for (let t = 0; t < 1000; t++) {
    o16.step([grad(x16)]);
    o32.step([grad(x32)]);
    maxAbs = Math.max(maxAbs, worst());
  }
  const loss = (x: Float32Array) =>
    x.reduce((acc, v, i) => acc + 0.5 * (a[i] as number) * v * v, 0);
  return { maxAbs, finalAbs: worst(), loss16: loss(x16), loss32: loss(x32) };
}

describe('error against f32 state after 1000 steps on a quadratic', () => {
  // Measured (docs/state16.md, "Error against f32 state": largest |x16 − x32| over the run, then at
  // the end, starting from |x0| ≤ 1): Adam f16 2.0e-3 / 1.8e-7, Adam bf16 6.1e-3 / 1.6e-20,
  // SGD f16 3.6e-4 / 1.6e-7, SGD bf16 3.7e-3 / 1.1e-6. The bounds leave 2.5–6× headroom.
  it.each([
    ['adam', { lr: 1e-2 }, 'f16', 5e-3, 1e-6],
    ['adam', { lr: 1e-2 }, 'bf16', 1.5e-2, 1e-6],
    ['sgd', { lr: 1e-2, momentum: 0.9 }, 'f16', 1e-3, 1e-6],
    ['sgd', { lr: 1e-2, momentum: 0.9 }, 'bf16', 1e-2, 3e-6],
  ] as const)('%s %j with %s state', (algorithm, options, stateDtype, maxBound, finalBound) => {
    const r = quadraticError(algorithm, options as never, stateDtype);
    expect(r.maxAbs).toBeLessThan(maxBound);
    expect(r.finalAbs).toBeLessThan(finalBound);
    expect(r.loss16).toBeLessThan(1e-10);
  });
});

describe('state dicts with 16-bit state', () => {
  function trained(stateDtype: StateDtype) {
    const p = [new Float32Array([1, 2, 3]), new Float32Array([-1])];
    const opt = new AdamReference(p, { lr: 0.1, amsgrad: true, stateDtype });
    for (let s = 0; s < 3; s++)
      opt.step([new Float32Array([0.1, -0.2, 0.3]), new Float32Array([1])]);
    return { p, opt };
  }

  for (const stateDtype of ['f16', 'bf16'] as const) {
    it(`${stateDtype}: the dict holds the stored values as f32 and continues bitwise`, () => {
      const a = trained(stateDtype);
      const dict = a.opt.stateDict();
      expect(dict.stateDtype).toBe(stateDtype);
      const round = stateDtype === 'f16' ? roundToF16 : (x: number) => x;
      for (const v of dict.state[0]?.exp_avg ?? []) expect(round(v)).toBe(v);
      const back = deserializeStateDict(serializeStateDict(dict));
      expect(back).toEqual(dict);
      const p = a.p.map((x) => new Float32Array(x));
      const b = new AdamReference(p, { lr: 0.1, amsgrad: true, stateDtype });
      b.loadStateDict(back);
      const g = [new Float32Array([0.5, 0.5, -0.5]), new Float32Array([-2])];
      a.opt.step(g);
      b.step(g);
      expect(p).toEqual(a.p);
      expect(b.stateDict()).toEqual(a.opt.stateDict());
    });
  }

  it('rejects a dict of another stateDtype, naming the field', () => {
    const dict = trained('f16').opt.stateDict();
    const f32 = new AdamReference([new Float32Array(3), new Float32Array(1)], { amsgrad: true });
    expect(() => f32.loadStateDict(dict)).toThrow(
      /stateDtype is "f16" but this optimizer stores "f32"/,
    );
    const bf16 = new AdamReference([new Float32Array(3), new Float32Array(1)], {
      amsgrad: true,
      stateDtype: 'bf16',
    });
    expect(() => bf16.loadStateDict(dict)).toThrow(
      /stateDtype is "f16" but this optimizer stores "bf16"/,
    );
  });

  it('rejects an unknown stateDtype on the reference and on the GPU optimizers', () => {
    expect(() => new AdamReference([new Float32Array(1)], { stateDtype: 'fp8' as never })).toThrow(
      /stateDtype must be one of "f32", "f16", "bf16", "q8", got "fp8"/,
    );
    const f = fakeDevice();
    const b = f.buffer(256);
    expect(
      () => new Adam(f.device, [{ buffer: b, length: 4 }], { stateDtype: 'half' as never }),
    ).toThrow(/Adam: stateDtype must be one of "f32", "f16", "bf16", "q8", got "half"/);
    const opt = new SGD(f.device, [{ buffer: b, length: 4 }], {
      momentum: 0.9,
      stateDtype: 'bf16',
    });
    expect(opt.stateDtype).toBe('bf16');
  });
});
