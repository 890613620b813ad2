/**
 * The algorithms the benchmark runs, their options, their TF.js peers, and the bytes each
 * moves per parameter (the model behind "effective GB/s").
 */
import type { Algorithm } from '../src/index.ts';
import { stateNames, resolveOptions } from '../src/options/validate.ts';

/**
 * A benchmark row's key: the algorithm's name, or a name of its own where one algorithm has two
 * rows with different TF.js peers. `sgd` is SGD with momentum 0.9 (against tf.train.momentum,
 * the row every earlier run reported); `sgd-plain` is SGD with momentum 0 (against
 * tf.train.sgd).
 */
export type BenchKey = Algorithm | 'sgd-plain';

export interface BenchAlgorithm {
  /** The row's key: what --algorithms= selects, and the JSON's and the tables' `algorithm`. */
  key: BenchKey;
  /** The optimizer the row runs. */
  name: Algorithm;
  label: string;
  options: Record<string, unknown>;
  /** The tf.train call that implements the same update, or null when TF.js has none. */
  tfjs: string | null;
  /**
   * Ops (dispatches) TF.js issues per tensor per step, as counted on the tiny scenario; the
   * planner's cost model for the TF.js peer (0 when there is none).
   */
  tfjsOps: number;
}

export const BENCH_ALGORITHMS: BenchAlgorithm[] = [
  {
    key: 'sgd',
    name: 'sgd',
    label: 'SGD momentum 0.9',
    options: { lr: 0.01, momentum: 0.9 },
    tfjs: 'tf.train.momentum(0.01, 0.9)',
    tfjsOps: 4,
  },
  // tfjsOps from tfjs-core's sgd_optimizer.js: mul(-lr, g), add the value (then an assign)
  {
    key: 'sgd-plain',
    name: 'sgd',
    label: 'SGD',
    options: { lr: 0.01 },
    tfjs: 'tf.train.sgd(0.01)',
    tfjsOps: 2,
  },
  {
    key: 'adagrad',
    name: 'adagrad',
    label: 'Adagrad',
    options: { lr: 0.01 },
    tfjs: 'tf.train.adagrad(0.01)',
    tfjsOps: 7,
  },
  {
    key: 'rmsprop',
    name: 'rmsprop',
    label: 'RMSprop',
    options: { lr: 0.01 },
    tfjs: 'tf.train.rmsprop(0.01)',
    tfjsOps: 15,
  },
  {
    key: 'adam',
    name: 'adam',
    label: 'Adam',
    options: { lr: 0.001 },
    tfjs: 'tf.train.adam(0.001)',
    tfjsOps: 14,
  },
  { key: 'adamw', name: 'adamw', label: 'AdamW', options: { lr: 0.001 }, tfjs: null, tfjsOps: 0 },
  // tfjsOps from tfjs-core's adamax_optimizer.js: 3 ops for m, 3 for u (mul, abs, maximum), 5
  // for the update (add ε, div, div lr, mul, add)
  {
    key: 'adamax',
    name: 'adamax',
    label: 'Adamax',
    options: { lr: 0.002 },
    tfjs: 'tf.train.adamax(0.002)',
    tfjsOps: 11,
  },
  // tfjsOps from tfjs-core's adadelta_optimizer.js: 4 ops for the gradient accumulator, 6 for
  // the update (2 adds, 2 sqrts, div, mul), 4 for the update accumulator, 2 for the param
  {
    key: 'adadelta',
    name: 'adadelta',
    label: 'Adadelta',
    options: { lr: 1 },
    tfjs: 'tf.train.adadelta(1, 0.9, 1e-6)',
    tfjsOps: 16,
  },
  { key: 'lion', name: 'lion', label: 'Lion', options: { lr: 1e-4 }, tfjs: null, tfjsOps: 0 },
  { key: 'nadam', name: 'nadam', label: 'NAdam', options: { lr: 0.002 }, tfjs: null, tfjsOps: 0 },
  { key: 'radam', name: 'radam', label: 'RAdam', options: { lr: 0.001 }, tfjs: null, tfjsOps: 0 },
  { key: 'lamb', name: 'lamb', label: 'LAMB', options: { lr: 0.001 }, tfjs: null, tfjsOps: 0 },
  {
    key: 'schedulefreeadamw',
    name: 'schedulefreeadamw',
    label: 'Schedule-Free AdamW',
    options: { lr: 0.0025 },
    tfjs: null,
    tfjsOps: 0,
  },
];

/** The row of `key`, or an error that lists the keys (`--algorithms=` takes them). */
export function benchAlgorithm(key: string): BenchAlgorithm {
  const alg = BENCH_ALGORITHMS.find((a) => a.key === key);
  if (!alg) {
    throw new Error(
      `unknown algorithm "${key}"; choose from ${BENCH_ALGORITHMS.map((a) => a.key).join(', ')}`,
    );
  }
  return alg;
}

/**
 * Bytes moved per parameter by one fused step in f32: read param, grad and each state array;
 * write param and each state array. 12 + 8·(state arrays): plain SGD (momentum 0, no state) =
 * 12, Adam = 28, AdamW = 28, Adagrad = 20,
 * SGD with momentum = 20, RMSprop = 20 (+8 for momentum, +8 for centered), AMSGrad +8,
 * Adamax = 28, Adadelta = 28, Lion = 20, NAdam = 28, RAdam = 28 (their per-step scalars, NAdam's
 * mu_product included, live in the uniform), Schedule-Free AdamW = 28 (z and exp_avg_sq; its saved_y is touched only by eval()/train()).
 */
export function bytesPerParam(algorithm: Algorithm, options: Record<string, unknown>): number {
  const names = stateNames(algorithm, resolveOptions(algorithm, options as never, 'bench'));
  return 12 + 8 * names.length + sumsBytes(algorithm, names.length);
}

/**
 * Bytes per parameter of the per-tensor sums pass that runs before the update (LAMB's trust
 * ratio, shaders/tensor_sums.wgsl): it reads param, grad and every state array and writes
 * nothing per element, 8 + 4·(state arrays). LAMB: 28 (update) + 16 = 44. The partials and
 * the finalize pass are a few bytes per workgroup, left out.
 */
function sumsBytes(algorithm: Algorithm, states: number): number {
  return algorithm === 'lamb' ? 8 + 4 * states : 0;
}

/** The rows' keys, in the order the benchmark runs them. */
export const BENCH_KEYS: readonly BenchKey[] = BENCH_ALGORITHMS.map((a) => a.key);
