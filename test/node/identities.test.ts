/**
 * Identities and properties of the reference (and so of the kernels, which the browser suite
 * holds to the reference): SGD with momentum 0 is plain SGD, AdamW with weight decay 0 is Adam,
 * maximize is negating the gradient, every configuration stays finite, and every algorithm
 * converges on a quadratic bowl and on Rosenbrock.
 */
import { describe, expect, it } from 'vitest';
import { ReferenceOptimizer } from '../../src/reference/optimizer.ts';
import { OPTIMIZER_CASES } from '../cases.ts';
import type { Algorithm } from '../../src/options/types.ts';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function random(next: () => number, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => 2 * next() - 1);
}

/** Runs `steps` steps on random data; returns params and the state dict. */
function run(algorithm: Algorithm, options: object, steps: number, seed: number, negate = false) {
  const next = rng(seed);
  const params = [random(next, 37), random(next, 5)];
  const opt = new ReferenceOptimizer(algorithm, params, options as never);
  for (let s = 0; s < steps; s++) {
    const grads = params.map((p) => random(next, p.length));
    if (negate) grads.forEach((g) => g.forEach((v, i) => (g[i] = -v)));
    opt.step(grads);
  }
  return { params, dict: opt.stateDict() };
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('identities', () => {
  it('SGD with momentum 0 equals plain SGD bitwise, whatever the dampening', () => {
    const plain = run('sgd', { lr: 0.05 }, 10, 1);
    const zero = run('sgd', { lr: 0.05, momentum: 0, dampening: 0.7 }, 10, 1);
    expect(zero.params.map(bits)).toEqual(plain.params.map(bits));
    expect(Object.keys(zero.dict.state[0] ?? {})).toEqual(['step']);
  });

  it('AdamW with weight decay 0 equals Adam bitwise (with and without amsgrad)', () => {
    for (const amsgrad of [false, true]) {
      const adam = run('adam', { lr: 0.01, amsgrad }, 10, 2);
      const adamw = run('adamw', { lr: 0.01, amsgrad, weightDecay: 0 }, 10, 2);
      expect(adamw.params.map(bits)).toEqual(adam.params.map(bits));
    }
  });

  it.each(
    OPTIMIZER_CASES.filter((c) => 'maximize' in c.options && c.options.maximize === true).map(
      (c) => [c.desc, c] as const,
    ),
  )('maximize equals negating the gradient: %s', (_, c) => {
    const maximized = run(c.algorithm, c.options, 10, 3);
    const negated = run(c.algorithm, { ...c.options, maximize: false }, 10, 3, true);
    expect(maximized.params.map(bits)).toEqual(negated.params.map(bits));
  });

  it('Adam with beta1 = 0 and bias correction is RMS scaling: p −= lr·g/(|g| + eps) on step 1', () => {
    const p = new Float32Array([1, -2]);
    const opt = new ReferenceOptimizer('adam', [p], { lr: 0.1, betas: [0, 0.999] });
    opt.step([new Float32Array([0.3, -4])]);
    // m̂ = g, √v̂ = |g| → update = lr·sign(g) (up to eps)
    expect(p[0]).toBeCloseTo(0.9, 6);
    expect(p[1]).toBeCloseTo(-1.9, 6);
  });
});

describe('identities of the added algorithms', () => {
  it("Adamax's first step equals Adam's: both are lr·g/(|g| + eps) (up to f32 rounding)", () => {
    const a = run('adamax', { lr: 0.01 }, 1, 5);
    const b = run('adam', { lr: 0.01 }, 1, 5);
    a.params.forEach((p, t) =>
      p.forEach((v, i) => expect(v).toBeCloseTo(b.params[t]?.[i] as number, 6)),
    );
  });
});

describe('Lion: every element moves by exactly lr where the interpolated sign is non-zero', () => {
  it('dyadic params and lr 2^-8 (exact in f32): |Δp| = lr, against the sign of c', () => {
    const lr = 2 ** -8;
    const next = rng(6);
    // multiples of 2^-8 in [−1, 1]: p ± lr is exact
    const p = Float32Array.from({ length: 64 }, () => Math.round((2 * next() - 1) * 256) / 256);
    const p0 = Float32Array.from(p);
    const m = Float32Array.from({ length: 64 }, (_, i) => (i % 8 === 0 ? 0 : 2 * next() - 1));
    const g = Float32Array.from({ length: 64 }, (_, i) => (i % 8 === 0 ? 0 : 2 * next() - 1));
    const opt = new ReferenceOptimizer('lion', [p], { lr, betas: [0.9, 0.99] });
    const dict = opt.stateDict();
    (dict.state[0] as { exp_avg: Float32Array }).exp_avg.set(m);
    dict.state[0] = { ...dict.state[0], step: 0 };
    opt.loadStateDict(dict);
    opt.step([g]);
    let moved = 0;
    for (let i = 0; i < 64; i++) {
      const c = Math.fround(
        Math.fround((m[i] as number) * Math.fround(0.9)) +
          Math.fround(Math.fround(0.1) * (g[i] as number)),
      );
      const dp = (p[i] as number) - (p0[i] as number);
      if (c === 0) expect(dp, `element ${i}`).toBe(0);
      else {
        expect(Math.abs(dp), `element ${i}`).toBe(lr);
        expect(Math.sign(dp), `element ${i}`).toBe(-Math.sign(c));
        moved++;
      }
    }
    expect(moved).toBe(56); // every element but the 8 with m = g = 0
  });

  it('random params, 20 steps with weight decay: |p − p_prev·(1 − lr·wd)| is f32(lr) to half an ULP of p', () => {
    const next = rng(7);
    const p = random(next, 257);
    const lr = 1e-3;
    const opt = new ReferenceOptimizer('lion', [p], { lr, weightDecay: 0.1 });
    for (let s = 0; s < 20; s++) {
      const before = Float32Array.from(p, (v) => Math.fround(v * Math.fround(1 - lr * 0.1)));
      opt.step([random(next, 257)]);
      p.forEach((v, i) => {
        // the subtraction rounds once: half an ULP of the larger of the two magnitudes
        const big = Math.max(Math.abs(v), Math.abs(before[i] as number));
        const tol = 2 ** (Math.floor(Math.log2(big)) - 24);
        const moved = Math.abs(v - (before[i] as number));
        expect(Math.abs(moved - Math.fround(lr)), `step ${s} [${i}]`).toBeLessThanOrEqual(tol);
      });
    }
  });
});

describe('properties', () => {
  it.each(OPTIMIZER_CASES.map((c) => [c.desc, c] as const))(
    'state and params stay finite over 50 steps: %s',
    (_, c) => {
      const { params, dict } = run(c.algorithm, c.options, 50, 4);
      for (const p of params) expect(p.every(Number.isFinite)).toBe(true);
      for (const s of dict.state) {
        expect(s.step).toBe(50);
        for (const v of Object.values(s))
          if (v instanceof Float32Array) expect(v.every(Number.isFinite)).toBe(true);
      }
    },
  );

  // An ill-conditioned bowl f = 0.5·(x² + 25·y²) and Rosenbrock f = (1 − x)² + 100·(y − x²)².
  const bowl = (x: number, y: number) => ({ f: 0.5 * (x * x + 25 * y * y), g: [x, 25 * y] });
  const rosenbrock = (x: number, y: number) => ({
    f: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    g: [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
  });
  // [name, algorithm, options, lr on Rosenbrock (whose gradients are ~100× the bowl's)]
  const setups: [string, Algorithm, object, number][] = [
    ['SGD', 'sgd', { lr: 0.03 }, 5e-4],
    ['SGD momentum', 'sgd', { lr: 0.01, momentum: 0.9 }, 1e-4],
    ['SGD Nesterov', 'sgd', { lr: 0.01, momentum: 0.9, nesterov: true }, 1e-4],
    ['Adagrad', 'adagrad', { lr: 0.5 }, 0.1],
    ['RMSprop', 'rmsprop', { lr: 0.01 }, 0.001],
    ['RMSprop centered momentum', 'rmsprop', { lr: 0.002, centered: true, momentum: 0.9 }, 0.0005],
    ['Adam', 'adam', { lr: 0.05 }, 0.01],
    ['Adam amsgrad', 'adam', { lr: 0.05, amsgrad: true }, 0.01],
    ['AdamW', 'adamw', { lr: 0.05 }, 0.01],
    ['Adamax', 'adamax', { lr: 0.05 }, 0.01],
    ['Adadelta (defaults)', 'adadelta', {}, 1],
    ['Lion', 'lion', { lr: 0.01 }, 0.002],
    // gradients taken at y; the loss is measured at the params (y, train mode)
    ['Schedule-Free AdamW', 'schedulefreeadamw', { lr: 0.05 }, 0.01],
  ];

  it.each(setups)('%s converges on an ill-conditioned quadratic bowl', (_, algorithm, options) => {
    const p = new Float32Array([3, 1]);
    const opt = new ReferenceOptimizer(algorithm, [p], options as never);
    const start = bowl(3, 1).f;
    for (let s = 0; s < 1000; s++)
      opt.step([Float32Array.from(bowl(p[0] as number, p[1] as number).g)]);
    expect(bowl(p[0] as number, p[1] as number).f).toBeLessThan(start * 1e-3);
  });

  it.each(setups)('%s descends Rosenbrock from (−1.5, 2)', (_, algorithm, options, lr) => {
    const p = new Float32Array([-1.5, 2]);
    const opt = new ReferenceOptimizer(algorithm, [p], { ...options, lr } as never);
    const start = rosenbrock(-1.5, 2).f;
    for (let s = 0; s < 3000; s++)
      opt.step([Float32Array.from(rosenbrock(p[0] as number, p[1] as number).g)]);
    expect(rosenbrock(p[0] as number, p[1] as number).f).toBeLessThan(start * 0.1);
  });
});
