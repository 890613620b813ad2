/**
 * ScheduleFreeAdamW with a GradScaler against the CPU reference with a GradScalerReference,
 * bitwise after every step: the GPU computes each step's lr, ckp1, y_coef and bias correction
 * from the steps actually taken, and carries weight_sum and lr_max, in f32 as the reference
 * mirrors (src/options/scalerScheduleFree.ts). Both are fed the same scaled gradients, some
 * poisoned with inf or NaN (the very first two steps among them, so that eval() and train()
 * run while no step has been taken). Checked along the way: a poisoned step changes nothing
 * (params, z, exp_avg_sq, weightSum, lrMax, step counts), eval() then train() restores the
 * params bitwise, and stateDict() → a fresh optimizer's loadStateDict() → more steps continues
 * bitwise, with the saved weightSum and lrMax equal to the reference's.
 */
import {
  GradScaler,
  ScheduleFreeAdamW,
  type StateDict,
  type TensorRef,
} from '../../../src/index.ts';
import { GradScalerReference } from '../../../src/reference/gradScaler.ts';
import { ScheduleFreeAdamWReference } from '../../../src/reference/scheduleFreeOptimizer.ts';
import type { StateDtype } from '../../../src/options/stateDict.ts';
import { randomArray, readViews, rng, trackedDevice, uploadBuffer } from './device.ts';

export interface ScheduleFreeScalerConfig {
  desc: string;
  /** Options of the second param group (the first has the defaults but lr). */
  second: Record<string, unknown>;
  /** Options of both groups (r, weightLrPower, ...). */
  shared: Record<string, unknown>;
  stateDtype?: StateDtype;
}

export interface ScheduleFreeScalerResult {
  desc: string;
  /** Elements (params, then state arrays and group values) that differ bitwise, per check. */
  mismatches: Record<string, number>;
  /** What a poisoned step changed on the GPU, per poisoned step (each must be empty). */
  changedBySkip: string[];
  stepCounts: number[];
  refStepCounts: number[];
  /** The final saved weightSum of each group, GPU then reference. */
  weightSums: [number, number][];
  errors: string[];
}

const LENGTHS = [5, 256, 7, 1029];
/** Steps of the first run; poisoned: the first two, one late, and the first after loading. */
const STEPS = 9;
const POISONED = new Set([0, 1, 6]);
const MORE_STEPS = 3;
const POISONED_AFTER_LOAD = new Set([0]);
const SCALER = { initScale: 2 ** 10, growthInterval: 3 };

function bitsDiffer(a: Float32Array, b: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

/** Views at mixed 16-byte residues in one buffer. */
function views(buffer: GPUBuffer): Required<TensorRef>[] {
  let at = 4;
  return LENGTHS.map((length, i) => {
    at += 4 * (i % 3);
    const v = { buffer, offset: at, length };
    at += 4 * length;
    return v;
  });
}

/** Elements and group values (and `withScaler`, the scaler's state) where two dicts differ. */
function dictDiffers(a: StateDict, b: StateDict, withScaler = false): number {
  let n = 0;
  if (withScaler && JSON.stringify(a.gradScaler) !== JSON.stringify(b.gradScaler)) n++;
  a.state.forEach((s, i) => {
    for (const [name, v] of Object.entries(s)) {
      const w = (b.state[i] as Record<string, unknown>)[name];
      if (v instanceof Float32Array) n += bitsDiffer(v, w as Float32Array);
      else if (!Object.is(v, w)) n++;
    }
  });
  a.paramGroups.forEach((g, gi) => {
    const h = b.paramGroups[gi] as Record<string, unknown>;
    for (const name of ['weightSum', 'lrMax', 'trainMode'])
      if (!Object.is((g as Record<string, unknown>)[name], h[name])) n++;
  });
  return n;
}

async function runConfig(c: ScheduleFreeScalerConfig, seed: number) {
  const { device } = await trackedDevice();
  const errors: string[] = [];
  device.pushErrorScope('validation');
  const size = 16 + 4 * LENGTHS.reduce((a, n) => a + n + 2, 0);
  const bufA = uploadBuffer(device, size, 'test/sf-scaler-params-a');
  const bufB = uploadBuffer(device, size, 'test/sf-scaler-params-b');
  const bufG = uploadBuffer(device, size, 'test/sf-scaler-grads');
  const pa = views(bufA);
  const pb = views(bufB);
  const gs = views(bufG);
  const next = rng(seed);
  const init = LENGTHS.map((n) => randomArray(next, n));
  pa.forEach((p, i) =>
    device.queue.writeBuffer(p.buffer, p.offset, init[i] as Float32Array<ArrayBuffer>),
  );
  const groups = <T>(ps: T[]) => [{ params: ps.slice(0, 2) }, { params: ps.slice(2), ...c.second }];
  const options = { lr: 0.01, ...c.shared };
  const host = (scaler: GradScaler) => ({
    ...options,
    gradScaler: scaler,
    onError: (e: { message: string }) => errors.push(e.message),
    ...(c.stateDtype ? { stateDtype: c.stateDtype } : {}),
  });
  const scalerA = new GradScaler(device, SCALER);
  const a = new ScheduleFreeAdamW(device, groups(pa), host(scalerA));
  const refParams = init.map((x) => new Float32Array(x));
  const refScaler = new GradScalerReference(SCALER);
  const ref = new ScheduleFreeAdamWReference(groups(refParams), {
    ...options,
    gradScaler: refScaler,
    ...(c.stateDtype ? { stateDtype: c.stateDtype } : {}),
  });
  const mismatches: Record<string, number> = {};
  const check = async (name: string, opt: ScheduleFreeAdamW, ps: Required<TensorRef>[]) => {
    const got = await readViews(device, ps);
    let n = got.reduce((k, g, i) => k + bitsDiffer(g, refParams[i] as Float32Array), 0);
    n += dictDiffers(await opt.stateDict(), ref.stateDict(), true);
    mismatches[name] = n;
  };
  const changedBySkip: string[] = [];
  const step = async (opt: ScheduleFreeAdamW, ps: Required<TensorRef>[], poison: boolean) => {
    const grads = LENGTHS.map((n) => randomArray(next, n).map((x) => x * refScaler.scale));
    if (poison) (grads[grads.length - 1] as Float32Array)[1000] = next() < 0.5 ? NaN : Infinity;
    gs.forEach((g, i) =>
      device.queue.writeBuffer(g.buffer, g.offset, grads[i] as Float32Array<ArrayBuffer>),
    );
    const before = poison
      ? { params: await readViews(device, ps), dict: await opt.stateDict() }
      : null;
    opt.step(gs);
    ref.step(grads);
    if (before) {
      const params = await readViews(device, ps);
      const dict = await opt.stateDict();
      const n =
        params.reduce((k, p, i) => k + bitsDiffer(p, before.params[i] as Float32Array), 0) +
        dictDiffers(before.dict, dict);
      if (n > 0) changedBySkip.push(`${n} values`);
    }
  };
  for (let s = 0; s < STEPS; s++) {
    await step(a, pa, POISONED.has(s));
    if (s === 0) {
      // only a skipped step so far: no tensor has z, so eval() and train() change nothing
      a.eval();
      ref.eval();
      await check('eval() after a skipped first step', a, pa);
      a.train();
      ref.train();
      await check('then train() (no z yet)', a, pa);
    }
    if (s === 4) {
      a.eval();
      ref.eval();
      await check('eval() after 3 steps taken', a, pa);
      a.train();
      ref.train();
      await check('then train()', a, pa);
    }
  }
  await check(`after ${STEPS} steps`, a, pa);
  // B: a fresh optimizer with a fresh scaler over a copy of the params, loaded from A's dict
  const dict = await a.stateDict();
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(bufA, 0, bufB, 0, size);
  device.queue.submit([enc.finish()]);
  const scalerB = new GradScaler(device);
  const b = new ScheduleFreeAdamW(device, groups(pb), host(scalerB));
  b.loadStateDict(dict);
  await check('loadStateDict()', b, pb);
  for (let s = 0; s < MORE_STEPS; s++) await step(b, pb, POISONED_AFTER_LOAD.has(s));
  await check(`loaded, then ${MORE_STEPS} steps`, b, pb);
  b.eval();
  ref.eval();
  await check('then eval()', b, pb);
  const final = await b.stateDict();
  const refFinal = ref.stateDict();
  const result: ScheduleFreeScalerResult = {
    desc: c.desc,
    mismatches,
    changedBySkip,
    stepCounts: final.state.map((s) => s.step),
    refStepCounts: refFinal.state.map((s) => s.step),
    weightSums: final.paramGroups.map((g, gi) => [
      (g as Record<string, unknown>).weightSum as number,
      (refFinal.paramGroups[gi] as Record<string, unknown>).weightSum as number,
    ]),
    errors,
  };
  for (const opt of [a, b]) await opt.checkErrors().catch((e: unknown) => errors.push(String(e)));
  a.destroy();
  b.destroy();
  scalerA.destroy();
  scalerB.destroy();
  [bufA, bufB, bufG].forEach((x) => x.destroy());
  const scoped = await device.popErrorScope();
  if (scoped) errors.push(`validation: ${scoped.message}`);
  return result;
}

/** Runs each configuration; see the file header. */
export async function scheduleFreeScaler(
  configs: ScheduleFreeScalerConfig[],
): Promise<ScheduleFreeScalerResult[]> {
  const out: ScheduleFreeScalerResult[] = [];
  for (const [k, c] of configs.entries()) out.push(await runConfig(c, 101 + 7919 * k));
  return out;
}
