/**
 * GradScaler on the GPU against the CPU reference. Three runs see the same true gradients:
 * - the GPU optimizer with a GradScaler, fed `true · scale` with some elements poisoned (inf or
 *   NaN) on some steps;
 * - reference A with a GradScalerReference, fed exactly what the GPU is fed;
 * - reference B with its own GradScalerReference, which never sees a poisoned step.
 * The scales are powers of two, so unscaling recovers the true gradients exactly, and A and B
 * must agree bitwise. Around every poisoned step the GPU's params, state and step counts must
 * be bitwise untouched; at the end the GPU must match B within the parity tolerance, and its
 * scale and step counts must equal A's.
 */
import type { OptimizerCase } from '../../cases.ts';
import { GradScaler, ParamArena, type StateDict, type TensorRef } from '../../../src/index.ts';
import { GradScalerReference } from '../../../src/reference/gradScaler.ts';
import type { GradScalerOptions } from '../../../src/options/scaler.ts';
import type { StateName } from '../../../src/options/types.ts';
import { compare, trackScale, type Worst } from './compare.ts';
import { randomArray, readViews, rng, trackedDevice, type Counts } from './device.ts';
import { makeOptimizer, makeReference } from './optimizers.ts';

export interface Poison {
  step: number;
  tensor: number;
  element: number;
  value: 'nan' | 'inf' | '-inf';
}

export interface ScalerArgs {
  cases: OptimizerCase[];
  lengths: number[];
  steps: number;
  poison: Poison[];
  scaler: GradScalerOptions;
  /** 'shared': params in one buffer and grads in another, at mixed 16-byte alignment. */
  layout: 'arena' | 'separate' | 'shared';
  seed: number;
  /**
   * The optimizers' gatherBelow. Default: 0 on 'separate' (one dispatch per tensor), the
   * optimizers' default elsewhere; 65536 on 'separate' gathers every tensor into one dispatch.
   */
  gatherBelow?: number;
}

export interface ScalerResult {
  desc: string;
  /** GPU against reference B (never saw a poisoned step), in the parity tolerance. */
  param: Worst;
  state: Worst & { name: string };
  /** Elements where reference A and reference B differ bitwise (must be 0). */
  referenceMismatches: number;
  /**
   * Carried scalars (NAdam's mu_product; ScheduleFreeAdamW's weightSum and lrMax, in the param
   * groups) where the GPU's, read back by stateDict(), differs bitwise from reference B's (must
   * be empty: both compute them in f32 the same way).
   */
  carriedMismatches: string[];
  /** Per poisoned step: what changed on the GPU (must be empty). */
  skipped: { step: number; changed: string[]; foundInf: boolean }[];
  /** Whether foundInf() read false after the last step (a clean one). */
  lastFoundInf: boolean;
  gpuScale: number;
  refScale: number;
  stepCounts: number[];
  refStepCounts: number[];
  dispatches: { update: number; clip: number; scaler: number };
  createdAfterFirstStep: Counts;
  errors: string[];
}

function bitsDiffer(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) n++;
  return n;
}

/** What differs bitwise between two GPU snapshots (params and state dict). */
function changes(
  before: { params: Float32Array[]; dict: StateDict },
  after: { params: Float32Array[]; dict: StateDict },
): string[] {
  const out: string[] = [];
  before.params.forEach((p, i) => {
    if (bitsDiffer(p, after.params[i] as Float32Array) > 0) out.push(`params[${i}]`);
  });
  before.dict.state.forEach((s, i) => {
    const t = after.dict.state[i] as Record<string, unknown>;
    for (const [name, v] of Object.entries(s)) {
      if (name === 'step') {
        if (v !== t.step) out.push(`state[${i}].step ${String(v)} -> ${String(t.step)}`);
      } else if (typeof v === 'number') {
        // a carried scalar (NAdam's mu_product): a skipped step must not advance it
        if (!Object.is(v, t[name])) out.push(`state[${i}].${name} ${v} -> ${String(t[name])}`);
      } else if (bitsDiffer(v as Float32Array, t[name] as Float32Array) > 0) {
        out.push(`state[${i}].${name}`);
      }
    }
  });
  before.dict.paramGroups.forEach((g, gi) => {
    const h = after.dict.paramGroups[gi] as Record<string, unknown>;
    for (const name of ['weightSum', 'lrMax']) {
      const v = (g as Record<string, unknown>)[name];
      // ScheduleFreeAdamW's running values, carried on the GPU: a skipped step must keep them
      if (!Object.is(v, h[name]))
        out.push(`paramGroups[${gi}].${name} ${String(v)} -> ${String(h[name])}`);
    }
  });
  return out;
}

const POISON = { nan: NaN, inf: Infinity, '-inf': -Infinity };

function layoutOf(device: GPUDevice, lengths: number[], kind: ScalerArgs['layout']) {
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  if (kind === 'arena') {
    const arena = new ParamArena(device, lengths, { label: 'test/scaler-arena' });
    return {
      params: arena.params as Required<TensorRef>[],
      grads: arena.grads as Required<TensorRef>[],
      destroy: () => arena.destroy(),
    };
  }
  if (kind === 'shared') {
    // A gap of 1..3 floats before each tensor: every 16-byte residue, so scalar heads too.
    const offsets: number[] = [];
    let at = 4;
    lengths.forEach((n, i) => {
      at += 4 * (i % 3);
      offsets.push(at);
      at += 4 * n;
    });
    const pb = device.createBuffer({ label: 'test/scaler-params', size: at, usage });
    const gb = device.createBuffer({ label: 'test/scaler-grads', size: at, usage });
    const view = (buffer: GPUBuffer) =>
      lengths.map((n, i) => ({ buffer, offset: offsets[i] as number, length: n }));
    return {
      params: view(pb),
      grads: view(gb),
      destroy: () => [pb, gb].forEach((b) => b.destroy()),
    };
  }
  const make = (label: string) =>
    lengths.map((n, i) => device.createBuffer({ label: `${label}[${i}]`, size: 4 * n, usage }));
  const pb = make('test/scaler-param');
  const gb = make('test/scaler-grad');
  return {
    params: lengths.map((n, i) => ({ buffer: pb[i] as GPUBuffer, offset: 0, length: n })),
    grads: lengths.map((n, i) => ({ buffer: gb[i] as GPUBuffer, offset: 0, length: n })),
    destroy: () => [...pb, ...gb].forEach((b) => b.destroy()),
  };
}

async function runCase(c: OptimizerCase, args: ScalerArgs, seed: number): Promise<ScalerResult> {
  const { device, counts } = await trackedDevice();
  const errors: string[] = [];
  device.pushErrorScope('validation');
  const next = rng(seed);
  const layout = layoutOf(device, args.lengths, args.layout);
  const initial = layout.params.map((p) => randomArray(next, p.length));
  layout.params.forEach((p, i) =>
    device.queue.writeBuffer(p.buffer, p.offset, initial[i] as Float32Array<ArrayBuffer>),
  );
  const scaler = new GradScaler(device, args.scaler);
  const opt = makeOptimizer(c.algorithm, device, layout.params, {
    ...c.options,
    gradScaler: scaler,
    onError: (e) => errors.push(e.message),
    gatherBelow: args.gatherBelow ?? (args.layout === 'separate' ? 0 : undefined),
  });
  const scalerA = new GradScalerReference(args.scaler);
  const scalerB = new GradScalerReference(args.scaler);
  const paramsA = initial.map((a) => new Float32Array(a));
  const paramsB = initial.map((a) => new Float32Array(a));
  const refA = makeReference(c.algorithm, paramsA, { ...c.options, gradScaler: scalerA });
  const refB = makeReference(c.algorithm, paramsB, { ...c.options, gradScaler: scalerB });
  const paramScale = paramsB.map((a) => a.map(Math.abs));
  const stateScale = new Map<string, Float32Array>();
  const skipped: ScalerResult['skipped'] = [];
  const createdAfterFirstStep: Counts = {
    buffers: 0,
    bindGroups: 0,
    pipelines: 0,
    shaderModules: 0,
  };
  const snapshot = async () => ({
    params: await readViews(device, layout.params),
    dict: await opt.stateDict(),
  });
  for (let s = 0; s < args.steps; s++) {
    const truth = layout.grads.map((g) => randomArray(next, g.length));
    const scaled = truth.map((g) => g.map((x) => x * scalerA.scale));
    const poisons = args.poison.filter((p) => p.step === s);
    for (const p of poisons) {
      (scaled[p.tensor] as Float32Array)[p.element] = POISON[p.value];
    }
    layout.grads.forEach((g, i) =>
      device.queue.writeBuffer(g.buffer, g.offset, scaled[i] as Float32Array<ArrayBuffer>),
    );
    const before = poisons.length > 0 ? await snapshot() : null;
    const was = { ...counts };
    opt.step(layout.grads);
    if (s > 0) {
      for (const key of Object.keys(was) as (keyof Counts)[]) {
        createdAfterFirstStep[key] += counts[key] - was[key];
      }
    }
    refA.step(scaled);
    if (before) {
      const after = await snapshot();
      skipped.push({ step: s, changed: changes(before, after), foundInf: await scaler.foundInf() });
      continue;
    }
    refB.step(truth.map((g) => g.map((x) => x * scalerB.scale)));
    paramsB.forEach((p, i) => trackScale(paramScale[i] as Float32Array, p));
    refB.stateDict().state.forEach((st, i) => {
      for (const [name, arr] of Object.entries(st)) {
        if (!(arr instanceof Float32Array)) continue;
        const sc = stateScale.get(`${i}:${name}`) ?? new Float32Array(arr.length);
        trackScale(sc, arr);
        stateScale.set(`${i}:${name}`, sc);
      }
    });
  }
  const gpuParams = await readViews(device, layout.params);
  const gpuDict = await opt.stateDict();
  const dictA = refA.stateDict();
  const dictB = refB.stateDict();
  let referenceMismatches = 0;
  paramsA.forEach((p, i) => (referenceMismatches += bitsDiffer(p, paramsB[i] as Float32Array)));
  dictA.state.forEach((s, i) => {
    for (const [name, v] of Object.entries(s)) {
      if (v instanceof Float32Array) {
        referenceMismatches += bitsDiffer(v, dictB.state[i]?.[name as StateName] as Float32Array);
      }
    }
  });
  const carriedMismatches: string[] = [];
  dictB.state.forEach((rs, i) => {
    const g = gpuDict.state[i];
    if (!Object.is(rs.mu_product, g?.mu_product)) {
      carriedMismatches.push(`state[${i}].mu_product gpu=${g?.mu_product} ref=${rs.mu_product}`);
    }
  });
  dictB.paramGroups.forEach((rg, gi) => {
    const g = gpuDict.paramGroups[gi] as Record<string, unknown>;
    for (const name of ['weightSum', 'lrMax']) {
      const want = (rg as Record<string, unknown>)[name];
      if (!Object.is(want, g[name])) {
        carriedMismatches.push(
          `paramGroups[${gi}].${name} gpu=${String(g[name])} ref=${String(want)}`,
        );
      }
    }
  });
  const steps = args.steps - skipped.length;
  // these cases are about non-finite gradients: keep accepting equal non-finite values
  const nonFinite = { allowNonFinite: true };
  let param: Worst = compare(
    new Float32Array(0),
    new Float32Array(0),
    new Float32Array(0),
    steps,
    nonFinite,
  );
  gpuParams.forEach((g, i) => {
    const w = compare(
      g,
      paramsB[i] as Float32Array,
      paramScale[i] as Float32Array,
      steps,
      nonFinite,
    );
    if (!w.ok || w.ulps >= param.ulps) param = { ...w, ok: w.ok && param.ok };
  });
  let state: ScalerResult['state'] = { ...param, ok: true, ulps: 0, name: '' };
  dictB.state.forEach((rs, i) => {
    for (const [name, arr] of Object.entries(rs)) {
      if (!(arr instanceof Float32Array)) continue;
      const g = gpuDict.state[i]?.[name as StateName] as Float32Array;
      const w = compare(g, arr, stateScale.get(`${i}:${name}`) as Float32Array, steps, nonFinite);
      if (!w.ok || w.ulps >= state.ulps) state = { ...w, ok: w.ok && state.ok, name };
    }
  });
  const result: ScalerResult = {
    desc: c.desc,
    param,
    state,
    referenceMismatches,
    carriedMismatches,
    skipped,
    lastFoundInf: await scaler.foundInf(),
    gpuScale: await scaler.getScale(),
    refScale: scalerA.scale,
    stepCounts: gpuDict.state.map((s) => s.step),
    refStepCounts: dictA.state.map((s) => s.step),
    dispatches: {
      update: opt.lastStepDispatches,
      clip: opt.lastClipDispatches,
      scaler: opt.lastScalerDispatches,
    },
    createdAfterFirstStep,
    errors,
  };
  await opt.checkErrors().catch((e: unknown) => errors.push(String(e)));
  opt.destroy();
  scaler.destroy();
  layout.destroy();
  const scoped = await device.popErrorScope();
  if (scoped) errors.push(`validation: ${scoped.message}`);
  return result;
}

/** Runs every case with a GradScaler on the GPU and on two references and compares. */
export async function scalerRun(args: ScalerArgs): Promise<ScalerResult[]> {
  const out: ScalerResult[] = [];
  for (const [k, c] of args.cases.entries()) out.push(await runCase(c, args, args.seed + 7919 * k));
  return out;
}
