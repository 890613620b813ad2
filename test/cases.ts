/**
 * The one table of optimizer configurations that the Node tests and the browser parity tests
 * share. Every algorithm × every combination of its code paths (override constants) and of
 * weight decay on/off, each with a `desc`.
 */
import type { ClipOptions } from '../src/options/clip.ts';
import type { StateDtype } from '../src/options/stateDict.ts';
import type { Algorithm, OptionsByAlgorithm } from '../src/options/types.ts';

export interface OptimizerCase<A extends Algorithm = Algorithm> {
  desc: string;
  algorithm: A;
  options: OptionsByAlgorithm[A] & ClipOptions & { stateDtype?: StateDtype };
}

function product<T extends Record<string, readonly unknown[]>>(
  axes: T,
): { [K in keyof T]: T[K][number] }[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    out = out.flatMap((o) => values.map((v) => ({ ...o, [key]: v })));
  }
  return out as { [K in keyof T]: T[K][number] }[];
}

function describe(algorithm: string, options: object): string {
  const parts = Object.entries(options).map(
    ([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`,
  );
  return `${algorithm}(${parts.join(' ')})`;
}

function cases<A extends Algorithm>(algorithm: A, list: OptionsByAlgorithm[A][]): OptimizerCase[] {
  return list.map(
    (options) => ({ desc: describe(algorithm, options), algorithm, options }) as OptimizerCase,
  );
}

const sgd = product({
  momentum: [0, 0.9],
  dampening: [0, 0.3],
  nesterov: [false, true],
  weightDecay: [0, 0.05],
  maximize: [false, true],
})
  .filter((o) => !(o.nesterov && (o.momentum === 0 || o.dampening !== 0)))
  .map((o) => ({ lr: 0.05, ...o }));

const adagrad = product({
  lrDecay: [0, 0.1],
  initialAccumulatorValue: [0, 0.1],
  epsInsideSqrt: [false, true],
  weightDecay: [0, 0.05],
  maximize: [false, true],
}).map((o) => ({ lr: 0.05, ...o }));

const rmsprop = product({
  centered: [false, true],
  momentum: [0, 0.9],
  epsInsideSqrt: [false, true],
  weightDecay: [0, 0.05],
  maximize: [false, true],
}).map((o) => ({ lr: 0.01, alpha: 0.9, ...o }));

const adamAxes = {
  amsgrad: [false, true],
  epsInsideSqrt: [false, true],
  maximize: [false, true],
};
const adam = product({ ...adamAxes, weightDecay: [0, 0.05] }).map((o) => ({ lr: 0.01, ...o }));
const adamw = product({ ...adamAxes, weightDecay: [0, 0.1] }).map((o) => ({ lr: 0.01, ...o }));
const lamb = product({ weightDecay: [0, 0.1], maximize: [false, true] }).map((o) => ({
  lr: 0.01,
  ...o,
}));

const adamax = product({ weightDecay: [0, 0.05], maximize: [false, true] }).map((o) => ({
  lr: 0.01,
  ...o,
}));

const adadelta = product({ weightDecay: [0, 0.05], maximize: [false, true] }).map((o) => ({
  rho: 0.9,
  ...o,
}));

const lion = product({ weightDecay: [0, 0.1], maximize: [false, true] }).map((o) => ({
  lr: 0.001,
  ...o,
}));

// NAdam and RAdam: every override (MAXIMIZE, DECOUPLED) × weight decay on/off. RAdam with
// beta2 = 0.999 takes the unrectified branch for steps 1-5 and the rectified one from step 6,
// so runs of 6 steps or more cover both.
const adamVariantAxes = {
  decoupledWeightDecay: [false, true],
  weightDecay: [0, 0.05],
  maximize: [false, true],
};
const nadam = product(adamVariantAxes).map((o) => ({ lr: 0.01, ...o }));
const radam = product(adamVariantAxes).map((o) => ({ lr: 0.01, ...o }));
// Schedule-Free's only code paths are weight decay (skipped at 0) and the first step's z;
// warmup, r and weightLrPower change only the host's scalars.
const scheduleFree = product({
  weightDecay: [0, 0.05],
  warmupSteps: [0, 3],
}).map((o, i) => ({
  lr: 0.01,
  ...o,
  ...(i === 3 ? { betas: [0.95, 0.99] as const, r: 1, weightLrPower: 0 } : {}),
}));

/** Every algorithm × option combination. */
export const OPTIMIZER_CASES: OptimizerCase[] = [
  ...cases('sgd', sgd),
  ...cases('adagrad', adagrad),
  ...cases('rmsprop', rmsprop),
  ...cases('adam', adam),
  ...cases('adamw', adamw),
  ...cases('adamax', adamax),
  ...cases('adadelta', adadelta),
  ...cases('lion', lion),
  ...cases('nadam', nadam),
  ...cases('radam', radam),
  ...cases('lamb', lamb),
  ...cases('schedulefreeadamw', scheduleFree),
];

/** One default-options case per algorithm (PyTorch defaults, with a larger lr for SGD). */
export const DEFAULT_CASES: OptimizerCase[] = [
  { desc: 'sgd(default)', algorithm: 'sgd', options: { lr: 0.05, momentum: 0.9 } },
  { desc: 'adagrad(default)', algorithm: 'adagrad', options: {} },
  { desc: 'rmsprop(default)', algorithm: 'rmsprop', options: {} },
  { desc: 'adam(default)', algorithm: 'adam', options: {} },
  { desc: 'adamw(default)', algorithm: 'adamw', options: {} },
  { desc: 'adamax(default)', algorithm: 'adamax', options: {} },
  { desc: 'adadelta(default)', algorithm: 'adadelta', options: {} },
  { desc: 'lion(default)', algorithm: 'lion', options: {} },
  { desc: 'nadam(default)', algorithm: 'nadam', options: {} },
  { desc: 'radam(default)', algorithm: 'radam', options: {} },
  { desc: 'lamb(default)', algorithm: 'lamb', options: {} },
];

/** The dispatch-geometry lengths every parity run covers. */
export const GEOMETRY_LENGTHS = [1, 3, 4, 5, 255, 256, 257, 1023, 4097];

/** One case per algorithm with every code path switched on. */
export const FULL_CASES: OptimizerCase[] = [
  {
    desc: 'sgd(all)',
    algorithm: 'sgd',
    options: { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01, maximize: true },
  },
  {
    desc: 'adagrad(all)',
    algorithm: 'adagrad',
    options: {
      lrDecay: 0.05,
      initialAccumulatorValue: 0.1,
      epsInsideSqrt: true,
      weightDecay: 0.01,
      maximize: true,
    },
  },
  {
    desc: 'rmsprop(all)',
    algorithm: 'rmsprop',
    options: {
      centered: true,
      momentum: 0.9,
      epsInsideSqrt: true,
      weightDecay: 0.01,
      maximize: true,
    },
  },
  {
    desc: 'adam(all)',
    algorithm: 'adam',
    options: { amsgrad: true, weightDecay: 0.01, maximize: true, epsInsideSqrt: true },
  },
  { desc: 'adamw(all)', algorithm: 'adamw', options: { amsgrad: true, maximize: true } },
  {
    desc: 'adamax(all)',
    algorithm: 'adamax',
    options: { lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.01, maximize: true },
  },
  {
    desc: 'adadelta(all)',
    algorithm: 'adadelta',
    options: { lr: 0.5, rho: 0.95, eps: 1e-5, weightDecay: 0.01, maximize: true },
  },
  {
    desc: 'lion(all)',
    algorithm: 'lion',
    options: { lr: 0.01, betas: [0.8, 0.95], weightDecay: 0.5, maximize: true },
  },
  {
    desc: 'nadam(all)',
    algorithm: 'nadam',
    options: { decoupledWeightDecay: true, weightDecay: 0.01, maximize: true, momentumDecay: 0.1 },
  },
  {
    desc: 'radam(all)',
    algorithm: 'radam',
    options: { decoupledWeightDecay: true, weightDecay: 0.01, maximize: true, betas: [0.8, 0.9] },
  },
  { desc: 'lamb(all)', algorithm: 'lamb', options: { weightDecay: 0.01, maximize: true } },
];

/** Gradient clipping by global norm and by value, over several algorithms. */
export const CLIP_CASES: OptimizerCase[] = [
  {
    desc: 'sgd(momentum, clipGradNorm 1)',
    algorithm: 'sgd',
    options: { lr: 0.05, momentum: 0.9, clipGradNorm: 1 },
  },
  { desc: 'adam(clipGradNorm 0.5)', algorithm: 'adam', options: { lr: 0.01, clipGradNorm: 0.5 } },
  {
    desc: 'adamw(clipGradValue 0.25)',
    algorithm: 'adamw',
    options: { lr: 0.01, clipGradValue: 0.25 },
  },
  {
    desc: 'rmsprop(clipGradNorm 2, clipGradValue 0.01)',
    algorithm: 'rmsprop',
    options: { centered: true, clipGradNorm: 2, clipGradValue: 0.01 },
  },
  {
    desc: 'adamax(clipGradNorm 0.5, clipGradValue 0.01)',
    algorithm: 'adamax',
    options: { lr: 0.01, clipGradNorm: 0.5, clipGradValue: 0.01 },
  },
  {
    desc: 'adadelta(clipGradNorm 1)',
    algorithm: 'adadelta',
    options: { clipGradNorm: 1 },
  },
  {
    desc: 'lion(clipGradValue 0.05)',
    algorithm: 'lion',
    options: { lr: 0.001, clipGradValue: 0.05 },
  },
  {
    desc: 'adagrad(clipGradNorm 1e6: no clipping)',
    algorithm: 'adagrad',
    options: { clipGradNorm: 1e6 },
  },
  { desc: 'nadam(clipGradNorm 0.5)', algorithm: 'nadam', options: { lr: 0.01, clipGradNorm: 0.5 } },
  {
    desc: 'radam(decoupled, clipGradValue 0.25)',
    algorithm: 'radam',
    options: { lr: 0.01, decoupledWeightDecay: true, weightDecay: 0.01, clipGradValue: 0.25 },
  },
  {
    desc: 'lamb(clipGradNorm 0.5, clipGradValue 0.01)',
    algorithm: 'lamb',
    options: { lr: 0.01, weightDecay: 0.1, clipGradNorm: 0.5, clipGradValue: 0.01 },
  },
];
