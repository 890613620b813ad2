import source from '../../shaders/gradnorm.wgsl?raw';
import { ShaderStage } from './usage.ts';

/** Elements each thread of the partial-sums pass squares and adds. */
export const NORM_ITEMS = 16;
/** Threads per workgroup of both passes. */
export const NORM_WG = 256;

interface NormPipelines {
  layout: GPUBindGroupLayout;
  partial: GPUComputePipeline;
  finalize: GPUComputePipeline;
}

const cache = new WeakMap<GPUDevice, NormPipelines>();

/** The two pipelines of shaders/gradnorm.wgsl, cached per device. */
export function normPipelines(device: GPUDevice): NormPipelines {
  let p = cache.get(device);
  if (!p) {
    const entry = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
      binding,
      visibility: ShaderStage.COMPUTE,
      buffer: { type },
    });
    const layout = device.createBindGroupLayout({
      label: 'webgpu-optim/gradnorm/bind-group-layout',
      entries: [
        entry(0, 'read-only-storage'),
        entry(1, 'storage'),
        entry(2, 'storage'),
        entry(3, 'uniform'),
      ],
    });
    const pipelineLayout = device.createPipelineLayout({
      label: 'webgpu-optim/gradnorm/layout',
      bindGroupLayouts: [layout],
    });
    const module = device.createShaderModule({
      label: 'webgpu-optim/gradnorm/shader',
      code: source,
    });
    const constants = { WG_SIZE: NORM_WG, ITEMS: NORM_ITEMS };
    const make = (entryPoint: string) =>
      device.createComputePipeline({
        label: `webgpu-optim/gradnorm/${entryPoint}`,
        layout: pipelineLayout,
        compute: { module, entryPoint, constants },
      });
    p = { layout, partial: make('partial_sums'), finalize: make('finalize') };
    cache.set(device, p);
  }
  return p;
}
