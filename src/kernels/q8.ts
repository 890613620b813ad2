import { commonEntries } from './tensorSums.ts';
import { ShaderStage } from './usage.ts';

/**
 * The bind group layouts of the 8-bit state kernels (shaders/state_q8.wgsl and, for an
 * algorithm with tensor sums, shaders/tensor_sums_q8.wgsl). Every one has common.wgsl's
 * bindings but `tensors` and `owner` (6, 7: the q8 entry points never read them; the state
 * binding holds the codes and the absmax values) plus the maps, midpoints and guess tables
 * (src/options/q8.ts, q8Table), 4.6 KiB of read-only storage (binding 9). Per role:
 * - 'update': `main_q8`; seven storage buffers, within WebGPU's default eight;
 * - 'update-sums': `main_q8` of an algorithm with tensor sums (LAMB), plus the ratios and the
 *   tensors' starts uniforms (bindings 12 and 13, as the f32 update's: src/kernels/tensorSums.ts);
 * - 'sums': `tensor_sums_q8`, plus the partials (binding 10): eight storage buffers.
 */
export const Q8_TABLE_BINDING = 9;
/** The binding of the partials in `tensor_sums_q8`'s layout. */
export const Q8_PARTIALS_BINDING = 10;
/** Elements one workgroup of `main_q8` updates: 256 threads of four. */
export const Q8_ELEMENTS_PER_WORKGROUP = 256;
/** Threads per workgroup of `tensor_sums_q8` (Q8_WG), each one 256-element block. */
export const Q8_SUMS_WORKGROUP = 64;

export type Q8LayoutRole = 'update' | 'update-sums' | 'sums';

interface Layouts {
  group: GPUBindGroupLayout;
  pipeline: GPUPipelineLayout;
}

const layouts = new WeakMap<GPUDevice, Map<Q8LayoutRole, Layouts>>();

function entry(binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry {
  return { binding, visibility: ShaderStage.COMPUTE, buffer: { type } };
}

function entriesOf(role: Q8LayoutRole): GPUBindGroupLayoutEntry[] {
  const base = [
    ...commonEntries().filter((e) => e.binding !== 6 && e.binding !== 7),
    entry(Q8_TABLE_BINDING, 'read-only-storage'),
  ];
  switch (role) {
    case 'update':
      return base;
    case 'update-sums':
      return [...base, entry(12, 'uniform'), entry(13, 'uniform')];
    case 'sums':
      return [...base, entry(Q8_PARTIALS_BINDING, 'storage')];
  }
}

function cached(device: GPUDevice, role: Q8LayoutRole): Layouts {
  let perDevice = layouts.get(device);
  if (!perDevice) {
    perDevice = new Map();
    layouts.set(device, perDevice);
  }
  let l = perDevice.get(role);
  if (!l) {
    const group = device.createBindGroupLayout({
      label: `webgpu-optim/q8/${role}-bind-group-layout`,
      entries: entriesOf(role),
    });
    const pipeline = device.createPipelineLayout({
      label: `webgpu-optim/q8/${role}-pipeline-layout`,
      bindGroupLayouts: [group],
    });
    l = { group, pipeline };
    perDevice.set(role, l);
  }
  return l;
}

/** The bind group layout of a q8 entry point's `role` on `device`. */
export function q8BindGroupLayout(device: GPUDevice, role: Q8LayoutRole): GPUBindGroupLayout {
  return cached(device, role).group;
}

/** The pipeline layout of a q8 entry point's `role` on `device`. */
export function q8PipelineLayout(device: GPUDevice, role: Q8LayoutRole): GPUPipelineLayout {
  return cached(device, role).pipeline;
}
