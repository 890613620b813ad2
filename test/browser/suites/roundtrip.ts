import type { OptimizerCase } from '../../cases.ts';
import {
  GradScaler,
  LRScheduler,
  ParamArena,
  cosineAnnealing,
  deserializeStateDict,
  linearWarmup,
  sequential,
  serializeStateDict,
  type StateDict,
} from '../../../src/index.ts';
import type { StateDtype } from '../../../src/options/stateDict.ts';
import { randomArray, readViews, rng, trackedDevice } from './device.ts';
import { makeOptimizer } from './optimizers.ts';

export interface RoundTripArgs {
  cases: OptimizerCase[];
  lengths: number[];
  stepsBefore: number;
  stepsAfter: number;
  /** Save through serializeStateDict/deserializeStateDict (one ArrayBuffer). */
  viaBuffer?: boolean;
  /** Attach a warmup-then-cosine LRScheduler to both optimizers. */
  scheduler?: boolean;
  /**
   * Give each optimizer a GradScaler (initial scale 2^8, growth every 2 clean steps) and put a
   * NaN into the grads at these steps, so the checkpoint carries a scale, a growth tracker and
   * taken-step counts that differ from the number of step() calls.
   */
  gradScaler?: { poison: number[] };
  seed: number;
  /** How both optimizers store state (default 'f32'). */
  stateDtype?: StateDtype;
  /**
   * Params (and grads) in ParamArenas, so each optimizer updates its group as a flat run and
   * keeps the run's state as one range per array (src/optim/runs.ts); the padding stays zero.
   */
  arena?: boolean;
}

export interface RoundTripResult {
  desc: string;
  /** Elements of the params that differ bitwise between the two runs. */
  paramMismatches: number;
  /** State arrays that differ bitwise at the end. */
  stateMismatches: string[];
  stepCounts: number[];
  /** With gradScaler: both optimizers' final scaler states, as JSON (must be equal). */
  scalers: [string, string] | null;
  errors: string[];
}

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

function differ(a: Float32Array, b: Float32Array): number {
  const x = bits(a);
  const y = bits(b);
  let n = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) n++;
  return n + Math.abs(a.length - b.length);
}

/**
 * Trains `stepsBefore` steps, saves the state dict, loads it into a fresh optimizer over a copy
 * of the params, then trains both (the original, never interrupted, and the restored one)
 * `stepsAfter` more steps on the same grads. The results must be bitwise equal.
 */
export async function roundTrip(args: RoundTripArgs): Promise<RoundTripResult[]> {
  const { device } = await trackedDevice();
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const out: RoundTripResult[] = [];
  for (const [k, c] of args.cases.entries()) {
    const errors: string[] = [];
    device.pushErrorScope('validation');
    const next = rng(args.seed + k);
    const total = args.lengths.reduce((a, n) => a + n, 0);
    const arenas = args.arena ? [0, 1, 2].map(() => new ParamArena(device, args.lengths)) : null;
    const offsets = arenas
      ? (arenas[0] as ParamArena).params.map((p) => p.offset ?? 0)
      : args.lengths.map((_, i) => 4 * (args.lengths.slice(0, i).reduce((a, n) => a + n, 0) + i));
    const size = arenas ? (arenas[0] as ParamArena).size : 4 * (total + args.lengths.length);
    const mk = (label: string) => device.createBuffer({ label, size, usage });
    const [pa, pb, gr] = (
      arenas
        ? arenas.map((x, j) => (j < 2 ? x.paramBuffer : x.gradBuffer))
        : [mk('test/params-a'), mk('test/params-b'), mk('test/grads')]
    ) as [GPUBuffer, GPUBuffer, GPUBuffer];
    const refs = (buffer: GPUBuffer) =>
      args.lengths.map((n, i) => ({ buffer, offset: offsets[i] as number, length: n }));
    // An arena's padding belongs to the arena: nothing may write it but the optimizer.
    const inside = new Uint8Array(size / 4);
    args.lengths.forEach((n, i) =>
      inside.fill(1, (offsets[i] as number) / 4, (offsets[i] as number) / 4 + n),
    );
    const clean = (a: Float32Array<ArrayBuffer>) => {
      if (arenas) a.forEach((_, i) => (inside[i] ? 0 : (a[i] = 0)));
      return a;
    };
    const init = clean(randomArray(next, size / 4));
    device.queue.writeBuffer(pa, 0, init);
    const onError = (e: Error) => errors.push(e.message);
    const scalerOptions = { initScale: 2 ** 8, growthInterval: 2 };
    const scalerA = args.gradScaler ? new GradScaler(device, scalerOptions) : undefined;
    const a = makeOptimizer(c.algorithm, device, refs(pa), {
      ...c.options,
      onError,
      gradScaler: scalerA,
      ...(args.stateDtype ? { stateDtype: args.stateDtype } : {}),
    });
    const gradSteps = Array.from({ length: args.stepsBefore + args.stepsAfter }, (_, s) => {
      const g = clean(randomArray(next, size / 4));
      if (args.gradScaler?.poison.includes(s)) g[offsets[0] as number] = NaN;
      return g;
    });
    const schedule = sequential(
      [linearWarmup({ startFactor: 0.2, totalIters: 3 }), cosineAnnealing({ tMax: 20 })],
      [3],
    );
    const schedA = args.scheduler ? new LRScheduler(a, schedule) : null;
    const stepOnce = (opt: typeof a, sched: LRScheduler | null, s: number) => {
      device.queue.writeBuffer(gr, 0, gradSteps[s] as Float32Array<ArrayBuffer>);
      opt.step(refs(gr));
      sched?.step();
    };
    for (let s = 0; s < args.stepsBefore; s++) stepOnce(a, schedA, s);
    let saved: StateDict = await a.stateDict();
    if (saved.stateDtype !== (args.stateDtype ?? 'f32'))
      errors.push(`stateDtype ${saved.stateDtype}`);
    if (args.viaBuffer) saved = deserializeStateDict(serializeStateDict(saved));
    // The restored optimizer starts from a copy of the params at the checkpoint.
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(pa, 0, pb, 0, size);
    device.queue.submit([enc.finish()]);
    const scalerB = args.gradScaler ? new GradScaler(device, scalerOptions) : undefined;
    const b = makeOptimizer(c.algorithm, device, refs(pb), {
      ...c.options,
      onError,
      gradScaler: scalerB,
      ...(args.stateDtype ? { stateDtype: args.stateDtype } : {}),
    });
    const schedB = args.scheduler ? new LRScheduler(b, schedule) : null;
    b.loadStateDict(saved);
    for (let s = args.stepsBefore; s < args.stepsBefore + args.stepsAfter; s++) {
      stepOnce(a, schedA, s);
      stepOnce(b, schedB, s);
    }
    const [va, vb] = await readViews(device, [
      { buffer: pa, offset: 0, length: size / 4 },
      { buffer: pb, offset: 0, length: size / 4 },
    ]);
    const [sa, sb] = [await a.stateDict(), await b.stateDict()];
    const stateMismatches: string[] = [];
    sa.state.forEach((st, i) => {
      for (const [name, arr] of Object.entries(st)) {
        if (name === 'step') {
          if (arr !== sb.state[i]?.step) stateMismatches.push(`state[${i}].step`);
          continue;
        }
        const other = (sb.state[i] as Record<string, unknown>)[name];
        // a carried scalar (NAdam's mu_product) is a number: it must match exactly too
        if (typeof arr === 'number') {
          if (!Object.is(arr, other)) stateMismatches.push(`state[${i}].${name}`);
          continue;
        }
        if (!(other instanceof Float32Array) || differ(arr as Float32Array, other) > 0) {
          stateMismatches.push(`state[${i}].${name}`);
        }
      }
    });
    await a.checkErrors().catch((e: unknown) => errors.push(String(e)));
    await b.checkErrors().catch((e: unknown) => errors.push(String(e)));
    const scalers: [string, string] | null =
      scalerA && scalerB
        ? [JSON.stringify(await scalerA.state()), JSON.stringify(await scalerB.state())]
        : null;
    a.destroy();
    b.destroy();
    scalerA?.destroy();
    scalerB?.destroy();
    [pa, pb, gr].forEach((x) => x.destroy());
    const scoped = await device.popErrorScope();
    if (scoped) errors.push(`validation: ${scoped.message}`);
    out.push({
      desc: c.desc,
      paramMismatches: differ(va as Float32Array, vb as Float32Array),
      stateMismatches,
      stepCounts: sb.state.map((s) => s.step),
      scalers,
      errors,
    });
  }
  return out;
}
