import { ShaderStage } from './usage.ts';

/**
 * The bind group layouts and limits of the per-tensor reduction (shaders/tensor_sums.wgsl).
 * Three pipelines come from an algorithm's module (state snippet, common.wgsl, the algorithm's
 * file, tensor_sums.wgsl), each with its own layout:
 * - the update (`main`): common.wgsl's nine bindings plus the ratios uniform (binding 12) and
 *   the tensors' starts (binding 13, one u32 per tensor: its first element in its group's
 *   param bindings, for the lookup inside a flat run);
 * - `tensor_sums`: common.wgsl's bindings but `owner` (7), plus `partials` (9): eight storage
 *   buffers, WebGPU's default maxStorageBuffersPerShaderStage;
 * - `tensor_finalize`: `partials` (9), `sum_spans` (10), `ratios_out` (11).
 */

/** vec4s in the ratios uniform array (MAX_SUM_TENSORS_VEC4 in tensor_sums.wgsl). */
export const RATIO_VEC4S = 4096;
/** Bytes of the ratios uniform binding: 64 KiB, WebGPU's default maxUniformBufferBindingSize. */
export const RATIOS_BYTES = RATIO_VEC4S * 16;
/** Bytes of the starts uniform binding (as the ratios: one u32 per tensor). */
export const STARTS_BYTES = RATIOS_BYTES;
/** The most tensors an optimizer with tensor sums (LAMB) can hold, over all its groups. */
export const MAX_SUM_TENSORS = RATIO_VEC4S * 4;
/**
 * Threads per workgroup of the tensor_sums pass (SUMS_WG in tensor_sums.wgsl): one thread sums
 * one update workgroup, so the pass has workgroupSize times fewer threads than the update, and
 * small workgroups keep a tensor dispatched alone spread over several.
 */
export const SUMS_WORKGROUP = 32;
/** Bytes of one partial (a vec4 of four sums) and of one sum_spans row. */
export const PARTIAL_BYTES = 16;
export const SPAN_BYTES = 8;

export type SumsLayoutRole = 'update' | 'sums' | 'finalize';

const caches = new WeakMap<GPUDevice, Map<SumsLayoutRole, GPUBindGroupLayout>>();

function entry(binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry {
  return { binding, visibility: ShaderStage.COMPUTE, buffer: { type } };
}

/** The bindings of common.wgsl (0–8), as pipelineCache.ts lays them out. */
export function commonEntries(): GPUBindGroupLayoutEntry[] {
  return [
    entry(0, 'storage'),
    entry(1, 'storage'),
    entry(2, 'storage'),
    entry(3, 'storage'),
    entry(4, 'storage'),
    entry(5, 'uniform'),
    entry(6, 'read-only-storage'),
    entry(7, 'read-only-storage'),
    entry(8, 'read-only-storage'),
  ];
}

function entriesOf(role: SumsLayoutRole): GPUBindGroupLayoutEntry[] {
  switch (role) {
    case 'update':
      return [...commonEntries(), entry(12, 'uniform'), entry(13, 'uniform')];
    case 'sums':
      return [...commonEntries().filter((e) => e.binding !== 7), entry(9, 'storage')];
    case 'finalize':
      return [entry(9, 'storage'), entry(10, 'read-only-storage'), entry(11, 'storage')];
  }
}

/** The bind group layout of one of the three pipelines, cached per device. */
export function sumsLayout(device: GPUDevice, role: SumsLayoutRole): GPUBindGroupLayout {
  let perDevice = caches.get(device);
  if (!perDevice) {
    perDevice = new Map();
    caches.set(device, perDevice);
  }
  let layout = perDevice.get(role);
  if (!layout) {
    layout = device.createBindGroupLayout({
      label: `webgpu-optim/tensor-sums/${role}-bind-group-layout`,
      entries: entriesOf(role),
    });
    perDevice.set(role, layout);
  }
  return layout;
}

/**
 * Partials a tensor of `length` elements may write in one step, whatever its dispatch path: at
 * most one per workgroup of its update dispatches, ceil(n / workgroupSize) + 2.
 */
export function partialCapacity(length: number, workgroupSize: number): number {
  return Math.ceil(length / workgroupSize) + 2;
}
