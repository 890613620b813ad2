import { ShaderStage } from './usage.ts';

/**
 * A standalone shader (one that does not share common.wgsl's bindings: gradnorm.wgsl,
 * gradscaler.wgsl) compiled for one set of override constants: its bind group layout (one
 * buffer binding per entry of `bindings`, numbered from 0) and a factory for its entry points'
 * pipelines. Callers memoize the result per device and constants.
 */
export function auxKernel(
  device: GPUDevice,
  name: string,
  code: string,
  bindings: readonly GPUBufferBindingType[],
  constants: Record<string, number>,
): { layout: GPUBindGroupLayout; pipeline(entryPoint: string): GPUComputePipeline } {
  const layout = device.createBindGroupLayout({
    label: `webgpu-optim/${name}/bind-group-layout`,
    entries: bindings.map((type, binding) => ({
      binding,
      visibility: ShaderStage.COMPUTE,
      buffer: { type },
    })),
  });
  const pipelineLayout = device.createPipelineLayout({
    label: `webgpu-optim/${name}/layout`,
    bindGroupLayouts: [layout],
  });
  const module = device.createShaderModule({ label: `webgpu-optim/${name}/shader`, code });
  return {
    layout,
    pipeline: (entryPoint) =>
      device.createComputePipeline({
        label: `webgpu-optim/${name}/${entryPoint} ${JSON.stringify(constants)}`,
        layout: pipelineLayout,
        compute: { module, entryPoint, constants },
      }),
  };
}
