/**
 * The training runs behind docs/state8.md's accuracy tables: every algorithm with 'q8' state,
 * once with f32 state and once with 8-bit state, on two problems, on the CPU reference (bitwise
 * the GPU kernels on SwiftShader, test/node-gpu/q8.test.ts, so the losses are the GPU's):
 * - `quadraticRun`: f(x) = ½ Σ aᵢxᵢ² (docs/state16.md's problem) over QUAD_N = 4096 elements,
 *   so the default min8bitSize (4096) quantises it: 16 blocks of 256;
 * - `mlpRun`: a 3 → 64 → 64 → 1 tanh MLP regressing standardised MPG on auto-mpg's three
 *   standardised inputs (vega-datasets' cars.json, examples/autompg), mini-batches of 32 in a
 *   fixed shuffled order. Its tensors (192, 64, 4096, 64, 64 and 1 elements) are all quantised
 *   with min8bitSize 0, the harder case (with the default only the 64 × 64 weight would be).
 * scripts/state8Accuracy.ts prints the tables.
 */
import { ReferenceOptimizer } from '../src/reference/index.ts';
import type { StateDtype } from '../src/options/stateDict.ts';
import type { Algorithm } from '../src/options/types.ts';
import { loadAutoMpg } from '../examples/autompg/load.ts';
import { rng } from './browser/suites/device.ts';

export interface AccuracyCase {
  label: string;
  algorithm: Algorithm;
  /** The options on the quadratic and on the MLP (a learning rate usual for each). */
  quadratic: Record<string, unknown>;
  mlp: Record<string, unknown>;
}

/**
 * Every algorithm with 'q8'; the options not given are PyTorch's defaults (AdamW's weight
 * decay 0.01, Adadelta's lr 1), optax's for LAMB.
 */
export const ACCURACY_CASES: readonly AccuracyCase[] = [
  {
    label: 'SGD, momentum 0.9',
    algorithm: 'sgd',
    quadratic: { lr: 1e-2, momentum: 0.9 },
    mlp: { lr: 1e-2, momentum: 0.9 },
  },
  { label: 'Adagrad', algorithm: 'adagrad', quadratic: { lr: 1e-1 }, mlp: { lr: 1e-1 } },
  { label: 'RMSprop', algorithm: 'rmsprop', quadratic: { lr: 1e-2 }, mlp: { lr: 1e-3 } },
  { label: 'Adam', algorithm: 'adam', quadratic: { lr: 1e-2 }, mlp: { lr: 1e-3 } },
  { label: 'AdamW', algorithm: 'adamw', quadratic: { lr: 1e-2 }, mlp: { lr: 1e-3 } },
  { label: 'Adamax', algorithm: 'adamax', quadratic: { lr: 2e-2 }, mlp: { lr: 2e-3 } },
  { label: 'Adadelta', algorithm: 'adadelta', quadratic: { lr: 1 }, mlp: { lr: 1 } },
  { label: 'Lion', algorithm: 'lion', quadratic: { lr: 1e-3 }, mlp: { lr: 1e-4 } },
  { label: 'NAdam', algorithm: 'nadam', quadratic: { lr: 1e-2 }, mlp: { lr: 2e-3 } },
  { label: 'RAdam', algorithm: 'radam', quadratic: { lr: 1e-2 }, mlp: { lr: 1e-3 } },
  // optax.lamb's defaults otherwise (eps 1e-6, no weight decay)
  { label: 'LAMB', algorithm: 'lamb', quadratic: { lr: 1e-2 }, mlp: { lr: 1e-3 } },
];

export interface RunResult {
  /** The loss at the start (the same for both). */
  initial: number;
  /** The final loss with f32 state and with 8-bit state. */
  f32: number;
  q8: number;
  /** The largest |p_q8 − p_f32| over the parameters at the end. */
  maxAbs: number;
}

export const QUAD_N = 4096;
export const QUAD_STEPS = 1000;

/** ½ Σ aᵢxᵢ² (in f64) and its gradient aᵢxᵢ (f32). */
export function quadratic(a: Float64Array, x: Float32Array, g: Float32Array): number {
  let loss = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i] as number;
    loss += 0.5 * (a[i] as number) * xi * xi;
    g[i] = (a[i] as number) * xi;
  }
  return loss;
}

/**
 * QUAD_STEPS steps on ½ Σ aᵢxᵢ² (aᵢ log-spaced in [0.1, 10], x₀ seeded in [−1, 1]) with f32
 * and with 'q8' state from the same start; the final losses and the largest difference.
 */
export function quadraticRun(c: AccuracyCase, steps = QUAD_STEPS): RunResult {
  const a = Float64Array.from({ length: QUAD_N }, (_, i) => 0.1 * 100 ** (i / (QUAD_N - 1)));
  const next = rng(2024);
  const x0 = Float32Array.from({ length: QUAD_N }, () => 2 * next() - 1);
  const run = (stateDtype: StateDtype) => {
    const x = new Float32Array(x0);
    const g = new Float32Array(QUAD_N);
    const opt = new ReferenceOptimizer(c.algorithm, [x], { ...c.quadratic, stateDtype } as never);
    for (let t = 0; t < steps; t++) {
      quadratic(a, x, g);
      opt.step([g]);
    }
    if ((stateDtype === 'q8') !== Boolean(opt.stateDict().state[0]?.q8)) {
      throw new Error(`${c.label}: the state is not stored as ${stateDtype}`);
    }
    return { x, loss: quadratic(a, x, g) };
  };
  const f = run('f32');
  const q = run('q8');
  let maxAbs = 0;
  for (let i = 0; i < QUAD_N; i++) {
    maxAbs = Math.max(maxAbs, Math.abs((q.x[i] as number) - (f.x[i] as number)));
  }
  const initial = quadratic(a, new Float32Array(x0), new Float32Array(QUAD_N));
  return { initial, f32: f.loss, q8: q.loss, maxAbs };
}

export const MLP_HIDDEN = 64;
export const MLP_EPOCHS = 30;
export const MLP_BATCH = 32;

interface Data {
  x: Float64Array;
  y: Float64Array;
  n: number;
}

/** auto-mpg's standardised inputs and its MPG standardised to mean 0 and variance 1. */
function autoMpgData(): Data {
  const { problem } = loadAutoMpg();
  const n = problem.y.length;
  const mean = problem.y.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(problem.y.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  return {
    x: Float64Array.from(problem.x),
    y: Float64Array.from(problem.y, (v) => (v - mean) / sd),
    n,
  };
}

/** Layer shapes [out, in]: W1, b1, W2, b2, W3, b3 as flat row-major tensors. */
function mlpInit(seed: number): Float32Array[] {
  const next = rng(seed);
  const h = MLP_HIDDEN;
  // PyTorch's nn.Linear init: weight and bias uniform in ±1/√fan_in.
  const layer = (out: number, fanIn: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    const draw = () => (2 * next() - 1) * bound;
    return [
      Float32Array.from({ length: out * fanIn }, draw),
      Float32Array.from({ length: out }, draw),
    ];
  };
  return [...layer(h, 3), ...layer(h, h), ...layer(1, h)];
}

/**
 * MSE of rows `idx` and (when `grads` is given) its gradient, in f64, stored as f32:
 * h1 = tanh(W1·x + b1), h2 = tanh(W2·h1 + b2), pred = W3·h2 + b3.
 */
function mlpLoss(
  p: Float32Array[],
  d: Data,
  idx: ArrayLike<number>,
  grads?: Float32Array[],
): number {
  const h = MLP_HIDDEN;
  const [w1, b1, w2, b2, w3, b3] = p as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const acc = grads ? p.map((t) => new Float64Array(t.length)) : [];
  const h1 = new Float64Array(h);
  const h2 = new Float64Array(h);
  const d2 = new Float64Array(h);
  let sum = 0;
  const m = idx.length;
  for (let r = 0; r < m; r++) {
    const row = idx[r] as number;
    const xr = [d.x[3 * row] as number, d.x[3 * row + 1] as number, d.x[3 * row + 2] as number];
    for (let j = 0; j < h; j++) {
      let s = b1[j] as number;
      for (let k = 0; k < 3; k++) s += (w1[3 * j + k] as number) * (xr[k] as number);
      h1[j] = Math.tanh(s);
    }
    let pred = b3[0] as number;
    for (let j = 0; j < h; j++) {
      let s = b2[j] as number;
      for (let k = 0; k < h; k++) s += (w2[h * j + k] as number) * (h1[k] as number);
      h2[j] = Math.tanh(s);
      pred += (w3[j] as number) * (h2[j] as number);
    }
    const e = pred - (d.y[row] as number);
    sum += e * e;
    if (!grads) continue;
    const [g1, gb1, g2, gb2, g3, gb3] = acc as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const dp = (2 * e) / m;
    gb3[0] = (gb3[0] as number) + dp;
    for (let j = 0; j < h; j++) {
      g3[j] = (g3[j] as number) + dp * (h2[j] as number);
      d2[j] = dp * (w3[j] as number) * (1 - (h2[j] as number) ** 2);
      gb2[j] = (gb2[j] as number) + (d2[j] as number);
    }
    for (let k = 0; k < h; k++) {
      let d1 = 0;
      for (let j = 0; j < h; j++) {
        g2[h * j + k] = (g2[h * j + k] as number) + (d2[j] as number) * (h1[k] as number);
        d1 += (d2[j] as number) * (w2[h * j + k] as number);
      }
      d1 *= 1 - (h1[k] as number) ** 2;
      gb1[k] = (gb1[k] as number) + d1;
      for (let i = 0; i < 3; i++)
        g1[3 * k + i] = (g1[3 * k + i] as number) + d1 * (xr[i] as number);
    }
  }
  acc.forEach((a, i) => (grads as Float32Array[])[i]?.set(a));
  return sum / m;
}

/** 0 .. n − 1 in a seeded (Fisher–Yates) order. */
function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const next = rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

/** A training problem as a list of f32 tensors: a fresh start, and a gradient per step. */
export interface Problem {
  /** Steps of one run. */
  steps: number;
  /** The starting parameters (a fresh copy each call). */
  init(): Float32Array[];
  /** Writes step t's gradient (a mini-batch's, or the full one) into `grads`; its loss. */
  grad(p: Float32Array[], grads: Float32Array[], t: number): number;
  /** The loss to report at the end (over all the data). */
  loss(p: Float32Array[]): number;
}

/**
 * The MLP of `mlpRun` as a Problem: initialisation seed `seed`, batch order seed `orderSeed`
 * (mlpRun's are 11 and 7), `epochs` epochs.
 */
export function mlpProblem(seed = 11, orderSeed = 7, epochs = MLP_EPOCHS): Problem {
  const d = autoMpgData();
  const order = shuffled(d.n, orderSeed);
  const all = Array.from({ length: d.n }, (_, i) => i);
  const batches = Math.ceil(d.n / MLP_BATCH);
  return {
    steps: epochs * batches,
    init: () => mlpInit(seed),
    grad: (p, g, t) => {
      const s = (t % batches) * MLP_BATCH;
      return mlpLoss(p, d, order.slice(s, s + MLP_BATCH), g);
    },
    loss: (p) => mlpLoss(p, d, all),
  };
}

/**
 * MLP_EPOCHS epochs of mini-batches of MLP_BATCH (one seeded shuffle, the same every epoch) on
 * auto-mpg with f32 and with 'q8' state (min8bitSize 0: every tensor in 8 bits) from the same
 * initialisation; the final full-data MSE (in units of MPG's variance) of each.
 */
export function mlpRun(c: AccuracyCase, epochs = MLP_EPOCHS): RunResult {
  const d = autoMpgData();
  const order = shuffled(d.n, 7);
  const all = Array.from({ length: d.n }, (_, i) => i);
  const run = (stateDtype: StateDtype) => {
    const p = mlpInit(11);
    const g = p.map((t) => new Float32Array(t.length));
    const opt = new ReferenceOptimizer(c.algorithm, p, {
      ...c.mlp,
      stateDtype,
      min8bitSize: 0,
    } as never);
    for (let e = 0; e < epochs; e++) {
      for (let s = 0; s < d.n; s += MLP_BATCH) {
        mlpLoss(p, d, order.slice(s, s + MLP_BATCH), g);
        opt.step(g);
      }
    }
    return { p, loss: mlpLoss(p, d, all) };
  };
  const f = run('f32');
  const q = run('q8');
  let maxAbs = 0;
  f.p.forEach((t, k) =>
    t.forEach((v, i) => {
      maxAbs = Math.max(maxAbs, Math.abs(((q.p[k] as Float32Array)[i] as number) - v));
    }),
  );
  return { initial: mlpLoss(mlpInit(11), d, all), f32: f.loss, q8: q.loss, maxAbs };
}
