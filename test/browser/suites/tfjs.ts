/**
 * In-page suites for webgpu-optim/tfjs: TF.js (core, layers, WebGPU and CPU backends) loaded
 * through Vite from node_modules, our optimizer against tf.train.* on the same models.
 */
import { countOurBindGroups } from '../../../bench/bindGroupCounter.ts';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { createTfjsOptimizer, type TfjsHostOptions } from '../../../src/adapters/tfjs/index.ts';
import type { Algorithm } from '../../../src/index.ts';
import { ReferenceOptimizer } from '../../../src/reference/optimizer.ts';
import { tfjsFit } from '../../../examples/tfjsFit.ts';
import { ScheduleFreeAdamWReference } from '../../../src/reference/scheduleFreeOptimizer.ts';

interface Tracked {
  device: GPUDevice;
  /** Bind groups created with a webgpu-optim label, so far. */
  ourBindGroups: () => number;
  uncaptured: string[];
}

let started: Promise<Tracked> | null = null;

/** Starts TF.js on WebGPU once, counting our bind groups and collecting device errors. */
function webgpu(): Promise<Tracked> {
  started ??= (async () => {
    if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js could not start WebGPU');
    await tf.ready();
    const device = (tf.backend() as unknown as { device: GPUDevice }).device;
    const ourBindGroups = countOurBindGroups(device);
    const uncaptured: string[] = [];
    device.addEventListener('uncapturederror', (e) =>
      uncaptured.push((e as GPUUncapturedErrorEvent).error.message),
    );
    return { device, ourBindGroups, uncaptured };
  })();
  return started;
}

/** Deterministic values in [-1, 1) (a 32-bit LCG). */
function lcg(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** 64 samples of 4 features and a smooth nonlinear target. */
function dataset(): { xs: tf.Tensor2D; ys: tf.Tensor2D } {
  const x = lcg(64 * 4, 7);
  const y = new Float32Array(64);
  for (let i = 0; i < 64; i++) {
    const r = x.subarray(4 * i, 4 * i + 4);
    y[i] =
      Math.sin(2 * (r[0] as number)) + (r[1] as number) * (r[2] as number) - 0.5 * (r[3] as number);
  }
  return { xs: tf.tensor2d(x, [64, 4]), ys: tf.tensor2d(y, [64, 1]) };
}

/** Two hidden layers; its initial weights are set from a fixed stream so models match. */
function mlp(seed: number): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 8, activation: 'relu', inputShape: [4] }),
      tfl.layers.dense({ units: 8, activation: 'tanh' }),
      tfl.layers.dense({ units: 1 }),
    ],
  });
  let k = seed;
  const init = model.getWeights().map((w) =>
    tf.tensor(
      lcg(w.size, k++).map((v) => 0.6 * v),
      w.shape,
    ),
  );
  model.setWeights(init);
  tf.dispose(init);
  return model;
}

type Pair = { ours: tf.Optimizer; theirs: tf.Optimizer };

/** Our optimizer and the tf.train one it reproduces, under TF.js's settings. */
function pair(name: string): Pair {
  switch (name) {
    case 'sgd':
      return { ours: createTfjsOptimizer('sgd', { lr: 0.05 }), theirs: tf.train.sgd(0.05) };
    case 'momentum':
      return {
        ours: createTfjsOptimizer('sgd', { lr: 0.05, momentum: 0.9 }),
        theirs: tf.train.momentum(0.05, 0.9),
      };
    case 'adagrad':
      return {
        ours: createTfjsOptimizer('adagrad', {
          lr: 0.05,
          initialAccumulatorValue: 0.1,
          eps: 1e-7,
          epsInsideSqrt: true,
        }),
        theirs: tf.train.adagrad(0.05, 0.1),
      };
    case 'rmsprop':
      return {
        ours: createTfjsOptimizer('rmsprop', {
          lr: 0.01,
          alpha: 0.9,
          eps: 1e-7,
          epsInsideSqrt: true,
        }),
        theirs: tf.train.rmsprop(0.01, 0.9),
      };
    case 'adam':
      return {
        ours: createTfjsOptimizer('adam', { lr: 0.01, eps: 1e-7 }),
        theirs: tf.train.adam(0.01, 0.9, 0.999),
      };
    default:
      throw new Error(`no pair ${name}`);
  }
}

/** model.fit with ours and with tf.train.*, same init and batches: the loss of each epoch. */
async function fitParity(name: string): Promise<{ ours: number[]; theirs: number[] }> {
  await webgpu();
  const { xs, ys } = dataset();
  const { ours, theirs } = pair(name);
  const losses = async (optimizer: tf.Optimizer) => {
    const model = mlp(11);
    model.compile({ optimizer, loss: 'meanSquaredError' });
    const h = await model.fit(xs, ys, { epochs: 5, batchSize: 16, shuffle: false, verbose: 0 });
    model.dispose();
    return h.history.loss as number[];
  };
  const result = { ours: await losses(ours), theirs: await losses(theirs) };
  ours.dispose();
  theirs.dispose();
  tf.dispose([xs, ys]);
  return result;
}

function bits(a: ArrayLike<number>): number[] {
  return Array.from(new Uint32Array(Float32Array.from(a).buffer));
}

async function weightsOf(model: tfl.LayersModel): Promise<number[][]> {
  return Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));
}

/**
 * trainOnBatch with ours and tf.train.momentum, with `assign()` of one kernel (from a tensor
 * both models then share) after 2 steps: losses, final weights, the assigned tensor before and
 * after, and our bind groups made by each step.
 */
async function assignMidTraining(): Promise<{
  oursLoss: number[];
  theirsLoss: number[];
  oursWeights: number[][];
  theirsWeights: number[][];
  assignedBefore: number[];
  assignedAfter: number[];
  bindGroupsPerStep: number[];
}> {
  const t = await webgpu();
  const { xs, ys } = dataset();
  const { ours, theirs } = pair('momentum');
  const a = mlp(21);
  const b = mlp(21);
  a.compile({ optimizer: ours, loss: 'meanSquaredError' });
  b.compile({ optimizer: theirs, loss: 'meanSquaredError' });
  const batch = (i: number) => [
    tf.slice(xs, [16 * i, 0], [16, 4]),
    tf.slice(ys, [16 * i, 0], [16, 1]),
  ];
  const oursLoss: number[] = [];
  const theirsLoss: number[] = [];
  const bindGroupsPerStep: number[] = [];
  const replacement = tf.tensor(lcg(4 * 8, 99), [4, 8]);
  const assignedBefore = Array.from(await replacement.data());
  for (let step = 0; step < 6; step++) {
    if (step === 2) {
      // The first kernel; LayerVariable.write is Variable.assign.
      (a.layers[0]?.weights[0] as unknown as { write(v: tf.Tensor): void }).write(replacement);
      (b.layers[0]?.weights[0] as unknown as { write(v: tf.Tensor): void }).write(replacement);
    }
    const [x, y] = batch(step % 4) as [tf.Tensor, tf.Tensor];
    const before = t.ourBindGroups();
    oursLoss.push((await a.trainOnBatch(x, y)) as number);
    bindGroupsPerStep.push(t.ourBindGroups() - before);
    theirsLoss.push((await b.trainOnBatch(x, y)) as number);
    tf.dispose([x, y]);
  }
  const result = {
    oursLoss,
    theirsLoss,
    oursWeights: await weightsOf(a),
    theirsWeights: await weightsOf(b),
    assignedBefore,
    assignedAfter: Array.from(await replacement.data()),
    bindGroupsPerStep,
  };
  a.dispose();
  b.dispose();
  ours.dispose();
  theirs.dispose();
  tf.dispose([xs, ys, replacement]);
  return result;
}

/** optimizer.minimize on a quadratic, ours vs tf.train.sgd (with and without varList). */
async function minimizeParity(): Promise<{ ours: number[]; theirs: number[]; costs: number[] }> {
  await webgpu();
  const target = tf.tensor1d(lcg(10, 3));
  const run = async (optimizer: tf.Optimizer, name: string, withList: boolean) => {
    const init = tf.tensor1d(lcg(10, 4));
    const w = tf.variable(init, true, name); // shares init's data until the first step
    const costs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const f = () => tf.sum(tf.square(tf.sub(w, target))) as tf.Scalar;
      const cost = optimizer.minimize(f, true, withList ? [w] : undefined);
      costs.push((await (cost as tf.Scalar).data())[0] as number);
      cost?.dispose();
    }
    const out = { w: Array.from(await w.data()), init: Array.from(await init.data()), costs };
    tf.dispose([init, w]);
    return out;
  };
  const ours = createTfjsOptimizer('sgd', { lr: 0.1 });
  const theirs = tf.train.sgd(0.1);
  const o = await run(ours, 'minimize_ours', true);
  const o2 = await run(createTfjsOptimizer('sgd', { lr: 0.1 }), 'minimize_ours_all', false);
  const r = await run(theirs, 'minimize_theirs', true);
  ours.dispose();
  theirs.dispose();
  target.dispose();
  if (o.init.join() !== lcg(10, 4).join()) throw new Error('the init tensor was changed in place');
  if (o2.w.join() !== o.w.join()) throw new Error('minimize without varList differs');
  return { ours: o.w, theirs: r.w, costs: o.costs };
}

/**
 * applyGradients with the named map and with a reordered [{ name, tensor }] list on two copies
 * of two variables: final values as bits, plus the error a different variable set raises.
 */
async function applyForms(): Promise<{
  mapBits: number[];
  listBits: number[];
  numTensors: number[];
  changedSetError: string;
}> {
  await webgpu();
  const vars = (tag: string) => [
    tf.variable(tf.tensor2d(lcg(6, 1), [2, 3]), true, `forms_${tag}_a`),
    tf.variable(tf.tensor1d(lcg(5, 2)), true, `forms_${tag}_b`),
  ];
  const [a1, b1] = vars('map') as [tf.Variable, tf.Variable];
  const [a2, b2] = vars('list') as [tf.Variable, tf.Variable];
  // o1 keeps the gradients (disposeGradients: false) so that o2 can take the same ones; o2
  // disposes them, as every applyGradients does by default.
  const o1 = createTfjsOptimizer('adam', { lr: 0.05 }, { disposeGradients: false });
  const o2 = createTfjsOptimizer('adam', { lr: 0.05 });
  const numTensors: number[] = [];
  for (let s = 0; s < 3; s++) {
    const ga = tf.tensor2d(lcg(6, 10 + s), [2, 3]);
    const gb = tf.tensor1d(lcg(5, 20 + s));
    o1.applyGradients({ [a1.name]: ga, [b1.name]: gb });
    if (ga.isDisposed || gb.isDisposed) throw new Error('disposeGradients: false disposed them');
    o2.applyGradients([
      { name: b2.name, tensor: gb },
      { name: a2.name, tensor: ga },
    ]);
    if (!ga.isDisposed || !gb.isDisposed) throw new Error('applyGradients kept its gradients');
    numTensors.push(tf.memory().numTensors);
  }
  let changedSetError = '';
  const g = tf.tensor2d(lcg(6, 5), [2, 3]);
  try {
    o1.applyGradients({ [a1.name]: g });
  } catch (e) {
    changedSetError = (e as Error).message;
  }
  g.dispose();
  const mapBits = bits([...(await a1.data()), ...(await b1.data())]);
  const listBits = bits([...(await a2.data()), ...(await b2.data())]);
  o1.dispose();
  o2.dispose();
  tf.dispose([a1, b1, a2, b2]);
  return { mapBits, listBits, numTensors, changedSetError };
}

/**
 * getWeights after 3 trainOnBatch steps, setWeights into a fresh optimizer (before its first
 * step) over a copy of the model, 3 more steps on both: weights as bits, and the names saved.
 * `host` is given to every optimizer (stateDtype 'q8': the 8-bit codes are recovered).
 */
async function weightsRoundTrip(host?: TfjsHostOptions): Promise<{
  names: string[];
  a: number[];
  b: number[];
  c: number[];
}> {
  await webgpu();
  const { xs, ys } = dataset();
  const o1 = createTfjsOptimizer('adam', { lr: 0.01, amsgrad: true }, host);
  const m1 = mlp(31);
  m1.compile({ optimizer: o1, loss: 'meanSquaredError' });
  const batch = (i: number) =>
    [tf.slice(xs, [16 * (i % 4), 0], [16, 4]), tf.slice(ys, [16 * (i % 4), 0], [16, 1])] as const;
  for (let i = 0; i < 3; i++) {
    const [x, y] = batch(i);
    await m1.trainOnBatch(x, y);
    tf.dispose([x, y]);
  }
  const saved = await o1.getWeights();
  const names = saved.map((w) => w.name);
  const snapshot = m1.getWeights().map((w) => tf.clone(w));
  // o3 steps once on other data first, then takes the saved state and weights.
  const o3 = createTfjsOptimizer('adam', { lr: 0.01, amsgrad: true }, host);
  const m3 = mlp(33);
  m3.compile({ optimizer: o3, loss: 'meanSquaredError' });
  await m3.trainOnBatch(tf.onesLike(xs), ys);
  await o3.setWeights(saved);
  m3.setWeights(snapshot);
  const m2 = mlp(32);
  m2.setWeights(m1.getWeights());
  const o2 = createTfjsOptimizer('adam', { lr: 0.01, amsgrad: true }, host);
  await o2.setWeights(saved);
  tf.dispose(saved.map((w) => w.tensor));
  m2.compile({ optimizer: o2, loss: 'meanSquaredError' });
  for (let i = 3; i < 6; i++) {
    const [x, y] = batch(i);
    await m1.trainOnBatch(x, y);
    await m2.trainOnBatch(x, y);
    await m3.trainOnBatch(x, y);
    tf.dispose([x, y]);
  }
  const flat = async (m: tfl.LayersModel) => bits((await weightsOf(m)).flat());
  const result = { names, a: await flat(m1), b: await flat(m2), c: await flat(m3) };
  if (o2.iterations !== 6) throw new Error(`iterations is ${o2.iterations}, expected 6`);
  [m1, m2, m3].forEach((m) => m.dispose());
  [o1, o2, o3].forEach((o) => o.dispose());
  tf.dispose([xs, ys, ...snapshot]);
  return result;
}

/**
 * model.save(…, { includeOptimizer: true }) to memory after 3 steps, tf.loadLayersModel, then
 * 3 more steps on both: weights as bits, and the loaded optimizer's class and config.
 */
async function saveLoad(): Promise<{
  a: number[];
  b: number[];
  className: string;
  config: string;
}> {
  await webgpu();
  const { xs, ys } = dataset();
  const o1 = createTfjsOptimizer('rmsprop', { lr: 0.01, momentum: 0.5, centered: true });
  const m1 = mlp(41);
  m1.compile({ optimizer: o1, loss: 'meanSquaredError' });
  const batch = (i: number) =>
    [tf.slice(xs, [16 * (i % 4), 0], [16, 4]), tf.slice(ys, [16 * (i % 4), 0], [16, 1])] as const;
  for (let i = 0; i < 3; i++) {
    const [x, y] = batch(i);
    await m1.trainOnBatch(x, y);
    tf.dispose([x, y]);
  }
  let saved: tf.io.ModelArtifacts | null = null;
  await m1.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer: true },
  );
  const m2 = await tfl.loadLayersModel(tf.io.fromMemory(saved as unknown as tf.io.ModelArtifacts));
  const o2 = m2.optimizer;
  for (let i = 3; i < 6; i++) {
    const [x, y] = batch(i);
    await m1.trainOnBatch(x, y);
    await m2.trainOnBatch(x, y);
    tf.dispose([x, y]);
  }
  const flat = async (m: tfl.LayersModel) => bits((await weightsOf(m)).flat());
  const result = {
    a: await flat(m1),
    b: await flat(m2),
    className: o2.getClassName(),
    config: JSON.stringify(o2.getConfig()),
  };
  [m1, m2].forEach((m) => m.dispose());
  [o1, o2].forEach((o) => o.dispose());
  tf.dispose([xs, ys]);
  return result;
}

/** trainOnBatch with gradTransfer 'copy' and 'bind' on copies of one model: weights as bits. */
async function transferModes(): Promise<{ copy: number[]; bind: number[]; bindGroups: number[] }> {
  const t = await webgpu();
  const { xs, ys } = dataset();
  const out: Record<string, number[]> = {};
  const bindGroups: number[] = [];
  for (const gradTransfer of ['copy', 'bind'] as const) {
    const m = mlp(51);
    const o = createTfjsOptimizer('adam', { lr: 0.01 }, { gradTransfer });
    m.compile({ optimizer: o, loss: 'meanSquaredError' });
    let b0 = 0;
    for (let i = 0; i < 4; i++) {
      const x = tf.slice(xs, [16 * i, 0], [16, 4]);
      const y = tf.slice(ys, [16 * i, 0], [16, 1]);
      await m.trainOnBatch(x, y);
      tf.dispose([x, y]);
      // bind groups made by steps 2..4 (the first step makes every path's own)
      if (i === 0) b0 = t.ourBindGroups();
    }
    bindGroups.push(t.ourBindGroups() - b0);
    out[gradTransfer] = bits((await weightsOf(m)).flat());
    m.dispose();
    o.dispose();
  }
  tf.dispose([xs, ys]);
  return { copy: out.copy ?? [], bind: out.bind ?? [], bindGroups };
}

/** clipGradValue reaches the kernels: SGD with lr 1 moves each element by at most the clip. */
async function clipValue(): Promise<number[]> {
  await webgpu();
  const w = tf.variable(tf.zeros([6]), true, 'clip_value_w');
  const o = createTfjsOptimizer('sgd', { lr: 1 }, { clipGradValue: 0.5 });
  const g = tf.tensor1d([5, -5, 0.25, -0.25, 0.5, 100]);
  o.applyGradients([{ name: w.name, tensor: g }]);
  const out = Array.from(await w.data());
  o.dispose();
  tf.dispose([w, g]);
  return out;
}

/**
 * 200 minimize steps, then 50 variableGrads + applyGradients steps: tf.memory() after step 1,
 * step 200 and the loop, and our bind groups.
 */
async function leakCheck(algorithm: Algorithm): Promise<{
  after1: { numTensors: number; numBytes: number };
  after200: { numTensors: number; numBytes: number };
  afterGradsLoop: { numTensors: number; numBytes: number };
  bindGroupsAfterFirst: number;
}> {
  const t = await webgpu();
  const w = tf.variable(tf.tensor2d(lcg(12, 8), [3, 4]), true, `leak_${algorithm}`);
  const x = tf.tensor2d(lcg(8, 9), [4, 2]);
  const opt = createTfjsOptimizer(algorithm, { lr: 1e-3 });
  const f = () => tf.mean(tf.square(tf.matMul(w, x))) as tf.Scalar;
  const snap = () => ({ numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes });
  opt.minimize(f);
  const after1 = snap();
  const bg = t.ourBindGroups();
  for (let i = 1; i < 200; i++) opt.minimize(f);
  await w.data();
  const after200 = snap();
  // applyGradients disposes the gradients it is given: a variableGrads loop that disposes only
  // the loss leaks nothing either.
  for (let i = 0; i < 50; i++) {
    const { value, grads } = tf.variableGrads(f, [w]);
    value.dispose();
    opt.applyGradients(grads);
  }
  await w.data();
  const result = {
    after1,
    after200,
    afterGradsLoop: snap(),
    bindGroupsAfterFirst: t.ourBindGroups() - bg,
  };
  opt.dispose();
  tf.dispose([w, x]);
  return result;
}

/** The errors on the CPU backend: at creation, and at applyGradients of an existing one. */
async function wrongBackend(): Promise<{ atCreate: string; atApply: string; backend: string }> {
  await webgpu();
  const made = createTfjsOptimizer('adam');
  const v = tf.variable(tf.zeros([3]), true, 'wrong_backend_v');
  await tf.setBackend('cpu');
  const message = (f: () => unknown) => {
    try {
      f();
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };
  const g = tf.ones([3]);
  const atCreate = message(() => createTfjsOptimizer('sgd'));
  const atApply = message(() => made.applyGradients({ [v.name]: g }));
  const backend = tf.getBackend();
  tf.dispose([g, v]);
  made.dispose();
  await tf.setBackend('webgpu');
  return { atCreate, atApply, backend };
}

/**
 * ScheduleFreeAdamW through the TF.js wrapper: eval() before any step (no change), three
 * applyGradients, eval() (x), train() (y again), against the CPU reference on the same
 * numbers; and the errors of applyGradients in eval mode and of eval() on another algorithm.
 */
async function scheduleFreeModes(): Promise<{
  beforeStep: boolean;
  y: number[];
  x: number[];
  back: number[];
  refY: number[];
  refX: number[];
  inEval: string;
  onAdam: string;
}> {
  await webgpu();
  const init = lcg(12, 21);
  const w = tf.variable(tf.tensor2d(init, [3, 4]), true, 'sf_modes_w');
  const opt = createTfjsOptimizer('schedulefreeadamw', { lr: 0.05, weightDecay: 0.01 });
  const bits = async () => Array.from(new Uint32Array((await w.data()).buffer.slice(0)));
  const message = (f: () => unknown) => {
    try {
      f();
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };
  opt.eval();
  const beforeStep = (await w.data()).every((v, i) => Object.is(v, init[i]));
  opt.train();
  const ref = new Float32Array(init);
  const reference = new ScheduleFreeAdamWReference([ref], { lr: 0.05, weightDecay: 0.01 });
  for (let k = 0; k < 3; k++) {
    const g = lcg(12, 30 + k);
    opt.applyGradients({ [w.name]: tf.tensor2d(g, [3, 4]) });
    reference.step([g]);
  }
  const y = await bits();
  const refY = Array.from(new Uint32Array(ref.buffer.slice(0)));
  opt.eval();
  reference.eval();
  const x = await bits();
  const refX = Array.from(new Uint32Array(ref.buffer.slice(0)));
  const g = tf.ones([3, 4]);
  const inEval = message(() => opt.applyGradients({ [w.name]: g }));
  opt.train();
  const back = await bits();
  const adam = createTfjsOptimizer('adam');
  const onAdam = message(() => adam.eval());
  adam.dispose();
  opt.dispose();
  tf.dispose([w, g]);
  return { beforeStep, y, x, back, refY, refX, inEval, onAdam };
}

/** Device errors seen so far (should stay empty). */
async function tfjsUncaptured(): Promise<string[]> {
  return (await webgpu()).uncaptured;
}

/**
 * An algorithm by name through createTfjsOptimizer (3 applyGradients steps on a 9-element
 * variable) and the CPU reference on the same data: the two final weights.
 */
async function byName(algorithm: Algorithm): Promise<{ gpu: number[]; ref: number[] }> {
  await webgpu();
  const w0 = lcg(9, 31);
  const w = tf.variable(tf.tensor1d(w0), true, `by_name_${algorithm}`);
  const o = createTfjsOptimizer(algorithm, { lr: 0.01 });
  const p = new Float32Array(w0);
  const ref = new ReferenceOptimizer(algorithm, [p], { lr: 0.01 } as never);
  for (let s = 0; s < 3; s++) {
    const g = lcg(9, 40 + s);
    o.applyGradients([{ name: w.name, tensor: tf.tensor1d(g) }]);
    ref.step([new Float32Array(g)]);
  }
  const gpu = Array.from(await w.data());
  o.dispose();
  w.dispose();
  return { gpu, ref: Array.from(p) };
}

/**
 * stateDtype 'q8' through the adapter: a 5000-element variable (stored in 8 bits) and a
 * 300-element one (f32 under min8bitSize), 3 steps, against the reference with 'q8'. With
 * `roundTrip`: two more variables (4100 in 8 bits, 20 in f32: LAMB gathers 300 and 20), then
 * getWeights → setWeights into a fresh optimizer (the codes recovered from the f32 weights,
 * Adadelta's square_avg by rounding up) and 3 more steps, the reference never stopping.
 */
async function q8Adapter(
  algorithm: 'adam' | 'lamb' | 'adadelta' = 'adam',
  roundTrip = false,
): Promise<{
  gpu: number[][];
  ref: number[][];
  quantized: boolean[];
  stateDtype: string;
  codes: number;
}> {
  await webgpu();
  const sizes = roundTrip ? [5000, 300, 4100, 20] : [5000, 300];
  const w0 = sizes.map((n, k) => lcg(n, 70 + k));
  const ws = w0.map((w, k) => tf.variable(tf.tensor1d(w), true, `q8_adapter_${algorithm}_${k}`));
  const options = { lr: algorithm === 'adadelta' ? 1 : 0.01 };
  let o = createTfjsOptimizer(algorithm, options, { stateDtype: 'q8' });
  const ps = w0.map((w) => new Float32Array(w));
  const ref = new ReferenceOptimizer(algorithm, ps, { ...options, stateDtype: 'q8' });
  const steps = (from: number) => {
    for (let s = from; s < from + 3; s++) {
      const gs = sizes.map((n, k) => lcg(n, 80 + 10 * s + k));
      o.applyGradients(
        ws.map((w, k) => ({ name: w.name, tensor: tf.tensor1d(gs[k] as Float32Array) })),
      );
      ref.step(gs.map((g) => new Float32Array(g)));
    }
  };
  steps(0);
  const quantized = sizes.map((_, k) => o.gpuOptimizer?.isQuantized(k) ?? false);
  const dict = await o.stateDict();
  if (roundTrip) {
    const saved = await o.getWeights();
    o.dispose();
    o = createTfjsOptimizer(algorithm, options, { stateDtype: 'q8' });
    await o.setWeights(saved);
    tf.dispose(saved.map((w) => w.tensor));
    steps(3);
  }
  const gpu = (await Promise.all(ws.map((w) => w.data()))).map((d) => Array.from(d));
  const first = Object.values(dict.state[0]?.q8 ?? {})[0];
  const out = {
    gpu,
    ref: ps.map((p) => Array.from(p)),
    quantized,
    stateDtype: dict.stateDtype,
    codes: first?.codes.length ?? 0,
  };
  o.dispose();
  tf.dispose(ws);
  return out;
}

/** The docs example's losses, and the tensors it left behind (none). */
async function runTfjsFit(): Promise<{ losses: number[]; leftTensors: number }> {
  await webgpu();
  const before = tf.memory().numTensors;
  const losses = await tfjsFit();
  return { losses, leftTensors: tf.memory().numTensors - before };
}

export const tfjsSuites = {
  fitParity,
  assignMidTraining,
  minimizeParity,
  applyForms,
  weightsRoundTrip,
  saveLoad,
  transferModes,
  clipValue,
  byName,
  q8Adapter,
  leakCheck,
  wrongBackend,
  tfjsUncaptured,
  runTfjsFit,
  scheduleFreeModes,
};
