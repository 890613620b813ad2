import source from '../../shaders/gradnorm.wgsl?raw';
import { auxKernel } from './auxKernel.ts';

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
    const constants = {
      WG_SIZE: NORM_WG,
      ITEMS: NORM_ITEMS,
      NORM: Number(variant.norm),
      CHECK: Number(variant.check),
    };
    // values, partials, control, pass, values4, spans
    const k = auxKernel(
      device,
      'gradnorm',
      source,
      [
        'read-only-storage',
        'storage',
        'storage',
        'uniform',
        'read-only-storage',
        'read-only-storage',
      ],
      constants,
    );
    p = { layout: k.layout, partial: k.pipeline('partial_sums'), finalize: k.pipeline('finalize') };
    perDevice.set(key, p);
  }
  return p;
}
