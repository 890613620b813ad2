/**
 * Steps recorded ahead of their submit (`step(grads, encoder)`) against the same steps taken
 * one at a time. Two GPU runs per case see identical inputs:
 * - run P steps one at a time: each step's grads are copied into place and submitted, then a
 *   plain `step(grads)` submits the step (each writeBuffer is ordered after the previous
 *   step, so P is the meaning of "one at a time" by construction; P's own parity with the CPU
 *   reference is what test/browser/parity.test.ts checks);
 * - run R records the same steps in phases: several steps into ONE encoder, into SEPARATE
 *   encoders submitted together in order, or plain steps in between. Each step's grads are
 *   copied into place by commands recorded just before it, so every step sees its own grads.
 * Params, every state array, step counts and the GradScaler's state must agree bitwise.
 * Per-step changes that live on the host are varied between the recorded steps: lr (by hand
 * or by an LRScheduler), betas, and the grad views (a rebind: MULTI table and clip buffers).
 */
import type { OptimizerCase } from '../../cases.ts';
import {
  exponentialDecay,
  GradScaler,
  LRScheduler,
  ParamArena,
  type StateDict,
  type TensorRef,
} from '../../../src/index.ts';
import type { StateDtype } from '../../../src/options/stateDict.ts';
import { randomArray, readViews, rng, trackedDevice, type Counts } from './device.ts';
import { makeOptimizer } from './optimizers.ts';

/** `steps` steps recorded into one encoder, into one encoder each, or taken plainly. */
export interface Phase {
  mode: 'one' | 'separate' | 'plain';
  steps: number;
}

export interface RecordedArgs {
  cases: OptimizerCase[];
  lengths: number[];
  /** 'arena': a ParamArena (MULTI dispatches); 'separate': a buffer per tensor (per-tensor). */
  layout: 'arena' | 'separate';
  phases: Phase[];
  seed: number;
  /** Changes lr before every step by hand, or drives it with an LRScheduler. */
  lr?: 'hand' | 'scheduler';
  /** Alternates the grads between two sets of views (a rebind before every step). */
  rebind?: boolean;
  /** Changes betas (Adam family) before this step. */
  betasAt?: number;
  /** Attaches a GradScaler; grads of these steps get an inf. */
  scaler?: { poison: number[] };
  stateDtype?: StateDtype;
  /** Waits for the queue and a task after each phase (fence readbacks can resolve). */
  yieldBetween?: boolean;
}

export interface RecordedResult {
  desc: string;
  steps: number;
  /** Elements, state arrays and step counts that differ between the two runs (all 0). */
  mismatches: { params: number; state: number; steps: number };
  /** The GradScaler's state after each run (equal), or null without one. */
  scaler: { plain: string; recorded: string } | null;
  /** Objects the recorded run created after its first phase. */
  createdAfterFirstPhase: Counts;
  errors: string[];
}

interface Views {
  params: TensorRef[];
  grads: TensorRef[][];
  destroy: () => void;
}

function makeViews(device: GPUDevice, lengths: number[], layout: RecordedArgs['layout']): Views {
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  if (layout === 'arena') {
    const arena = new ParamArena(device, lengths, { label: 'test/recorded-arena' });
    // The second set: the arena's layout shifted by 4 bytes in another buffer, so the MULTI
    // table rows (and the pipeline: grads no longer co-aligned) change on a rebind.
    const other = device.createBuffer({
      label: 'test/recorded-grads-shifted',
      size: arena.gradBuffer.size + 16,
      usage,
    });
    const shifted = arena.grads.map((g) => ({
      buffer: other,
      offset: (g.offset ?? 0) + 4,
      length: g.length,
    }));
    return {
      params: arena.params,
      grads: [arena.grads, shifted],
      destroy: () => {
        arena.destroy();
        other.destroy();
      },
    };
  }
  const make = (label: string, extra: number) =>
    lengths.map((n, i) =>
      device.createBuffer({ label: `${label}[${i}]`, size: 4 * n + extra, usage }),
    );
  const pb = make('test/recorded-param', 0);
  const g0 = make('test/recorded-grad', 0);
  const g1 = make('test/recorded-grad-shifted', 4);
  return {
    params: lengths.map((n, i) => ({ buffer: pb[i] as GPUBuffer, offset: 0, length: n })),
    grads: [
      lengths.map((n, i) => ({ buffer: g0[i] as GPUBuffer, offset: 0, length: n })),
      lengths.map((n, i) => ({ buffer: g1[i] as GPUBuffer, offset: 4, length: n })),
    ],
    destroy: () => [...pb, ...g0, ...g1].forEach((b) => b.destroy()),
  };
}

function bitsDiffer(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let n = Math.abs(x.length - y.length);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) n++;
  return n;
}

interface RunOutput {
  params: Float32Array[];
  dict: StateDict;
  scaler: string | null;
  createdAfterFirstPhase: Counts;
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

async function runOnce(
  c: OptimizerCase,
  args: RecordedArgs,
  initial: Float32Array[],
  sources: GPUBuffer[],
  recorded: boolean,
  errors: string[],
): Promise<RunOutput> {
  const { device, counts } = await trackedDevice();
  const views = makeViews(device, args.lengths, args.layout);
  views.params.forEach((p, i) =>
    device.queue.writeBuffer(p.buffer, p.offset ?? 0, initial[i] as Float32Array<ArrayBuffer>),
  );
  const scaler = args.scaler
    ? new GradScaler(device, { initScale: 2 ** 4, growthInterval: 3 })
    : undefined;
  const opt = makeOptimizer(c.algorithm, device, views.params, {
    ...c.options,
    ...(args.stateDtype ? { stateDtype: args.stateDtype } : {}),
    ...(scaler ? { gradScaler: scaler } : {}),
    onError: (e) => errors.push(e.message),
  });
  const scheduler =
    args.lr === 'scheduler' ? new LRScheduler(opt, exponentialDecay({ gamma: 0.8 })) : null;
  const base = opt.paramGroups[0]?.lr ?? 0;
  const offsets: number[] = [];
  args.lengths.reduce((at, n) => (offsets.push(at), at + 4 * n), 0);
  let s = 0;
  // Copies step s's grads into the views it uses, sets its host-side options, then steps.
  const stepInto = (encoder: GPUCommandEncoder | undefined) => {
    const set = views.grads[args.rebind ? s % 2 : 0] as TensorRef[];
    const copy = encoder ?? device.createCommandEncoder({ label: 'test/grad-copy' });
    set.forEach((g, i) =>
      copy.copyBufferToBuffer(
        sources[s] as GPUBuffer,
        offsets[i] as number,
        g.buffer,
        g.offset ?? 0,
        4 * g.length,
      ),
    );
    if (!encoder) device.queue.submit([copy.finish()]);
    const group = opt.paramGroups[0] as { lr: number; betas?: [number, number] };
    if (args.lr === 'hand') group.lr = base * (1 + 0.25 * (s % 4));
    if (args.betasAt === s && group.betas) group.betas = [0.8, 0.95];
    opt.step(set, encoder);
    scheduler?.step();
    s++;
  };
  const phases = recorded
    ? args.phases
    : [{ mode: 'plain' as const, steps: args.phases.reduce((a, p) => a + p.steps, 0) }];
  let after: Counts = { ...counts };
  for (const [k, phase] of phases.entries()) {
    if (phase.mode === 'plain') {
      for (let i = 0; i < phase.steps; i++) stepInto(undefined);
    } else if (phase.mode === 'one') {
      const encoder = device.createCommandEncoder({ label: 'test/recorded-one' });
      for (let i = 0; i < phase.steps; i++) stepInto(encoder);
      device.queue.submit([encoder.finish()]);
    } else {
      const buffers: GPUCommandBuffer[] = [];
      for (let i = 0; i < phase.steps; i++) {
        const encoder = device.createCommandEncoder({ label: `test/recorded-separate[${i}]` });
        stepInto(encoder);
        buffers.push(encoder.finish());
      }
      device.queue.submit(buffers);
    }
    if (args.yieldBetween) {
      await device.queue.onSubmittedWorkDone();
      await nextTask();
    }
    if (k === 0) after = { ...counts };
  }
  const createdAfterFirstPhase: Counts = {
    buffers: counts.buffers - after.buffers,
    bindGroups: counts.bindGroups - after.bindGroups,
    pipelines: counts.pipelines - after.pipelines,
    shaderModules: counts.shaderModules - after.shaderModules,
  };
  const params = await readViews(
    device,
    views.params.map((p) => ({ buffer: p.buffer, offset: p.offset ?? 0, length: p.length })),
  );
  const dict = await opt.stateDict();
  const scalerState = scaler ? JSON.stringify(await scaler.state()) : null;
  await opt.checkErrors().catch((e: unknown) => errors.push(String(e)));
  opt.destroy();
  scaler?.destroy();
  views.destroy();
  return { params, dict, scaler: scalerState, createdAfterFirstPhase };
}

async function runCase(c: OptimizerCase, args: RecordedArgs, seed: number) {
  const { device } = await trackedDevice();
  const errors: string[] = [];
  device.pushErrorScope('validation');
  const next = rng(seed);
  const total = args.phases.reduce((a, p) => a + p.steps, 0);
  const initial = args.lengths.map((n) => randomArray(next, n));
  const sources = Array.from({ length: total }, (_, s) => {
    const data = new Float32Array(args.lengths.reduce((a, n) => a + n, 0));
    data.set(randomArray(next, data.length, 2));
    if (args.scaler?.poison.includes(s)) data[Math.floor(next() * data.length)] = Infinity;
    const b = device.createBuffer({
      label: `test/recorded-grad-source[${s}]`,
      size: data.byteLength,
      usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(b, 0, data);
    return b;
  });
  const plain = await runOnce(c, args, initial, sources, false, errors);
  const recorded = await runOnce(c, args, initial, sources, true, errors);
  sources.forEach((b) => b.destroy());
  const mismatches = { params: 0, state: 0, steps: 0 };
  plain.params.forEach((p, i) => (mismatches.params += bitsDiffer(p, recorded.params[i] as never)));
  plain.dict.state.forEach((st, i) => {
    const other = recorded.dict.state[i] as Record<string, unknown>;
    for (const [name, v] of Object.entries(st)) {
      if (name === 'step') {
        if (v !== other.step) mismatches.steps++;
      } else mismatches.state += bitsDiffer(v as Float32Array, other[name] as Float32Array);
    }
  });
  const scoped = await device.popErrorScope();
  if (scoped) errors.push(`validation: ${scoped.message}`);
  const result: RecordedResult = {
    desc: c.desc,
    steps: total,
    mismatches,
    scaler: plain.scaler === null ? null : { plain: plain.scaler, recorded: recorded.scaler ?? '' },
    createdAfterFirstPhase: recorded.createdAfterFirstPhase,
    errors,
  };
  return result;
}

/** Runs every case plainly and recorded (see the file header) and compares. */
export async function recordedRun(args: RecordedArgs): Promise<RecordedResult[]> {
  const out: RecordedResult[] = [];
  for (const [k, c] of args.cases.entries()) out.push(await runCase(c, args, args.seed + 7919 * k));
  return out;
}

/** What one misordering scenario observed: each call's outcome, in order. */
export interface OrderOutcome {
  scenario: string;
  outcomes: string[];
}

/** 'ok', or the message of the error the promise rejected with. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Work the optimizer puts on the queue at the call (a plain step, loadStateDict, stateDict)
 * while a step recorded earlier is still unsubmitted, and the same calls in order: the first
 * must be reported, the second never (same tick, no waiting, so the ring's slots are held).
 */
export async function recordedOrder(): Promise<OrderOutcome[]> {
  const { device } = await trackedDevice();
  const arena = new ParamArena(device, [5, 257], { label: 'test/recorded-order' });
  device.queue.writeBuffer(arena.gradBuffer, 0, new Float32Array(arena.size / 4).fill(0.5));
  const make = () => makeOptimizer('adam', device, arena.params, { lr: 0.01 } as object);
  const out: OrderOutcome[] = [];
  const scenario = async (
    name: string,
    body: (opt: ReturnType<typeof make>) => Promise<string[]>,
  ) => {
    const opt = make();
    out.push({ scenario: name, outcomes: await body(opt) });
    await opt.checkErrors().catch(() => undefined);
    opt.destroy();
  };
  const g = arena.grads;
  await scenario('stateDict before the submit', async (opt) => {
    const enc = device.createCommandEncoder();
    opt.step(g, enc);
    const early = opt.stateDict();
    device.queue.submit([enc.finish()]);
    return [await outcome(early), await outcome(opt.stateDict()), await outcome(opt.checkErrors())];
  });
  await scenario('plain step before the submit', async (opt) => {
    const enc = device.createCommandEncoder();
    opt.step(g, enc);
    opt.step(g);
    device.queue.submit([enc.finish()]);
    const first = await outcome(opt.checkErrors());
    opt.step(g); // reported once: nothing more
    return [first, await outcome(opt.checkErrors())];
  });
  await scenario('loadStateDict before the submit', async (opt) => {
    const dict = await opt.stateDict();
    const enc = device.createCommandEncoder();
    opt.step(g, enc);
    opt.loadStateDict(dict);
    device.queue.submit([enc.finish()]);
    return [await outcome(opt.checkErrors())];
  });
  await scenario('an encoder never submitted', async (opt) => {
    opt.step(g, device.createCommandEncoder());
    opt.step(g);
    const first = await outcome(opt.checkErrors());
    opt.step(g);
    opt.step(g);
    return [first, await outcome(opt.checkErrors())];
  });
  await scenario('in order, without waiting', async (opt) => {
    const dict = await opt.stateDict();
    const a = device.createCommandEncoder();
    opt.step(g, a);
    opt.step(g, a);
    device.queue.submit([a.finish()]);
    opt.step(g);
    const b = device.createCommandEncoder();
    opt.step(g, b);
    device.queue.submit([b.finish()]);
    opt.loadStateDict(dict);
    const c = device.createCommandEncoder();
    opt.step(g, c);
    device.queue.submit([c.finish()]);
    const saved = outcome(opt.stateDict());
    opt.step(g);
    return [await saved, await outcome(opt.checkErrors())];
  });
  arena.destroy();
  return out;
}
