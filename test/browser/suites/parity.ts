import type { OptimizerCase } from '../../cases.ts';
import { ParamArena, ScheduleFreeAdamW, type TensorRef } from '../../../src/index.ts';
import type { ScheduleFreeAdamWReference } from '../../../src/reference/scheduleFreeOptimizer.ts';
import type { StateName } from '../../../src/options/types.ts';
import type { StateDtype } from '../../../src/options/stateDict.ts';
import { compare, trackScale, type Worst } from './compare.ts';
import { randomArray, readViews, rng, trackedDevice, type Counts } from './device.ts';
import { makeOptimizer, makeReference } from './optimizers.ts';

export interface ParityArgs {
  cases: OptimizerCase[];
  lengths: number[];
  steps: number;
  seed: number;
  /**
   * 'shared': every param in one buffer and every grad in another, at non-zero offsets with
   * mixed 16-byte alignment; 'separate': one buffer of exactly 4·length bytes per tensor;
   * 'interleaved': one buffer holding param 0, grad 0, param 1, grad 1, ... back to back;
   * 'arena': a ParamArena (its groups update as flat runs, src/optim/runs.ts);
   * 'arenaUserGrads': params in a ParamArena, grads in a user buffer at the same offsets (its
   * padding is not owned, so runs with padding inside fall back to one row per tensor);
   * 'packed': params and grads in user buffers laid out like an arena (runs only where
   * tensors are exactly back to back).
   */
  layout: 'shared' | 'separate' | 'interleaved' | 'arena' | 'arenaUserGrads' | 'packed';
  /** Extra bytes added to each grad offset (4 misaligns grads from params: scalar path). */
  gradShift?: number;
  workgroupSize?: number;
  /** How both the GPU optimizer and the reference store state (default 'f32'). */
  stateDtype?: StateDtype;
  /**
   * The optimizer's gatherBelow. Default: 0 on 'separate' (one dispatch per tensor), the
   * optimizer's default elsewhere; 65536 on 'separate' gathers the small tensors into one
   * dispatch (src/optim/gather.ts).
   */
  gatherBelow?: number;
}

export interface ParityResult {
  desc: string;
  param: Worst & { tensor: number };
  state: Worst & { tensor: number; name: string };
  /** Objects created by steps 2..S (must all be 0). */
  createdAfterFirstStep: Counts;
  dispatches: number;
  stepCounts: number[];
  errors: string[];
  /** With clipGradNorm: the last step's norm from the GPU and from the reference (f64 sum). */
  norm: { gpu: number; ref: number } | null;
  /** Param and state elements whose GPU and reference bits differ (0 when bitwise equal). */
  bitMismatches: { param: number; state: number };
  /** The state dict's stateDtype. */
  stateDtype: string;
  /** Non-zero elements of the param buffer outside every tensor (arena layouts; else 0). */
  paddingNonZero: number;
  /**
   * The algorithm's update reads a per-tensor value (LAMB): a step adds the tensor_sums
   * dispatches (as many as the update's) and one finalize dispatch; params are not bitwise.
   */
  tensorSums: boolean;
}

interface Layout {
  paramBuffers: GPUBuffer[];
  gradBuffers: GPUBuffer[];
  params: Required<TensorRef>[];
  grads: Required<TensorRef>[];
}

function makeLayout(device: GPUDevice, args: ParityArgs): Layout {
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  if (args.layout === 'separate') {
    const make = (label: string) =>
      args.lengths.map((n, i) =>
        device.createBuffer({ label: `${label}[${i}]`, size: 4 * n, usage }),
      );
    const paramBuffers = make('test/param');
    const gradBuffers = make('test/grad');
    return {
      paramBuffers,
      gradBuffers,
      params: args.lengths.map((n, i) => ({
        buffer: paramBuffers[i] as GPUBuffer,
        offset: 0,
        length: n,
      })),
      grads: args.lengths.map((n, i) => ({
        buffer: gradBuffers[i] as GPUBuffer,
        offset: 0,
        length: n,
      })),
    };
  }
  if (args.layout === 'arena' || args.layout === 'arenaUserGrads' || args.layout === 'packed') {
    const arena = new ParamArena(device, args.lengths, { label: 'test/arena' });
    const user = (label: string) => {
      const buffer = device.createBuffer({ label, size: arena.size, usage });
      return arena.params.map((p) => ({ ...p, buffer }) as Required<TensorRef>);
    };
    if (args.layout === 'arena') {
      return {
        paramBuffers: [arena.paramBuffer],
        gradBuffers: [arena.gradBuffer],
        params: arena.params as Required<TensorRef>[],
        grads: arena.grads as Required<TensorRef>[],
      };
    }
    const params = args.layout === 'packed' ? user('test/packed-params') : arena.params;
    const grads = user('test/packed-grads');
    return {
      paramBuffers: [(params[0] as TensorRef).buffer, arena.gradBuffer],
      gradBuffers: [
        (grads[0] as TensorRef).buffer,
        ...(args.layout === 'packed' ? [arena.paramBuffer] : []),
      ],
      params: params as Required<TensorRef>[],
      grads,
    };
  }
  if (args.layout === 'interleaved') {
    const params: Required<TensorRef>[] = [];
    const grads: Required<TensorRef>[] = [];
    let at = 8;
    const size = 8 + args.lengths.reduce((a, n) => a + 8 * n, 0);
    const buffer = device.createBuffer({ label: 'test/interleaved', size, usage });
    for (const n of args.lengths) {
      params.push({ buffer, offset: at, length: n });
      grads.push({ buffer, offset: at + 4 * n, length: n });
      at += 8 * n;
    }
    return { paramBuffers: [buffer], gradBuffers: [], params, grads };
  }
  // Offsets: a gap of 1..3 floats before each tensor gives every 16-byte residue.
  const offsets: number[] = [];
  let at = 4;
  args.lengths.forEach((n, i) => {
    at += 4 * (i % 3);
    offsets.push(at);
    at += 4 * n;
  });
  const shift = args.gradShift ?? 0;
  const paramBuffer = device.createBuffer({ label: 'test/params', size: at + 4, usage });
  const gradBuffer = device.createBuffer({ label: 'test/grads', size: at + shift + 4, usage });
  return {
    paramBuffers: [paramBuffer],
    gradBuffers: [gradBuffer],
    params: args.lengths.map((n, i) => ({
      buffer: paramBuffer,
      offset: offsets[i] as number,
      length: n,
    })),
    grads: args.lengths.map((n, i) => ({
      buffer: gradBuffer,
      offset: (offsets[i] as number) + shift,
      length: n,
    })),
  };
}

function diff(a: Counts, b: Counts): Counts {
  return {
    buffers: b.buffers - a.buffers,
    bindGroups: b.bindGroups - a.bindGroups,
    pipelines: b.pipelines - a.pipelines,
    shaderModules: b.shaderModules - a.shaderModules,
  };
}

async function runCase(c: OptimizerCase, args: ParityArgs, seed: number): Promise<ParityResult> {
  const { device, counts, adapterInfo } = await trackedDevice();
  // SwiftShader rounds f32 correctly, as the reference does: require bitwise equality there,
  // except with clipGradNorm, whose norm the GPU sums in an f32 tree and the reference in f64
  // (measured: up to 11 ULP on a million-element tensor through the clip coefficient), and
  // LAMB's params, whose trust ratio is a quotient of norms summed the same two ways (its state
  // does not depend on the ratio and stays bitwise)
  const swiftshader = /swiftshader/i.test(Object.values(adapterInfo).join(' '));
  const exact = swiftshader && !('clipGradNorm' in c.options) && c.algorithm !== 'lamb';
  const exactState = swiftshader && !('clipGradNorm' in c.options);
  const errors: string[] = [];
  device.pushErrorScope('validation');
  const next = rng(seed);
  const layout = makeLayout(device, args);
  const initial = layout.params.map((p) => randomArray(next, p.length));
  layout.params.forEach((p, i) =>
    device.queue.writeBuffer(p.buffer, p.offset, initial[i] as Float32Array<ArrayBuffer>),
  );
  const opt = makeOptimizer(c.algorithm, device, layout.params, {
    ...c.options,
    ...(args.workgroupSize ? { workgroupSize: args.workgroupSize } : {}),
    ...(args.stateDtype ? { stateDtype: args.stateDtype } : {}),
    gatherBelow: args.gatherBelow ?? (args.layout === 'separate' ? 0 : undefined),
    onError: (e) => errors.push(e.message),
  });
  const refParams = initial.map((a) => new Float32Array(a));
  const ref = makeReference(c.algorithm, refParams, {
    ...c.options,
    ...(args.stateDtype ? { stateDtype: args.stateDtype } : {}),
  });
  const paramScale = refParams.map((a) => a.map(Math.abs));
  const stateScale = new Map<string, Float32Array>();
  let afterFirst: Counts = { ...counts };
  for (let s = 0; s < args.steps; s++) {
    const grads = layout.grads.map((g) => randomArray(next, g.length));
    layout.grads.forEach((g, i) =>
      device.queue.writeBuffer(g.buffer, g.offset, grads[i] as Float32Array<ArrayBuffer>),
    );
    opt.step(layout.grads);
    if (s === 0) afterFirst = { ...counts };
    ref.step(grads);
    refParams.forEach((p, i) => trackScale(paramScale[i] as Float32Array, p));
    if (isScheduleFree(opt) && s === args.steps >> 1) {
      // eval() then train() halfway: with f32 state the params come back bitwise (on the GPU
      // alone; with 16-bit state saved_y is rounded, see docs/algorithms.md), and the steps
      // after it must still match the reference's bitwise. The readbacks' own buffers are
      // not the optimizer's: they are left out of createdAfterFirstStep.
      const before = counts.buffers;
      const y = await readViews(device, layout.params);
      const read = counts.buffers - before;
      opt.eval();
      (ref as ScheduleFreeAdamWReference).eval();
      opt.train();
      (ref as ScheduleFreeAdamWReference).train();
      const back = await readViews(device, layout.params);
      afterFirst.buffers += 2 * read;
      const moved = back.reduce((n, b, i) => n + differ(b, y[i] as Float32Array), 0);
      if (moved > 0 && (args.stateDtype ?? 'f32') === 'f32') {
        errors.push(`eval() then train() changed ${moved} param elements`);
      }
    }
    ref.stateDict().state.forEach((st, i) => {
      for (const [name, arr] of Object.entries(st)) {
        if (!(arr instanceof Float32Array)) continue;
        const key = `${i}:${name}`;
        const sc = stateScale.get(key) ?? new Float32Array(arr.length);
        trackScale(sc, arr);
        stateScale.set(key, sc);
      }
    });
  }
  if (isScheduleFree(opt)) {
    // end in eval mode: compare x, the average, as the reference computes it
    opt.eval();
    (ref as ScheduleFreeAdamWReference).eval();
    refParams.forEach((p, i) => trackScale(paramScale[i] as Float32Array, p));
  }
  const createdAfterFirstStep = diff(afterFirst, counts);
  const gpuParams = await readViews(device, layout.params);
  const paddingNonZero = ['arena', 'arenaUserGrads', 'packed'].includes(args.layout)
    ? await padding(device, layout.params)
    : 0;
  const gpuState = await opt.stateDict();
  const refState = ref.stateDict();
  let param: ParityResult['param'] = {
    index: -1,
    gpu: 0,
    ref: 0,
    ulps: 0,
    allowedUlps: 0,
    ok: true,
    nonFinite: 0,
    tensor: -1,
  };
  const bitMismatches = { param: 0, state: 0 };
  gpuParams.forEach((g, i) => {
    bitMismatches.param += differ(g, refParams[i] as Float32Array);
    const w = compare(g, refParams[i] as Float32Array, paramScale[i] as Float32Array, args.steps, {
      exact,
    });
    if (!w.ok || w.ulps >= param.ulps) param = { ...w, ok: w.ok && param.ok, tensor: i };
  });
  let state: ParityResult['state'] = {
    index: -1,
    gpu: 0,
    ref: 0,
    ulps: 0,
    allowedUlps: 0,
    ok: true,
    nonFinite: 0,
    tensor: -1,
    name: '',
  };
  refState.state.forEach((rs, i) => {
    for (const [name, arr] of Object.entries(rs)) {
      if (!(arr instanceof Float32Array)) continue;
      const g = gpuState.state[i]?.[name as StateName];
      if (!g) {
        errors.push(`GPU state dict lacks state[${i}].${name}`);
        continue;
      }
      bitMismatches.state += differ(g, arr);
      const w = compare(g, arr, stateScale.get(`${i}:${name}`) as Float32Array, args.steps, {
        exact: exactState,
      });
      if (!w.ok || w.ulps >= state.ulps) state = { ...w, ok: w.ok && state.ok, tensor: i, name };
    }
  });
  const dispatches = opt.lastStepDispatches;
  const norm =
    'clipGradNorm' in c.options
      ? { gpu: await opt.gradNorm(), ref: ref.lastGradNorm ?? NaN }
      : null;
  const stepCounts = gpuState.state.map((s) => s.step);
  await opt.checkErrors().catch((e: unknown) => errors.push(String(e)));
  opt.destroy();
  [...layout.paramBuffers, ...layout.gradBuffers].forEach((b) => b.destroy());
  const scoped = await device.popErrorScope();
  if (scoped) errors.push(`validation: ${scoped.message}`);
  return {
    desc: c.desc,
    param,
    state,
    createdAfterFirstStep,
    dispatches,
    stepCounts,
    errors,
    norm,
    bitMismatches,
    stateDtype: gpuState.stateDtype,
    paddingNonZero,
    tensorSums: c.algorithm === 'lamb',
  };
}

/**
 * Non-zero elements between and after the tensors of a buffer laid out like an arena (one
 * param buffer at offset 0): what a flat run writes besides the tensors must stay zero.
 */
async function padding(device: GPUDevice, params: readonly Required<TensorRef>[]): Promise<number> {
  const buffer = (params[0] as Required<TensorRef>).buffer;
  if (params.some((p) => p.buffer !== buffer)) return 0;
  const [all] = await readViews(device, [{ buffer, offset: 0, length: buffer.size / 4 }]);
  const inside = new Uint8Array(buffer.size / 4);
  for (const p of params) inside.fill(1, p.offset / 4, p.offset / 4 + p.length);
  let n = 0;
  (all as Float32Array).forEach((v, i) => {
    if (!inside[i] && !Object.is(v, 0)) n++;
  });
  return n;
}

function isScheduleFree(opt: object): opt is ScheduleFreeAdamW {
  return opt instanceof ScheduleFreeAdamW;
}

/** Elements whose bits differ (NaNs of any payload count as equal). */
function differ(a: Float32Array, b: Float32Array): number {
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (!Object.is(x, y) && !(Number.isNaN(x) && Number.isNaN(y))) n++;
  }
  return n;
}

/** Runs every case for `steps` steps on the GPU and on the CPU reference and compares. */
export async function parity(args: ParityArgs): Promise<ParityResult[]> {
  const out: ParityResult[] = [];
  for (const [k, c] of args.cases.entries()) out.push(await runCase(c, args, args.seed + 7919 * k));
  return out;
}
