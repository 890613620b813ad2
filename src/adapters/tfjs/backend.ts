/**
 * What the adapter needs of TF.js's WebGPU backend (4.x), and the checks around it. These are
 * the backend's own fields, not public API, so every one is checked before use and a missing
 * one is reported as an incompatible backend rather than a TypeError deep inside a step.
 */
import * as tf from '@tensorflow/tfjs-core';

/** One entry of the backend's tensorMap. */
export interface TfTensorData {
  /** The live GPUBuffer, once uploaded (a GPUTexture for some image inputs). */
  resource?: unknown;
  /** A CPU copy: set before upload, and cached again after every read. */
  values?: unknown;
  refCount: number;
  dtype: string;
}

/** The parts of `WebGPUBackend` the adapter uses. */
export interface WebGpuBackendInternals {
  device: GPUDevice;
  tensorMap: { get(dataId: object): TfTensorData | undefined };
  /** Creates the tensor's GPUBuffer (uploading its CPU values) if it has none. */
  uploadToGPU(dataId: object): void;
  /** Submits the backend's pending command encoder. Throws when there is none. */
  submitQueue(): void;
  endComputePassEncoder(): void;
  commandEncoder: GPUCommandEncoder | null;
}

const SWITCH =
  "import '@tensorflow/tfjs-backend-webgpu' and run `await tf.setBackend('webgpu')` before training";

function isWebGpuBackend(b: unknown): b is WebGpuBackendInternals {
  const o = b as Partial<WebGpuBackendInternals> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.uploadToGPU === 'function' &&
    typeof o.submitQueue === 'function' &&
    typeof o.endComputePassEncoder === 'function' &&
    typeof o.tensorMap?.get === 'function' &&
    typeof o.device === 'object' &&
    o.device !== null &&
    typeof o.device.createBuffer === 'function'
  );
}

/**
 * The active backend as a WebGPU backend, or a clear error naming the active one and how to
 * switch. Never falls back.
 */
export function webGpuBackend(where: string): WebGpuBackendInternals {
  const name = tf.getBackend();
  const backend = tf.backend() as unknown;
  if (name !== 'webgpu' || !isWebGpuBackend(backend)) {
    throw new Error(
      `${where}: the active TF.js backend is "${String(name)}", but this optimizer updates WebGPU buffers in place and needs TF.js's WebGPU backend: ${SWITCH}`,
    );
  }
  return backend;
}

/**
 * Throws at construction when a backend other than WebGPU is already active. Does not start
 * a backend: with none chosen yet, the check waits for the first step.
 */
export function checkActiveBackend(where: string): void {
  const name = tf.engine().backendName as string | null | undefined;
  if (name != null && name !== 'webgpu') {
    throw new Error(
      `${where}: the active TF.js backend is "${name}", but this optimizer needs TF.js's WebGPU backend: ${SWITCH}`,
    );
  }
}

/**
 * Submits whatever TF.js has recorded but not submitted (it holds dispatches until a batch
 * fills), so that our commands, submitted next, see the gradients and params it computed.
 */
export function flushTf(backend: WebGpuBackendInternals): void {
  if (backend.commandEncoder == null) return;
  backend.endComputePassEncoder();
  backend.submitQueue();
}

/** The backend's record of a tensor, uploaded to the GPU; throws if it holds no GPUBuffer. */
export function gpuData(
  backend: WebGpuBackendInternals,
  t: tf.Tensor,
  what: string,
  where: string,
): TfTensorData & { resource: GPUBuffer } {
  backend.uploadToGPU(t.dataId);
  const data = backend.tensorMap.get(t.dataId);
  const resource = data?.resource;
  if (!data || typeof resource !== 'object' || resource === null || !('usage' in resource)) {
    throw new Error(`${where}: ${what} has no GPUBuffer in TF.js's WebGPU backend`);
  }
  return data as TfTensorData & { resource: GPUBuffer };
}
