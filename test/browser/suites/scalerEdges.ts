/**
 * GradScaler edge cases on the GPU (written from a review's experiments): non-power-of-two
 * growth and backoff factors, checked step by step against the reference's scale rules; and
 * the inf/NaN check's coverage of every element position: tensors of 1..7 elements at every
 * 16-byte residue (scalar heads, vec4 bodies, scalar tails, tensors with no whole vec4) and
 * far elements of a tensor that spans several check workgroups.
 */
import { Adam, GradScaler } from '../../../src/index.ts';
import { readControl } from '../../../src/kernels/control.ts';
import { invScale, nextScalerState, type GradScalerState } from '../../../src/options/scaler.ts';
import { trackedDevice } from './device.ts';

const USAGE = 0x80 | 0x4 | 0x8; // STORAGE | COPY_SRC | COPY_DST

export interface RoundingArgs {
  initScale: number;
  growthFactor: number;
  backoffFactor: number;
  steps: number;
  /** Every `cleanEvery`-th step is clean; the others carry a NaN. */
  cleanEvery: number;
}

export interface RoundingStep {
  step: number;
  gpuScale: number;
  refScale: number;
  gpuInvScale: number;
  refInvScale: number;
}

/** GPU scale and inv_scale after every step, next to the reference's. */
export async function scalerRounding(args: RoundingArgs): Promise<RoundingStep[]> {
  const { device } = await trackedDevice();
  const w = device.createBuffer({ label: 'test/rounding-param', size: 16, usage: USAGE });
  const g = device.createBuffer({ label: 'test/rounding-grad', size: 16, usage: USAGE });
  const options = {
    initScale: args.initScale,
    growthFactor: args.growthFactor,
    backoffFactor: args.backoffFactor,
    growthInterval: 1,
  };
  const scaler = new GradScaler(device, options);
  const opt = new Adam(device, [{ buffer: w, length: 4 }], { lr: 0.1, gradScaler: scaler });
  let ref: GradScalerState = { ...options, scale: Math.fround(args.initScale), growthTracker: 0 };
  const out: RoundingStep[] = [];
  for (let s = 0; s < args.steps; s++) {
    const bad = s % args.cleanEvery !== 0;
    device.queue.writeBuffer(g, 0, new Float32Array(4).fill(bad ? NaN : 1));
    opt.step([{ buffer: g, length: 4 }]);
    ref = nextScalerState(ref, bad);
    const c = await readControl(device, scaler.buffer, 'test/rounding');
    out.push({
      step: s,
      gpuScale: c.scale,
      refScale: ref.scale,
      gpuInvScale: c.inv_scale,
      refInvScale: invScale(ref.scale),
    });
  }
  await opt.checkErrors();
  opt.destroy();
  scaler.destroy();
  w.destroy();
  g.destroy();
  return out;
}

export interface CoverageResult {
  cases: number;
  /** Poisoned positions the check did not flag. */
  missed: string[];
  /** Whether a clean step after them was flagged. */
  falsePositive: boolean;
  errors: string[];
}

/** Poisons one element at a time, everywhere a check workgroup's indexing could go wrong. */
export async function scalerCoverage(): Promise<CoverageResult> {
  const { device } = await trackedDevice();
  const lengths: number[] = [];
  const offsets: number[] = [];
  let at = 0;
  for (let residue = 0; residue < 4; residue++) {
    for (let n = 1; n <= 7; n++) {
      at = Math.ceil(at / 16) * 16 + 4 * residue;
      offsets.push(at);
      lengths.push(n);
      at += 4 * n;
    }
  }
  // 70_001 elements 4 bytes past an aligned offset: 5 check workgroups of 16_384 elements
  at = Math.ceil(at / 256) * 256 + 4;
  offsets.push(at);
  lengths.push(70_001);
  at += 4 * 70_001;
  const pb = device.createBuffer({ label: 'test/coverage-params', size: at, usage: USAGE });
  const gb = device.createBuffer({ label: 'test/coverage-grads', size: at, usage: USAGE });
  const view = (buffer: GPUBuffer) =>
    lengths.map((n, i) => ({ buffer, offset: offsets[i] as number, length: n }));
  const scaler = new GradScaler(device, { initScale: 4 });
  const errors: string[] = [];
  const opt = new Adam(device, view(pb), {
    lr: 0.1,
    gradScaler: scaler,
    onError: (e) => errors.push(e.message),
  });
  const cases: [number, number][] = [];
  lengths.forEach((n, i) => {
    if (n < 10) for (let e = 0; e < n; e++) cases.push([i, e]);
  });
  const big = lengths.length - 1;
  for (const e of [0, 2, 3, 16_383, 16_384 * 4 - 1, 16_384 * 4 + 3, 70_000]) cases.push([big, e]);
  const ones = new Float32Array(at / 4).fill(1);
  const missed: string[] = [];
  for (const [i, e] of cases) {
    device.queue.writeBuffer(gb, 0, ones);
    device.queue.writeBuffer(gb, (offsets[i] as number) + 4 * e, new Float32Array([Infinity]));
    opt.step(view(gb));
    if (!(await scaler.foundInf())) {
      missed.push(
        `length ${lengths[i]} at byte ${offsets[i]} (residue ${((offsets[i] as number) % 16) / 4}), element ${e}`,
      );
    }
  }
  device.queue.writeBuffer(gb, 0, ones);
  opt.step(view(gb));
  const falsePositive = await scaler.foundInf();
  await opt.checkErrors().catch((e: unknown) => errors.push(String(e)));
  opt.destroy();
  scaler.destroy();
  pb.destroy();
  gb.destroy();
  return { cases: cases.length, missed, falsePositive, errors };
}

/**
 * clipGradNorm with one gradient whose square overflows f32 (1e20² = 1e40), in a tensor of
 * 20 000 elements: two check workgroups, so 512 partials and each finalize thread adds two.
 * The norm must come out as inf, as an f32 sum of squares does, and not as NaN.
 */
export async function normOverflow(): Promise<number> {
  const { device } = await trackedDevice();
  const n = 20_000;
  const w = device.createBuffer({ label: 'test/overflow-param', size: 4 * n, usage: USAGE });
  const g = device.createBuffer({ label: 'test/overflow-grad', size: 4 * n, usage: USAGE });
  const grad = new Float32Array(n).fill(1);
  grad[7] = 1e20;
  device.queue.writeBuffer(g, 0, grad);
  const opt = new Adam(device, [{ buffer: w, length: n }], { clipGradNorm: 1 });
  opt.step([{ buffer: g, length: n }]);
  const norm = await opt.gradNorm();
  await opt.checkErrors();
  opt.destroy();
  w.destroy();
  g.destroy();
  return norm;
}
