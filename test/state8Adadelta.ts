/**
 * How Adadelta's two state arrays are quantised, and why (docs/state8.md, "Adadelta"): the
 * candidate schemes measured before picking the one 'q8' uses (Q8_ROUNDED_UP in
 * src/options/q8.ts: square_avg rounded up, acc_delta to nearest), on several problems. Each
 * run is Adadelta's kernel twin with f32 state, every array quantised and read back after each
 * step by the candidate's rule (block-wise, 256 per block, the unsigned map): with
 * `RULE` this is bit for bit what a 'q8' AdadeltaReference (and so the GPU kernel) does, which
 * test/node/state8Adadelta.test.ts checks. scripts/state8Adadelta.ts prints the table.
 */
import { adadeltaKernel, adadeltaScalars } from '../src/reference/index.ts';
import { roundScalars } from '../src/reference/f32.ts';
import {
  blockAbsmax,
  dequantize,
  flushSubnormal,
  q8Value,
  quantize,
  Q8_BLOCK,
  UNSIGNED_MAP,
  UNSIGNED_MIDS,
} from '../src/options/q8.ts';
import { DEFAULTS } from '../src/options/defaults.ts';
import { quadratic, QUAD_N, QUAD_STEPS, type Problem } from './state8Problems.ts';
import { rng } from './browser/suites/device.ts';

/**
 * How one array is stored after each step:
 * - 'f32': not quantised;
 * - 'nearest': 'q8''s default (the nearest entry; a positive value never gets code 0);
 * - 'nearest0': the nearest entry with bitsandbytes' zero (a small positive value may get 0);
 * - 'up': the smallest entry at or above the value (what Q8_ROUNDED_UP arrays do);
 * - 'down': the largest entry at or below it;
 * - 'root': the square root stored to nearest, squared when read back;
 * - 'signed': the nearest entry of the signed map.
 */
export type Rounding = 'f32' | 'nearest' | 'nearest0' | 'up' | 'down' | 'root' | 'signed';

/** A candidate: the rounding of square_avg and of acc_delta. */
export interface Candidate {
  label: string;
  squareAvg: Rounding;
  accDelta: Rounding;
}

/** The scheme 'q8' uses: square_avg rounded up, acc_delta to nearest. */
export const RULE: Candidate = {
  label: 'up / nearest (the rule)',
  squareAvg: 'up',
  accDelta: 'nearest',
};

export const CANDIDATES: readonly Candidate[] = [
  { label: 'f32 state', squareAvg: 'f32', accDelta: 'f32' },
  { label: 'nearest / nearest', squareAvg: 'nearest', accDelta: 'nearest' },
  { label: 'nearest / nearest, bitsandbytes zero', squareAvg: 'nearest0', accDelta: 'nearest0' },
  { label: 'nearest / acc_delta f32', squareAvg: 'nearest', accDelta: 'f32' },
  { label: 'square_avg f32 / nearest', squareAvg: 'f32', accDelta: 'nearest' },
  { label: 'roots', squareAvg: 'root', accDelta: 'root' },
  { label: 'signed map', squareAvg: 'signed', accDelta: 'signed' },
  RULE,
  { label: 'up / down', squareAvg: 'up', accDelta: 'down' },
];

/** The number of k in 0 .. count − 1 with ok(k), for a predicate true up to some k. */
function countTrue(count: number, ok: (k: number) => boolean): number {
  let c = 0;
  for (let b = 128; b > 0; b >>= 1) if (c + b <= count && ok(c + b - 1)) c += b;
  return c;
}

/** Stores `values` (non-negative) by rounding `r`, in place. */
export function store(values: Float32Array, r: Rounding): void {
  if (r === 'f32') return;
  if (r === 'nearest' || r === 'signed' || r === 'up') {
    const signed = r === 'signed';
    values.set(dequantize(quantize(values, signed, r === 'up'), signed));
    return;
  }
  if (r === 'root') {
    const roots = values.map(Math.sqrt);
    store(roots, 'nearest');
    values.set(roots.map((x) => x * x));
    return;
  }
  for (let s = 0; s < values.length; s += Q8_BLOCK) {
    const e = Math.min(values.length, s + Q8_BLOCK);
    const a = blockAbsmax(values, s, e);
    const times = (m: Float32Array, k: number) => Math.fround((m[k] as number) * a);
    for (let i = s; i < e; i++) {
      const x = flushSubnormal(values[i] as number);
      // down: the entries 1..255 at or below x; nearest0: the midpoints at or below x
      const code =
        r === 'down'
          ? countTrue(255, (k) => x >= times(UNSIGNED_MAP, k + 1))
          : countTrue(255, (k) => x >= times(UNSIGNED_MIDS, k));
      values[i] = q8Value(x > 0 ? code : 0, a, false);
    }
  }
}

/**
 * `problem` trained by Adadelta (PyTorch's defaults but learning rate `lr` and `options`),
 * storing its arrays as `c` says; the final loss.
 */
export function trainAdadelta(
  problem: Problem,
  lr: number,
  c: Candidate,
  options: { eps?: number; rho?: number; weightDecay?: number } = {},
): number {
  const p = problem.init();
  const g = p.map((t) => new Float32Array(t.length));
  const sq = p.map((t) => new Float32Array(t.length));
  const acc = p.map((t) => new Float32Array(t.length));
  const u = roundScalars(adadeltaScalars({ ...DEFAULTS.adadelta, ...options, lr }, 1));
  for (let t = 0; t < problem.steps; t++) {
    problem.grad(p, g, t);
    p.forEach((x, k) => {
      adadeltaKernel(x, g[k] as Float32Array, sq[k] as Float32Array, acc[k] as Float32Array, u, {
        maximize: false,
      });
      store(sq[k] as Float32Array, c.squareAvg);
      store(acc[k] as Float32Array, c.accDelta);
    });
  }
  return problem.loss(p);
}

/**
 * ½ Σ aᵢxᵢ² over QUAD_N elements, aᵢ log-spaced in [lo, hi], x₀ uniform in [−1, 1] from
 * `seed`, `steps` steps: test/state8Problems.ts's quadratic with seed 2024, [0.1, 10], 1000.
 */
export function quadraticProblem(seed: number, lo = 0.1, hi = 10, steps = QUAD_STEPS): Problem {
  const a = Float64Array.from({ length: QUAD_N }, (_, i) => lo * (hi / lo) ** (i / (QUAD_N - 1)));
  return {
    steps,
    init: () => {
      const next = rng(seed);
      return [Float32Array.from({ length: QUAD_N }, () => 2 * next() - 1)];
    },
    grad: (p, g) => quadratic(a, p[0] as Float32Array, g[0] as Float32Array),
    loss: (p) => quadratic(a, p[0] as Float32Array, new Float32Array(QUAD_N)),
  };
}

/**
 * Logistic regression, full batch, 500 steps: 512 samples of 1024 features (scales
 * log-spaced over [0.1, 10], so the weights' gradients span two decades within a block), labels
 * from a planted weight vector plus noise, all seeded by `seed`. Weights (1024, four blocks) and
 * a bias (one element); the mean cross-entropy.
 */
export function logisticProblem(seed: number): Problem {
  const n = 512;
  const d = 1024;
  const next = rng(seed);
  const scale = Float64Array.from({ length: d }, (_, j) => 0.1 * 100 ** (j / (d - 1)));
  const x = Float64Array.from(
    { length: n * d },
    (_, k) => (2 * next() - 1) * (scale[k % d] as number),
  );
  const w0 = Float64Array.from({ length: d }, () => (2 * next() - 1) / Math.sqrt(d));
  const y = Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += (x[i * d + j] as number) * (w0[j] as number);
    return s + 0.5 * (2 * next() - 1) > 0 ? 1 : 0;
  });
  const run = (p: Float32Array[], g?: Float32Array[]) => {
    const w = p[0] as Float32Array;
    const b = (p[1] as Float32Array)[0] as number;
    const gw = new Float64Array(d);
    let gb = 0;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let s = b;
      for (let j = 0; j < d; j++) s += (x[i * d + j] as number) * (w[j] as number);
      const prob = 1 / (1 + Math.exp(-s));
      loss -= y[i] ? Math.log(prob) : Math.log(1 - prob);
      const e = prob - (y[i] as number);
      for (let j = 0; j < d; j++) gw[j] = (gw[j] as number) + e * (x[i * d + j] as number);
      gb += e;
    }
    if (g) {
      (g[0] as Float32Array).set(gw.map((v) => v / n));
      (g[1] as Float32Array)[0] = gb / n;
    }
    return loss / n;
  };
  return {
    steps: 500,
    init: () => [new Float32Array(d), new Float32Array(1)],
    grad: (p, g) => run(p, g),
    loss: (p) => run(p),
  };
}
