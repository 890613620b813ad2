/**
 * 'q8' state with several param groups, each with its own options, on the GPU against the CPU
 * reference: LAMB (its sums pass over f32 and 8-bit tensors) and Adadelta (square_avg rounded
 * up). The groups take every binding path at once:
 * - group 0, one buffer per tensor: small f32 tensors (under gatherBelow 256) on both sides of
 *   8-bit ones and of an f32 tensor of 1000 (over gatherBelow, dispatched alone), so the small
 *   ones are gathered into one run whose slots are not consecutive tensor slots (withGathered
 *   moves them past the tensors'), while the 8-bit ones, one of them 4 bytes into its buffer
 *   (the scalar path), have slots after every Binder tensor's;
 * - group 1, one buffer per tensor, every tensor 8-bit (nothing for the Binder);
 * - group 2, one arena: a MULTI dispatch over its f32 tensors with the 8-bit ones between them;
 * - group 3, each grad in its param's buffer (GRAD_IN_PARAM), on the vec4 and the scalar paths.
 * The grads move to another set of buffers and back between steps (the bind groups are remade;
 * the other set has no COPY_SRC, so group 0's small tensors are not gathered for that step),
 * then the state goes through a binary checkpoint (serializeStateDict) into a fresh optimizer
 * over the same params, which continues. The reference never stops. 8-bit tensors' params,
 * every state array, code and absmax are compared bit for bit; LAMB's f32 tensors' params within
 * LAMB_F32_PARAM_ULPS (their sums are f64 in the reference).
 */
import {
  createOptimizer,
  deserializeStateDict,
  GradScaler,
  serializeStateDict,
  type StateDict,
} from '../../../src/index.ts';
import { GradScalerReference, ReferenceOptimizer } from '../../../src/reference/index.ts';
import { compare, trackScale } from './compare.ts';
import { randomArray, readViews, rng, trackedDevice } from './device.ts';
import { diffDicts, firstDiff, LAMB_F32_PARAM_ULPS } from './q8State.ts';

const USAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST

/** Each group's tensor lengths and layout; min8bitSize 4096. */
export const Q8_GROUPS = [
  { layout: 'separate', lengths: [30, 5000, 20, 1000, 10, 4099, 50] },
  { layout: 'separate', lengths: [4096, 4100] },
  { layout: 'arena', lengths: [64, 4096, 33, 4100, 20] },
  { layout: 'shared', lengths: [4104, 4099, 100] },
] as const;

/** Per-group options of each algorithm (the constructor's, then each group's overrides). */
const OPTIONS = {
  lamb: {
    base: { lr: 0.01, weightDecay: 0.01 },
    groups: [
      {},
      { lr: 0.02, betas: [0.8, 0.99], weightDecay: 0 },
      { lr: 0.005, eps: 1e-4 },
      { maximize: true },
    ],
  },
  adadelta: {
    base: { lr: 1, weightDecay: 0.01 },
    groups: [{}, { lr: 0.5, rho: 0.8 }, { eps: 1e-4, maximize: true }, { lr: 2 }],
  },
} as const;

export interface Q8GroupsResult {
  failures: string[];
  /** Tensors stored in 8 bits. */
  quantized: number;
  /** lastStepDispatches of the first optimizer's last step. */
  dispatches: number;
  /** lastStepDispatches of its step 3 (the second set of grads: nothing gathered). */
  ungathered: number;
  /** Steps the first optimizer took (its dict's step of tensor 0). */
  stepsTaken: number;
  /** Objects created by steps 2 and 3 (steady state: none). */
  steadyCreated: number;
}

interface Resumable {
  step(
    g: readonly { buffer: GPUBuffer; offset: number; length: number }[],
    encoder?: GPUCommandEncoder,
  ): void;
  stateDict(): Promise<StateDict>;
  loadStateDict(d: StateDict): void;
  destroy(): void;
  isQuantized(i: number): boolean;
  lastStepDispatches: number;
}

/**
 * Runs `algorithm` with 'q8' state over Q8_GROUPS: `steps` steps (the grads on a second set of
 * buffers at step 3, back at step 4), a checkpoint, `steps` more on a fresh optimizer.
 * `recorded`: each run's steps are recorded into one encoder, each after copies of its grads
 * from upload buffers, and submitted together (the rebinds then happen while steps are pending:
 * the spans, starts and tables go through staged writes).
 */
export async function q8Groups(
  algorithm: 'lamb' | 'adadelta',
  steps: number,
  workgroupSize = 64,
  scaled = false,
  recorded = false,
): Promise<Q8GroupsResult> {
  const { device, counts } = await trackedDevice();
  const failures: string[] = [];
  device.pushErrorScope('validation');
  const where = `${algorithm} wg ${workgroupSize}`;
  const lengths = Q8_GROUPS.flatMap((g) => [...g.lengths]);
  const next = rng(4242);
  const init = lengths.map((n) => randomArray(next, n));
  // Views: separate groups get a buffer per tensor (tensor 4 of group 0 at byte 4), the arena
  // group one buffer with each tensor at a 16-byte boundary.
  interface View {
    k: number;
    offset: number;
    /** 'shared': where the first set's grad lies in the param's buffer; else null. */
    gradOffset: number | null;
    length: number;
    slot: number;
    size: number;
  }
  const views: View[] = [];
  let k = 0;
  let buffersNeeded = 0;
  for (const g of Q8_GROUPS) {
    if (g.layout === 'separate') {
      for (const n of g.lengths) {
        const offset = n === 4099 ? 4 : 0;
        const size = offset + 4 * n + 16;
        views.push({ k: k++, offset, gradOffset: null, length: n, slot: buffersNeeded++, size });
      }
    } else if (g.layout === 'shared') {
      // The param at byte 0, its grad after it in the same buffer: 16-byte aligned for 4104
      // (the vec4 path reads the grad through the param's binding), 4 bytes off for the others
      // (the scalar path).
      for (const n of g.lengths) {
        const gradOffset = Math.ceil((4 * n) / 16) * 16 + (n === 4104 ? 0 : 4);
        const size = gradOffset + 4 * n + 16;
        views.push({ k: k++, offset: 0, gradOffset, length: n, slot: buffersNeeded++, size });
      }
    } else {
      const slot = buffersNeeded++;
      let at = 0;
      const start = views.length;
      for (const n of g.lengths) {
        views.push({ k: k++, offset: at, gradOffset: null, length: n, slot, size: 0 });
        at = Math.ceil((at + 4 * n) / 16) * 16;
      }
      for (let v = start; v < views.length; v++) (views[v] as View).size = at;
    }
  }
  const sizes = new Array<number>(buffersNeeded).fill(0);
  for (const v of views) sizes[v.slot] = v.size;
  const make = (role: string, usage = USAGE) =>
    sizes.map((size) => device.createBuffer({ label: `test/q8g-${role}`, size, usage }));
  const paramBufs = make('param');
  // The second set cannot be copied from (no COPY_SRC): group 0's small tensors are not
  // gathered at step 3, each steps alone on its gathered slot, and gathered again at step 4.
  const gradSets = [make('grad-a'), make('grad-b', USAGE & ~0x04)];
  const refsOn = (bufs: GPUBuffer[], set = 1) =>
    views.map((v) =>
      set === 0 && v.gradOffset !== null
        ? { buffer: paramBufs[v.slot] as GPUBuffer, offset: v.gradOffset, length: v.length }
        : { buffer: bufs[v.slot] as GPUBuffer, offset: v.offset, length: v.length },
    );
  const params = refsOn(paramBufs);
  const gradRefs = gradSets.map((bufs, set) => refsOn(bufs, set));
  views.forEach((v, i) =>
    device.queue.writeBuffer(
      paramBufs[v.slot] as GPUBuffer,
      v.offset,
      init[i] as Float32Array<ArrayBuffer>,
    ),
  );
  const o = OPTIONS[algorithm];
  let at = 0;
  const groupsOf = <T>(items: readonly T[]) =>
    Q8_GROUPS.map((g, gi) => {
      const out = { params: items.slice(at, at + g.lengths.length), ...o.groups[gi] };
      at += g.lengths.length;
      return out;
    });
  // `scaled`: a GradScaler (step 2 of each optimizer holds an inf: skipped) and clipGradNorm.
  const scaler = scaled ? new GradScaler(device, { initScale: 1024 }) : null;
  const refScaler = scaled ? new GradScalerReference({ initScale: 1024 }) : null;
  const clip = scaled ? { clipGradNorm: 0.5 } : {};
  const host = {
    ...o.base,
    ...clip,
    stateDtype: 'q8',
    min8bitSize: 4096,
    workgroupSize,
    gatherBelow: 256,
    ...(scaler ? { gradScaler: scaler } : {}),
  } as never;
  const create = () => {
    at = 0;
    return createOptimizer(
      algorithm,
      device,
      groupsOf(params) as never,
      host,
    ) as unknown as Resumable;
  };
  const refParams = init.map((a) => new Float32Array(a));
  at = 0;
  const ref = new ReferenceOptimizer(
    algorithm,
    groupsOf(refParams) as never,
    {
      ...o.base,
      ...clip,
      stateDtype: 'q8',
      min8bitSize: 4096,
      ...(refScaler ? { gradScaler: refScaler } : {}),
    } as never,
  );
  const scales = init.map((a) => a.map(Math.abs));
  const g = rng(99);
  let steadyCreated = 0;
  let ungathered = 0;
  const uploads: GPUBuffer[] = [];
  const run = (opt: Resumable, count: number) => {
    const encoder = recorded ? device.createCommandEncoder({ label: 'test/q8g-recorded' }) : null;
    for (let s = 0; s < count; s++) {
      // Step 3 reads the grads from the second set of buffers, step 4 from the first again.
      const set = s === 3 ? 1 : 0;
      // Scaled: multiples of 1/16 (the global norm's squares and sums are exact in f32, so the
      // reference's f64 norm and the GPU's f32 tree agree; q8State.ts, q8Run).
      const gs = lengths.map((n, i) => {
        const a = scaled
          ? randomArray(g, n).map((x) => Math.round(16 * x) / 16)
          : randomArray(g, n, 10 ** (-(i % 3) - s));
        a.fill(0, 256, Math.min(n, 512));
        return a;
      });
      // an 8-bit tensor of the arena group (4100)
      if (scaled && s === 2) (gs[lengths.length - 5] as Float32Array)[7] = Infinity;
      (gradRefs[set] as ReturnType<typeof refsOn>).forEach((r, i) => {
        const a = gs[i] as Float32Array<ArrayBuffer>;
        if (!encoder) {
          device.queue.writeBuffer(r.buffer, r.offset, a);
          return;
        }
        const up = device.createBuffer({
          label: 'test/q8g-upload',
          size: 4 * a.length,
          usage: USAGE,
        });
        uploads.push(up);
        device.queue.writeBuffer(up, 0, a);
        encoder.copyBufferToBuffer(up, 0, r.buffer, r.offset, 4 * a.length);
      });
      const before = counts.buffers + counts.bindGroups + counts.pipelines + counts.shaderModules;
      opt.step(gradRefs[set] as ReturnType<typeof refsOn>, encoder ?? undefined);
      const after = counts.buffers + counts.bindGroups + counts.pipelines + counts.shaderModules;
      if (s === 1 || s === 2) steadyCreated += after - before;
      if (s === 3) ungathered = opt.lastStepDispatches;
      ref.step(gs);
      refParams.forEach((a, i) => trackScale(scales[i] as Float32Array, a));
    }
    if (encoder) device.queue.submit([encoder.finish()]);
  };
  const check = async (opt: Resumable, tag: string) => {
    const out = await readViews(device, params);
    out.forEach((p, i) => {
      const r = refParams[i] as Float32Array;
      if (algorithm === 'lamb' && !opt.isQuantized(i)) {
        const w = compare(p, r, scales[i] as Float32Array, 1);
        if (!w.ok || w.ulps > LAMB_F32_PARAM_ULPS) {
          failures.push(`${where} ${tag} params[${i}] ${w.ulps} ULP at [${w.index}]`);
        }
        return;
      }
      const d = firstDiff(p, r);
      if (d) failures.push(`${where} ${tag} params[${i}] ${d}`);
    });
    const gd = await opt.stateDict();
    failures.push(...diffDicts(gd, ref.stateDict(), `${where} ${tag}`));
    return gd;
  };
  const first = create();
  run(first, steps);
  const quantized = lengths.filter((_, i) => first.isQuantized(i)).length;
  const dispatches = first.lastStepDispatches;
  const saved = await check(first, `after ${steps} steps`);
  const stepsTaken = saved.state[0]?.step ?? 0;
  first.destroy();
  const resumed = create();
  resumed.loadStateDict(deserializeStateDict(serializeStateDict(saved)));
  run(resumed, steps);
  await check(resumed, 'after the checkpoint and more steps');
  resumed.destroy();
  for (const b of [...paramBufs, ...gradSets.flat(), ...uploads]) b.destroy();
  const err = await device.popErrorScope();
  if (err) failures.push(`validation: ${err.message}`);
  return { failures, quantized, dispatches, ungathered, stepsTaken, steadyCreated };
}
