import { commonEntries } from './tensorSums.ts';
import { ShaderStage } from './usage.ts';

/**
 * The bind group layout of the 8-bit state kernel (`main_q8`, shaders/state_q8.wgsl):
 * common.wgsl's bindings but `tensors` and `owner` (6, 7: main_q8 never reads them; the state
 * binding holds the codes and the absmax values) plus the maps, midpoints and guess tables
 * (src/options/q8.ts, q8Table), 4.6 KiB of read-only storage (binding 9). Seven storage buffers, within WebGPU's default eight.
 */
export const Q8_TABLE_BINDING = 9;
/** Elements one workgroup of `main_q8` updates: 256 threads of four. */
export const Q8_ELEMENTS_PER_WORKGROUP = 256;

const layouts = new WeakMap<
  GPUDevice,
  { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }
>();

function cached(device: GPUDevice): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
  let l = layouts.get(device);
  if (!l) {
    const group = device.createBindGroupLayout({
      label: 'webgpu-optim/q8/bind-group-layout',
      entries: [
        ...commonEntries().filter((e) => e.binding !== 6 && e.binding !== 7),
        {
          binding: Q8_TABLE_BINDING,
          visibility: ShaderStage.COMPUTE,
          buffer: { type: 'read-only-storage' },
        },
      ],
    });
    const pipeline = device.createPipelineLayout({
      label: 'webgpu-optim/q8/pipeline-layout',
      bindGroupLayouts: [group],
    });
    l = { group, pipeline };
    layouts.set(device, l);
  }
  return l;
}

/** The bind group layout of `main_q8` on `device`. */
export function q8BindGroupLayout(device: GPUDevice): GPUBindGroupLayout {
  return cached(device).group;
}

/** The pipeline layout of `main_q8` on `device`. */
export function q8PipelineLayout(device: GPUDevice): GPUPipelineLayout {
  return cached(device).pipeline;
}
