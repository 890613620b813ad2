import type { KernelSpec } from './spec.ts';
import { commonEntries, sumsLayout, type SumsLayoutRole } from './tensorSums.ts';
import { q8PipelineLayout, type Q8LayoutRole } from './q8.ts';

/**
 * Pipelines memoized per (device, algorithm, override constants, workgroup size), plus one
 * shared bind group layout per device. Every kernel binds the same nine slots (see
 * shaders/common.wgsl), so one layout serves all of them.
 */
interface DeviceCache {
  layout: GPUBindGroupLayout;
  pipelineLayout: GPUPipelineLayout;
  modules: Map<string, GPUShaderModule>;
  pipelines: Map<string, GPUComputePipeline>;
  /** Pipeline layouts of the tensor-sums kernels (src/kernels/tensorSums.ts), by role. */
  sumsLayouts: Map<SumsLayoutRole, GPUPipelineLayout>;
}

const caches = new WeakMap<GPUDevice, DeviceCache>();

/** Which code paths a dispatch runs (the MODE override in common.wgsl). */
export type DispatchMode = 'body' | 'tail' | 'both';
const MODES: Record<DispatchMode, number> = { body: 0, tail: 1, both: 2 };

function deviceCache(device: GPUDevice): DeviceCache {
  let cache = caches.get(device);
  if (!cache) {
    const layout = device.createBindGroupLayout({
      label: 'webgpu-optim/common/bind-group-layout',
      entries: commonEntries(),
    });
    const pipelineLayout = device.createPipelineLayout({
      label: 'webgpu-optim/common/pipeline-layout',
      bindGroupLayouts: [layout],
    });
    cache = {
      layout,
      pipelineLayout,
      modules: new Map(),
      pipelines: new Map(),
      sumsLayouts: new Map(),
    };
    caches.set(device, cache);
  }
  return cache;
}

/** The bind group layout every optimizer kernel uses on `device`. */
export function bindGroupLayout(device: GPUDevice): GPUBindGroupLayout {
  return deviceCache(device).layout;
}

/** Returns the cached pipeline for these constants, creating it on first use. */
export interface PipelineVariant {
  /** The grad is read through the param bindings (same buffer). */
  gradInParam?: boolean;
  mode?: DispatchMode;
  /** One dispatch for a whole param group. */
  multi?: boolean;
  /** Gradient clipping by global norm, and by value. */
  clipNorm?: boolean;
  clipValue?: boolean;
  /** A GradScaler is attached: unscale, and skip the step when found_inf is set. */
  scaler?: boolean;
  /**
   * For a spec with tensorSums: the `tensor_sums` or `tensor_finalize` entry point instead of
   * the update (`main`).
   */
  entry?: 'main' | 'tensor_sums' | 'tensor_finalize' | 'main_q8' | 'tensor_sums_q8';
  /**
   * For `main_q8` (shaders/state_q8.wgsl): the Q8_SIGNED override, bit j set when state array
   * j uses the signed map.
   */
  q8Signed?: number;
  /** For `main_q8`: the Q8_UP override, bit j set when state array j rounds up. */
  q8Up?: number;
  /**
   * MULTI with flat runs in an update that looks up a per-tensor value (LAMB): SEEDED_ROWS,
   * the workgroup-to-row map seeds the lookup (common.wgsl). Off, the lookup's code is left
   * out of the pipeline: on SwiftShader its mere presence slowed every row.
   */
  seededRows?: boolean;
}

function pipelineLayoutOf(
  device: GPUDevice,
  cache: DeviceCache,
  role: SumsLayoutRole | null,
): GPUPipelineLayout {
  if (!role) return cache.pipelineLayout;
  let layout = cache.sumsLayouts.get(role);
  if (!layout) {
    layout = device.createPipelineLayout({
      label: `webgpu-optim/tensor-sums/${role}-pipeline-layout`,
      bindGroupLayouts: [sumsLayout(device, role)],
    });
    cache.sumsLayouts.set(role, layout);
  }
  return layout;
}

/** The q8 layout role of a q8 entry point (src/kernels/q8.ts). */
function q8Role(entry: 'main_q8' | 'tensor_sums_q8', tensorSums: boolean): Q8LayoutRole {
  if (entry === 'tensor_sums_q8') return 'sums';
  return tensorSums ? 'update-sums' : 'update';
}

const ROLES = { main: 'update', tensor_sums: 'sums', tensor_finalize: 'finalize' } as const;

export function getPipeline<O>(
  device: GPUDevice,
  spec: KernelSpec<O>,
  options: O,
  workgroupSize: number,
  variant: PipelineVariant = {},
): GPUComputePipeline {
  const cache = deviceCache(device);
  const constants = {
    ...spec.constants(options),
    WG_SIZE: workgroupSize,
    GRAD_IN_PARAM: Number(variant.gradInParam ?? false),
    MODE: MODES[variant.mode ?? 'body'],
    MULTI: Number(variant.multi ?? false),
    CLIP_NORM: Number(variant.clipNorm ?? false),
    CLIP_VALUE: Number(variant.clipValue ?? false),
    SCALER: Number(variant.scaler ?? false),
    ...(variant.entry === 'main_q8' || variant.entry === 'tensor_sums_q8'
      ? { Q8_SIGNED: variant.q8Signed ?? 0, Q8_UP: variant.q8Up ?? 0 }
      : {}),
    ...(variant.seededRows ? { SEEDED_ROWS: 1 } : {}),
  };
  const entryPoint = variant.entry ?? 'main';
  const key = `${spec.name}/${spec.stateDtype}/${entryPoint}:${JSON.stringify(constants)}`;
  let pipeline = cache.pipelines.get(key);
  if (!pipeline) {
    let module = cache.modules.get(spec.code);
    if (!module) {
      module = device.createShaderModule({
        label: `webgpu-optim/${spec.name}/shader-${spec.stateDtype}`,
        code: spec.code,
      });
      cache.modules.set(spec.code, module);
    }
    pipeline = device.createComputePipeline({
      label: `webgpu-optim/${spec.name}/${entryPoint === 'main' ? 'pipeline' : entryPoint} ${spec.stateDtype} ${JSON.stringify(constants)}`,
      layout:
        entryPoint === 'main_q8' || entryPoint === 'tensor_sums_q8'
          ? q8PipelineLayout(device, q8Role(entryPoint, spec.tensorSums === true))
          : pipelineLayoutOf(device, cache, spec.tensorSums ? ROLES[entryPoint] : null),
      compute: { module, entryPoint, constants },
    });
    cache.pipelines.set(key, pipeline);
  }
  return pipeline;
}
