/**
 * How long each measurement of the run should take on this device, from a short calibration
 * (calibrate.ts): the vec4 copy kernel's bandwidth prices our kernels and TF.js's elementwise
 * ops, the per-submit round trip prices a step's fixed cost, a plain JS Adam loop prices the
 * CPU peers, and one tiny TF.js op prices TF.js's per-op overhead. Rough (within about 2×), which
 * is why each measurement is also time-boxed while it runs (repPlan.ts).
 */

/** What the calibration probe measured. */
export interface Calibration {
  /** GB/s (1e9 B) of the vec4 read-write copy kernel on 16 MiB buffers (slowest repetition). */
  kernelGBps: number;
  /** GB/s of copyBufferToBuffer on the same buffers (slowest repetition). */
  copyGBps: number;
  /** ms of an empty submit and its onSubmittedWorkDone. */
  submitMs: number;
  /** GB/s of a plain JS Adam loop (28 B per element) on this CPU (slowest repetition). */
  cpuGBps: number;
  /** ms per TF.js elementwise op on a tiny tensor (null when TF.js is off). */
  tfOpMs: number | null;
  /** ms the probes took, loading TF.js included. */
  probeMs: number;
}

/** Estimated ms of one measurement: `fixedMs` once (set-up, warm-up), `stepMs` per step. */
export interface Cost {
  stepMs: number;
  fixedMs: number;
}

/** Allocation, uploads and pipeline creation of one measurement, besides bytes copied. */
export const SETUP_MS = 300;
/** TF.js compiles each op's shader on the first step. */
export const TFJS_COMPILE_MS_PER_OP = 30;
/** Our CPU reference against the plain JS loop (f32 rounding of every intermediate). */
export const REFERENCE_FACTOR = 1.3;
/** Bytes TF.js moves per element per elementwise op (two reads, one write). */
export const TFJS_BYTES_PER_OP = 12;
/** TF.js's per-op cost when no probe ran. */
export const DEFAULT_TFJS_OP_MS = 0.1;
/**
 * An op inside applyGradients against the probe's bare add: it also uploads scalars, tidies
 * and assigns variables (measured here: 0.1–0.16 ms per op on tiny Adam, 0.03 ms for the probe).
 */
export const TFJS_OP_FACTOR = 4;

const perMs = (gbps: number) => Math.max(gbps, 1e-3) * 1e6;

/** Uploading and allocating `params` parameters (random values, params and grads). */
function uploadMs(c: Calibration, params: number): number {
  return SETUP_MS + (16 * params) / perMs(c.cpuGBps);
}

/** webgpu-optim's fused step moving `bytesPerParam` per parameter. */
export function oursCost(c: Calibration, params: number, bytesPerParam: number): Cost {
  const stepMs = (bytesPerParam * params) / perMs(c.kernelGBps) + c.submitMs;
  return { stepMs, fixedMs: uploadMs(c, params) + 2 * stepMs };
}

/** TF.js's `ops` elementwise ops per tensor per step over `tensors` tensors. */
export function tfjsCost(c: Calibration, params: number, tensors: number, ops: number): Cost {
  const opMs = c.tfOpMs === null ? DEFAULT_TFJS_OP_MS : TFJS_OP_FACTOR * c.tfOpMs;
  const stepMs = ops * ((TFJS_BYTES_PER_OP * params) / perMs(c.kernelGBps) + tensors * opMs);
  return { stepMs, fixedMs: SETUP_MS + stepMs + ops * TFJS_COMPILE_MS_PER_OP };
}

/** A CPU loop moving `bytesPerParam` per parameter, `factor` × the plain JS loop's time. */
export function cpuCost(c: Calibration, params: number, bytesPerParam: number, factor = 1): Cost {
  return {
    stepMs: (factor * bytesPerParam * params) / perMs(c.cpuGBps),
    fixedMs: uploadMs(c, params),
  };
}

/** The roofline's two copies (read and write `4 × params` bytes), per repetition of both. */
export function rooflineCost(c: Calibration, params: number): Cost {
  const copyMs = (8 * params) / perMs(c.kernelGBps) + (8 * params) / perMs(c.copyGBps);
  return { stepMs: copyMs + 2 * c.submitMs, fixedMs: SETUP_MS + copyMs };
}
