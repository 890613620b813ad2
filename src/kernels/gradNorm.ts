import source from '../../shaders/gradnorm.wgsl?raw';
import { ShaderStage } from './usage.ts';

/** vec4s each thread of the partial-sums pass reads. */
export const NORM_ITEMS = 16;
/** Threads per workgroup of both passes. */
export const NORM_WG = 256;

interface NormPipelines {
  layout: GPUBindGroupLayout;
  /** partial_sums with NORM (clipGradNorm) and/or CHECK (GradScaler). */
  partial: GPUComputePipeline;
  finalize: GPUComputePipeline;
}

/** Which jobs the pass over the gradients does. */
export interface NormVariant {
  norm: boolean;
  check: boolean;
}

const cache = new WeakMap<GPUDevice, Map<string, NormPipelines>>();

/** The pipelines of shaders/gradnorm.wgsl for `variant`, cached per device. */
export function normPipelines(device: GPUDevice, variant: NormVariant): NormPipelines {
  let perDevice = cache.get(device);
  if (!perDevice) {
    perDevice = new Map();
    cache.set(device, perDevice);
  }
  const key = `${Number(variant.norm)}${Number(variant.check)}`;
  let p = perDevice.get(key);
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
        entry(4, 'read-only-storage'),
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
    const constants = {
      WG_SIZE: NORM_WG,
      ITEMS: NORM_ITEMS,
      NORM: Number(variant.norm),
      CHECK: Number(variant.check),
    };
    const make = (entryPoint: string) =>
      device.createComputePipeline({
        label: `webgpu-optim/gradnorm/${entryPoint} ${JSON.stringify(constants)}`,
        layout: pipelineLayout,
        compute: { module, entryPoint, constants },
      });
    p = { layout, partial: make('partial_sums'), finalize: make('finalize') };
    perDevice.set(key, p);
  }
  return p;
}
