/**
 * 8-bit block-wise state (stateDtype 'q8') on the GPU against the CPU reference, bit for bit:
 * params, the dequantised arrays, and every code and absmax, for every algorithm with 'q8',
 * both layouts (one buffer per tensor with an unaligned tensor on the scalar path, and one
 * arena), lengths on both sides of min8bitSize, a GradScaler's skipped step, and a save → load
 * → continue. `q8Quantiser` checks the kernel's quantiser alone on edge-case blocks (zeros, a
 * block of one value, subnormals, mixed magnitudes, ±inf and NaN), through SGD's first momentum
 * step, which stores buf = g, Adagrad's (sum = g²) and Adadelta's (square_avg = 0.1·g², rounded
 * up).
 */
import { createOptimizer, GradScaler, type StateDict } from '../../../src/index.ts';
import type { HostOptions } from '../../../src/optim/optimizer.ts';
import { GradScalerReference, ReferenceOptimizer } from '../../../src/reference/index.ts';
import { quantize, q8Blocks } from '../../../src/options/q8.ts';
import type { Algorithm } from '../../../src/options/types.ts';
import { compare, trackScale } from './compare.ts';
import { randomArray, readViews, rng, trackedDevice } from './device.ts';

export interface Q8Case {
  algorithm: Algorithm;
  options: Record<string, unknown>;
}

/** One option set per algorithm with 'q8' (every code path's state arrays at least once). */
export const Q8_CASES: readonly Q8Case[] = [
  { algorithm: 'sgd', options: { lr: 0.01, momentum: 0.9, dampening: 0.1 } },
  { algorithm: 'sgd', options: { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 0.01 } },
  { algorithm: 'adagrad', options: { lr: 0.01, initialAccumulatorValue: 0.1 } },
  {
    algorithm: 'rmsprop',
    options: { lr: 0.01, centered: true, momentum: 0.5, clipGradValue: 0.05 },
  },
  { algorithm: 'adam', options: { lr: 0.01 } },
  {
    algorithm: 'adam',
    options: {
      lr: 0.01,
      amsgrad: true,
      weightDecay: 0.01,
      maximize: true,
      clipGradNorm: 0.5,
    },
  },
  { algorithm: 'adamw', options: { lr: 0.01, epsInsideSqrt: true } },
  { algorithm: 'adamax', options: { lr: 0.01 } },
  { algorithm: 'lion', options: { lr: 0.001, weightDecay: 0.1 } },
  { algorithm: 'nadam', options: { lr: 0.01 } },
  { algorithm: 'radam', options: { lr: 0.01, decoupledWeightDecay: true, weightDecay: 0.01 } },
  // square_avg rounds up (Q8_UP), acc_delta to nearest
  { algorithm: 'adadelta', options: { lr: 1, weightDecay: 0.01, maximize: true } },
  // LAMB: the 8-bit tensors' sums pass (tensor_sums_q8.wgsl) and trust ratio, bitwise
  { algorithm: 'lamb', options: { lr: 0.01, weightDecay: 0.01 } },
  { algorithm: 'lamb', options: { lr: 0.01, maximize: true, clipGradNorm: 0.5 } },
];

/**
 * LAMB's params of a tensor that keeps f32 state (under min8bitSize) are within this many ULP
 * of the element's running magnitude, not bitwise: their trust ratio comes from the f32 sums
 * pass, whose reference sums in f64 (src/reference/tensorSums.ts; the bound of
 * test/browser/report.ts, lambUlps). Its state, and every 8-bit tensor's params, are bitwise.
 */
export const LAMB_F32_PARAM_ULPS = 8;

/** Tensor lengths: two over min8bitSize (one of them unaligned in `separate`), one under. */
export const Q8_LENGTHS = [5000, 300, 4099, 4096] as const;

const USAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST

function same(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

/** Where the first element of `gpu` and `ref` differ, or null. */
export function firstDiff(gpu: ArrayLike<number>, ref: ArrayLike<number>): string | null {
  if (gpu.length !== ref.length) return `length ${gpu.length} vs ${ref.length}`;
  for (let i = 0; i < ref.length; i++) {
    if (!same(gpu[i] as number, ref[i] as number)) {
      return `[${i}] gpu ${gpu[i]} ref ${ref[i]}`;
    }
  }
  return null;
}

/** Compares two state dicts' arrays, codes and absmax; returns the differences. */
export function diffDicts(gpu: StateDict, ref: StateDict, where: string): string[] {
  const out: string[] = [];
  ref.state.forEach((r, i) => {
    const g = gpu.state[i] as StateDict['state'][number];
    if (g.step !== r.step) out.push(`${where} state[${i}].step ${g.step} vs ${r.step}`);
    for (const [name, v] of Object.entries(r)) {
      if (!(v instanceof Float32Array)) continue;
      const d = firstDiff(g[name as 'exp_avg'] as Float32Array, v);
      if (d) out.push(`${where} state[${i}].${name} ${d}`);
    }
    if (Boolean(g.q8) !== Boolean(r.q8)) out.push(`${where} state[${i}].q8 present differs`);
    for (const [name, q] of Object.entries(r.q8 ?? {})) {
      const gq = g.q8?.[name as 'exp_avg'];
      if (!gq || !q) {
        out.push(`${where} state[${i}].q8.${name} missing`);
        continue;
      }
      const dc = firstDiff(gq.codes, q.codes);
      if (dc) out.push(`${where} state[${i}].q8.${name}.codes ${dc}`);
      const da = firstDiff(gq.absmax, q.absmax);
      if (da) out.push(`${where} state[${i}].q8.${name}.absmax ${da}`);
    }
  });
  return out;
}

export interface Q8RunResult {
  failures: string[];
  /** Tensors stored in 8 bits per case (from isQuantized), and arrays compared. */
  quantized: number[];
  arrays: number;
  /** stateBytes per case. */
  stateBytes: number[];
  dispatches: number[];
}

/**
 * LAMB's mix: f32 tensors (under min8bitSize) on both sides of 8-bit ones, so that a param
 * group's f32 tensors, which the Binder dispatches together (one MULTI dispatch with flat runs
 * on an arena, a gathered run on separate buffers), are not consecutive tensor indices: their
 * partials, ratios and starts must still be their own.
 */
export const Q8_LAMB_MIX = [300, 5000, 200, 100, 4096, 50] as const;

/**
 * Steps every Q8_CASES case (or those of `algorithm`) for `steps` steps on `layout` over
 * `lengths`, compares with the reference, then saves, loads into a fresh optimizer over the
 * same params and continues `steps` more steps. `clipNorm` false leaves out the cases with
 * clipGradNorm: the global norm is summed in f64 by the reference, so it is bitwise only on
 * some lengths (Q8_LENGTHS among them; test/browser/suites/parity.ts never expects it).
 */
export async function q8Run(
  layout: 'separate' | 'arena',
  steps: number,
  min8bitSize?: number,
  lengths: readonly number[] = Q8_LENGTHS,
  algorithm?: Algorithm,
  clipNorm = true,
): Promise<Q8RunResult> {
  const { device, counts } = await trackedDevice();
  const failures: string[] = [];
  const quantized: number[] = [];
  const stateBytes: number[] = [];
  const dispatches: number[] = [];
  let arrays = 0;
  device.pushErrorScope('validation');
  for (const [c, kase] of Q8_CASES.entries()) {
    if (algorithm !== undefined && kase.algorithm !== algorithm) continue;
    if (!clipNorm && 'clipGradNorm' in kase.options) continue;
    const where = `${layout} ${kase.algorithm} ${JSON.stringify(kase.options)}`;
    const next = rng(1000 + c);
    const init = lengths.map((n) => randomArray(next, n));
    // separate: tensor 2 sits 4 bytes into its buffer (head 3: the scalar path).
    const offsets: number[] = [];
    let size = 0;
    for (const [k, n] of lengths.entries()) {
      offsets.push(layout === 'arena' ? size : k === 2 ? 4 : 0);
      size = layout === 'arena' ? Math.ceil((size + 4 * n) / 16) * 16 : 0;
    }
    // arena: one buffer for all tensors (the others null); separate: one per tensor.
    const buffers = (role: string) =>
      lengths.map((n, k) =>
        layout === 'arena' && k > 0
          ? null
          : device.createBuffer({
              label: `test/q8-${role}`,
              size: layout === 'arena' ? size : 4 * n + 16,
              usage: USAGE,
            }),
      );
    const paramBufs = buffers('param');
    const gradBufs = buffers('grad');
    const pbuf = (k: number) => paramBufs[layout === 'arena' ? 0 : k] as GPUBuffer;
    const gbuf = (k: number) => gradBufs[layout === 'arena' ? 0 : k] as GPUBuffer;
    const params = lengths.map((n, k) => ({
      buffer: pbuf(k),
      offset: offsets[k] as number,
      length: n,
    }));
    const grads = lengths.map((n, k) => ({
      buffer: gbuf(k),
      offset: offsets[k] as number,
      length: n,
    }));
    lengths.forEach((_, k) =>
      device.queue.writeBuffer(pbuf(k), offsets[k] as number, init[k] as Float32Array<ArrayBuffer>),
    );
    const host = { stateDtype: 'q8', ...(min8bitSize === undefined ? {} : { min8bitSize }) };
    const options = { ...kase.options, ...host } as never;
    const gpu = createOptimizer(kase.algorithm, device, params, options) as unknown as {
      step(g: typeof grads, encoder?: GPUCommandEncoder): void;
      stateDict(): Promise<StateDict>;
      loadStateDict(d: StateDict): void;
      destroy(): void;
      isQuantized(i: number): boolean;
      stateBytes: number;
      lastStepDispatches: number;
    };
    const refParams = init.map((a) => new Float32Array(a));
    const ref = new ReferenceOptimizer(kase.algorithm, refParams, options);
    // LAMB's f32 tensors: each param's running magnitude (LAMB_F32_PARAM_ULPS).
    const scales = init.map((a) => a.map(Math.abs));
    // With clipGradNorm the reference sums the norm in f64 and the GPU in an f32 tree
    // (src/reference/clip.ts): they round alike only most of the time, and a coefficient one
    // ULP apart moves every value after it. So those cases take grads whose squares and their
    // sums are exact in f32 (multiples of 1/16 in [−1, 1]: sums of at most 2^24 / 256 squares),
    // where both norms are the exact one.
    const exactNorm = 'clipGradNorm' in kase.options;
    const run = (count: number, seed: number, opt: typeof gpu) => {
      const g = rng(seed);
      let after1 = '';
      for (let s = 0; s < count; s++) {
        // Mixed magnitudes per block: a scale per tensor and step, and a quiet block of zeros.
        const gs = lengths.map((n, k) => {
          const a = exactNorm
            ? randomArray(g, n).map((x) => Math.round(16 * x) / 16)
            : randomArray(g, n, 10 ** (-k - s));
          a.fill(0, 256, Math.min(n, 512));
          return a;
        });
        gs.forEach((a, k) => device.queue.writeBuffer(gbuf(k), offsets[k] as number, a));
        if (s === count - 1) {
          // Steady state: no buffer, bind group, pipeline or shader module after the first
          // step (the recorded steps below then allocate the step ring, as documented).
          if (JSON.stringify(counts) !== after1) {
            failures.push(
              `${where}: steps after the first created objects: ${after1} → ${JSON.stringify(counts)}`,
            );
          }
          // Two steps recorded into one encoder before it is submitted (the step ring).
          const encoder = device.createCommandEncoder({ label: 'test/q8-recorded' });
          opt.step(grads, encoder);
          opt.step(grads, encoder);
          device.queue.submit([encoder.finish()]);
          ref.step(gs);
        } else {
          opt.step(grads);
        }
        ref.step(gs);
        refParams.forEach((a, k) => trackScale(scales[k] as Float32Array, a));
        if (s === 0) after1 = JSON.stringify(counts);
      }
    };
    run(steps, 2000 + c, gpu);
    quantized.push(lengths.filter((_, k) => gpu.isQuantized(k)).length);
    stateBytes.push(gpu.stateBytes);
    dispatches.push(gpu.lastStepDispatches);
    const compareAll = async (opt: typeof gpu, tag: string) => {
      const out = await readViews(device, params);
      out.forEach((p, k) => {
        const r = refParams[k] as Float32Array;
        if (kase.algorithm === 'lamb' && !opt.isQuantized(k)) {
          const w = compare(p, r, scales[k] as Float32Array, 1);
          if (!w.ok || w.ulps > LAMB_F32_PARAM_ULPS) {
            failures.push(`${where} ${tag} params[${k}] ${w.ulps} ULP at [${w.index}]`);
          }
          return;
        }
        const d = firstDiff(p, r);
        if (d) failures.push(`${where} ${tag} params[${k}] ${d}`);
      });
      const gd = await opt.stateDict();
      const rd = ref.stateDict();
      arrays += rd.state.reduce((a, s) => a + Object.keys(s.q8 ?? {}).length, 0);
      failures.push(...diffDicts(gd, rd, `${where} ${tag}`));
      return gd;
    };
    const saved = await compareAll(gpu, `after ${steps} steps`);
    gpu.destroy();
    // A fresh optimizer over the same params resumes from the dict bit for bit.
    const resumed = createOptimizer(
      kase.algorithm,
      device,
      params,
      options,
    ) as unknown as typeof gpu;
    resumed.loadStateDict(saved);
    run(steps, 3000 + c, resumed);
    await compareAll(resumed, 'after load and more steps');
    resumed.destroy();
    for (const b of [...paramBufs, ...gradBufs]) b?.destroy();
  }
  const err = await device.popErrorScope();
  if (err) failures.push(`validation: ${err.message}`);
  return { failures, quantized, arrays, stateBytes, dispatches };
}

/**
 * A GradScaler on a 'q8' optimizer (Adam, or LAMB with its sums pass): a step whose grads hold
 * inf is skipped, leaving params, codes and absmax bitwise untouched and uncounted, as the
 * reference's.
 */
export async function q8Scaler(algorithm: 'adam' | 'lamb' = 'adam'): Promise<string[]> {
  const { device } = await trackedDevice();
  const failures: string[] = [];
  device.pushErrorScope('validation');
  const n = 4100;
  const next = rng(77);
  const init = randomArray(next, n);
  const param = device.createBuffer({ label: 'test/q8s-param', size: 4 * n, usage: USAGE });
  const grad = device.createBuffer({ label: 'test/q8s-grad', size: 4 * n, usage: USAGE });
  device.queue.writeBuffer(param, 0, init);
  const scaler = new GradScaler(device, { initScale: 1024 });
  const opt = createOptimizer(algorithm, device, [{ buffer: param, length: n }], {
    lr: 0.01,
    stateDtype: 'q8',
    gradScaler: scaler,
  } as HostOptions);
  const refParam = new Float32Array(init);
  const refScaler = new GradScalerReference({ initScale: 1024 });
  const ref = new ReferenceOptimizer(algorithm, [refParam], {
    lr: 0.01,
    stateDtype: 'q8',
    gradScaler: refScaler,
  });
  for (let s = 0; s < 5; s++) {
    const g = randomArray(next, n, 1024);
    if (s === 2) g[4097] = Infinity;
    if (s === 3) g[10] = NaN;
    device.queue.writeBuffer(grad, 0, g);
    opt.step([{ buffer: grad, length: n }]);
    ref.step([g]);
  }
  const [p] = await readViews(device, [{ buffer: param, offset: 0, length: n }]);
  const d = firstDiff(p as Float32Array, refParam);
  if (d) failures.push(`params ${d}`);
  const gd = await opt.stateDict();
  const rd = ref.stateDict();
  if (gd.state[0]?.step !== 3) failures.push(`steps taken ${gd.state[0]?.step}, expected 3`);
  failures.push(...diffDicts(gd, rd, `${algorithm} scaler`));
  opt.destroy();
  param.destroy();
  grad.destroy();
  const err = await device.popErrorScope();
  if (err) failures.push(`validation: ${err.message}`);
  return failures;
}

/** Edge-case blocks of 256 values each for the quantiser. */
export function quantiserBlocks(): Float32Array {
  const blocks: number[][] = [];
  blocks.push(new Array<number>(256).fill(0)); // zeros
  blocks.push(new Array<number>(256).fill(0.3)); // one value
  blocks.push(new Array<number>(256).fill(-2.5)); // one negative value
  // subnormals only, and subnormals beside a normal
  blocks.push(Array.from({ length: 256 }, (_, i) => (i - 128) * 1e-44));
  blocks.push(Array.from({ length: 256 }, (_, i) => (i === 7 ? 1e-38 : (i % 9) * 1e-45)));
  // every decade the map covers, and beyond, with signs
  blocks.push(Array.from({ length: 256 }, (_, i) => (i % 2 ? -1 : 1) * 10 ** -(i % 12) * 3.7));
  // exactly the map's midpoints times an absmax of 1 (ties), and the map's own values
  blocks.push(Array.from({ length: 256 }, (_, i) => (i === 0 ? 1 : ((i % 100) - 50) / 50)));
  // ±inf and NaN poison their block
  blocks.push(Array.from({ length: 256 }, (_, i) => (i === 3 ? Infinity : i * 0.01)));
  blocks.push(Array.from({ length: 256 }, (_, i) => (i === 5 ? -Infinity : -i * 0.01)));
  blocks.push(Array.from({ length: 256 }, (_, i) => (i === 9 ? NaN : i * 0.01)));
  blocks.push(Array.from({ length: 256 }, (_, i) => Math.sin(i) * 1e30)); // large
  return Float32Array.from(blocks.flat());
}

export interface QuantiserResult {
  failures: string[];
  blocks: number;
  /** The GPU's absmax per block, and the reference's, for the test to show. */
  absmax: number[];
  /** Positive squares stored as code 1 (the zero-point rule's cases, some rounded up). */
  zeroPoint: number;
  /** Adadelta's square_avg codes where rounding up chose another code than nearest would. */
  roundedUp: number;
}

/** SGD momentum's first step stores buf = g: the GPU's codes of g against quantize(g). */
export async function q8Quantiser(): Promise<QuantiserResult> {
  const { device } = await trackedDevice();
  const failures: string[] = [];
  device.pushErrorScope('validation');
  const g = quantiserBlocks();
  // A partial last block: 37 more elements.
  const n = g.length + 37;
  const grads = new Float32Array(n);
  grads.set(g);
  for (let i = g.length; i < n; i++) grads[i] = (i - g.length) * -0.5;
  const param = device.createBuffer({ label: 'test/q8q-param', size: 4 * n + 16, usage: USAGE });
  const grad = device.createBuffer({ label: 'test/q8q-grad', size: 4 * n + 16, usage: USAGE });
  device.queue.writeBuffer(grad, 0, grads);
  const opt = createOptimizer('sgd', device, [{ buffer: param, length: n }], {
    lr: 0.1,
    momentum: 0.9,
    stateDtype: 'q8',
    min8bitSize: 0,
  });
  opt.step([{ buffer: grad, length: n }]);
  const dict = await opt.stateDict();
  const q = dict.state[0]?.q8?.momentum_buffer;
  const expected = quantize(grads, true);
  if (!q) failures.push('no q8.momentum_buffer in the state dict');
  else {
    const dc = firstDiff(q.codes, expected.codes);
    if (dc) failures.push(`codes ${dc}`);
    const da = firstDiff(q.absmax, expected.absmax);
    if (da) failures.push(`absmax ${da}`);
    if (q.absmax.length !== q8Blocks(n)) failures.push(`blocks ${q.absmax.length}`);
  }
  opt.destroy();
  // The unsigned map: Adagrad's first step stores sum = 0 + g·g (squares of the same blocks:
  // tiny positive values meet the zero-point rule, subnormal squares flush to 0).
  const ada = createOptimizer('adagrad', device, [{ buffer: param, length: n }], {
    lr: 0.1,
    stateDtype: 'q8',
    min8bitSize: 0,
  });
  ada.step([{ buffer: grad, length: n }]);
  const sq = (await ada.stateDict()).state[0]?.q8?.sum;
  const squares = grads.map((x) => Math.fround(x * x));
  const expectedSq = quantize(squares, false);
  if (!sq) failures.push('no q8.sum in the state dict');
  else {
    const dc = firstDiff(sq.codes, expectedSq.codes);
    if (dc) failures.push(`sum codes ${dc}`);
    const da = firstDiff(sq.absmax, expectedSq.absmax);
    if (da) failures.push(`sum absmax ${da}`);
  }
  const ones = expectedSq.codes.filter((c, i) => c === 1 && (squares[i] as number) > 0).length;
  ada.destroy();
  // Rounding up (Q8_UP): Adadelta's first step stores square_avg = 0·ρ + (1 − ρ)·g·g.
  const delta = createOptimizer('adadelta', device, [{ buffer: param, length: n }], {
    stateDtype: 'q8',
    min8bitSize: 0,
  });
  delta.step([{ buffer: grad, length: n }]);
  const sa = (await delta.stateDict()).state[0]?.q8?.square_avg;
  const omr = Math.fround(1 - 0.9);
  const sqAvg = grads.map((x) => Math.fround(Math.fround(omr * x) * x));
  const expectedUp = quantize(sqAvg, false, true);
  if (!sa) failures.push('no q8.square_avg in the state dict');
  else {
    const dc = firstDiff(sa.codes, expectedUp.codes);
    if (dc) failures.push(`square_avg codes ${dc}`);
    const da = firstDiff(sa.absmax, expectedUp.absmax);
    if (da) failures.push(`square_avg absmax ${da}`);
  }
  const nearest = quantize(sqAvg, false).codes;
  const roundedUp = expectedUp.codes.filter((c, i) => c !== nearest[i]).length;
  delta.destroy();
  param.destroy();
  grad.destroy();
  const err = await device.popErrorScope();
  if (err) failures.push(`validation: ${err.message}`);
  return {
    failures,
    blocks: q8Blocks(n),
    absmax: Array.from(q?.absmax ?? []),
    zeroPoint: ones,
    roundedUp,
  };
}

/**
 * A tensor of 2^24 + 300 elements: 65 538 workgroups of main_q8, more than one grid dimension
 * holds (65 535), so the dispatch takes a 2-D grid. One SGD momentum step, bitwise.
 */
export async function q8Grid(): Promise<{ failures: string[]; grid: number }> {
  const { device } = await trackedDevice();
  const failures: string[] = [];
  device.pushErrorScope('validation');
  const n = (1 << 24) + 300;
  const next = rng(5);
  const init = randomArray(next, n);
  const g = randomArray(next, n);
  const param = device.createBuffer({ label: 'test/q8g-param', size: 4 * n, usage: USAGE });
  const grad = device.createBuffer({ label: 'test/q8g-grad', size: 4 * n, usage: USAGE });
  device.queue.writeBuffer(param, 0, init);
  device.queue.writeBuffer(grad, 0, g);
  const options = { lr: 0.1, momentum: 0.9, stateDtype: 'q8' } as const;
  const opt = createOptimizer('sgd', device, [{ buffer: param, length: n }], options);
  opt.step([{ buffer: grad, length: n }]);
  const ref = new ReferenceOptimizer('sgd', [init], options);
  ref.step([g]);
  const [p] = await readViews(device, [{ buffer: param, offset: 0, length: n }]);
  const d = firstDiff(p as Float32Array, init);
  if (d) failures.push(`params ${d}`);
  failures.push(...diffDicts(await opt.stateDict(), ref.stateDict(), 'grid'));
  opt.destroy();
  param.destroy();
  grad.destroy();
  const err = await device.popErrorScope();
  if (err) failures.push(`validation: ${err.message}`);
  return { failures, grid: Math.ceil(n / 256) };
}
