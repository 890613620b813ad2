/**
 * The dispatches of the tensors a 'q8' optimizer stores in 8 bits: one `main_q8` dispatch per
 * tensor (shaders/state_q8.wgsl), bound to the tensor's param and grad ranges (planned as
 * for any tensor, with its state at offset 0 of its own buffer) and to its Q8Store region.
 * With tensor sums (LAMB) a `tensor_sums_q8` dispatch too (shaders/tensor_sums_q8.wgsl), ranked
 * with the other sums dispatches before every update, writing one partial per 256-element block
 * into the optimizer's partials; the update binds the ratios and starts as the f32 update does.
 * Bind groups are made once per set of grad views, as the Binder's.
 */
import { bindingAlignment, grid, planTensor, type ByteRange } from '../kernels/geometry.ts';
import { getPipeline, type PipelineVariant } from '../kernels/pipelineCache.ts';
import {
  Q8_ELEMENTS_PER_WORKGROUP,
  Q8_PARTIALS_BINDING,
  Q8_SUMS_WORKGROUP,
  Q8_TABLE_BINDING,
  q8BindGroupLayout,
} from '../kernels/q8.ts';
import type { KernelSpec } from '../kernels/spec.ts';
import { packGeometry } from '../kernels/uniforms.ts';
import { q8RoundsUp, q8Signed } from '../options/q8.ts';
import type { Algorithm, StateName } from '../options/types.ts';
import { SUMS_RANK, type Dispatch } from './binder.ts';
import type { Q8Region } from './q8Store.ts';
import type { CheckedRef } from './tensorRef.ts';
import type { TensorSums } from './tensorSums.ts';

/** Ranks after every f32 dispatch (Binder ranks are below 4). */
export const Q8_RANK = 5;

export interface Q8BindContext<O> {
  device: GPUDevice;
  label: string;
  /** The algorithm's kernel with 8-bit state (withStateDtype(spec, 'q8')). */
  spec: KernelSpec<O>;
  limits: GPUSupportedLimits;
  workgroupSize: number;
  uniform: GPUBuffer;
  uniformData: DataView;
  slot: number;
  dummy: GPUBuffer;
  control: GPUBuffer;
  q8Table: GPUBuffer;
  clip: { norm: boolean; value: boolean };
  scaler: boolean;
  /** The per-tensor reduction's buffers, when the spec has tensorSums (LAMB). */
  sums: TensorSums | null;
}

/** Q8_SIGNED for state arrays `names`: bit j set when array j uses the signed map. */
export function q8SignedMask(names: readonly StateName[]): number {
  return names.reduce((m, n, j) => (q8Signed(n) ? m | (1 << j) : m), 0);
}

/** Q8_UP for `algorithm`'s state arrays `names`: bit j set when array j rounds up. */
export function q8UpMask(algorithm: Algorithm, names: readonly StateName[]): number {
  return names.reduce((m, n, j) => (q8RoundsUp(algorithm, n) ? m | (1 << j) : m), 0);
}

/** The pipeline variant of a q8 tensor's dispatch. */
export function q8Variant(
  algorithm: Algorithm,
  names: readonly StateName[],
  gradInParam: boolean,
  c: { clip: { norm: boolean; value: boolean }; scaler: boolean },
): PipelineVariant {
  return {
    entry: 'main_q8',
    q8Signed: q8SignedMask(names),
    q8Up: q8UpMask(algorithm, names),
    gradInParam,
    clipNorm: c.clip.norm,
    clipValue: c.clip.value,
    scaler: c.scaler,
  };
}

/**
 * Tensor `i`'s dispatches (with tensor sums: its tensor_sums_q8 dispatch, then its update);
 * packs its geometry into its uniform slot.
 */
export function bindQ8Tensor<O>(
  c: Q8BindContext<O>,
  i: number,
  group: number,
  options: O,
  p: CheckedRef,
  g: CheckedRef,
  region: Q8Region,
): Dispatch[] {
  const same = g.buffer === p.buffer;
  const plan = planTensor(
    { offset: p.offset, length: p.length, bufferSize: p.buffer.size },
    { offset: g.offset, length: g.length, bufferSize: g.buffer.size },
    same,
    { stateOff: 0, stride: region.stride },
    c.limits,
    c.workgroupSize,
  );
  packGeometry(c.uniformData, i * c.slot, plan.geometry);
  const align = bindingAlignment(c.limits);
  const range = (buffer: GPUBuffer, r: ByteRange | null, slot: number): GPUBufferBinding =>
    r
      ? { buffer, offset: r.offset, size: r.size }
      : { buffer: c.dummy, offset: slot * align, size: 16 };
  const entries: GPUBindGroupEntry[] = [
    { binding: 0, resource: range(p.buffer, plan.param.vec4, 0) },
    { binding: 1, resource: range(p.buffer, plan.param.scalar, 1) },
    { binding: 2, resource: range(g.buffer, plan.grad?.vec4 ?? null, 2) },
    { binding: 3, resource: range(g.buffer, plan.grad?.scalar ?? null, 3) },
    { binding: 4, resource: { buffer: region.buffer } },
    {
      binding: 5,
      resource: { buffer: c.uniform, offset: i * c.slot, size: c.spec.layout.size },
    },
    { binding: 8, resource: { buffer: c.control } },
    { binding: Q8_TABLE_BINDING, resource: { buffer: c.q8Table } },
  ];
  const sums = c.sums;
  const bindGroup = c.device.createBindGroup({
    label: `${c.label}/q8-bind-group[${i}]`,
    layout: q8BindGroupLayout(c.device, sums ? 'update-sums' : 'update'),
    entries: sums ? [...entries, ...sums.updateEntries()] : entries,
  });
  const variant = q8Variant(c.spec.name, region.names, same, c);
  const update: Dispatch = {
    bindGroup,
    pipeline: getPipeline(c.device, c.spec, options, c.workgroupSize, variant),
    grid: grid(
      Math.ceil(p.length / Q8_ELEMENTS_PER_WORKGROUP),
      c.limits.maxComputeWorkgroupsPerDimension,
    ),
    rank: Q8_RANK,
    group,
    tensors: [i],
    variant,
  };
  if (!sums) return [update];
  const sumsVariant: PipelineVariant = { ...variant, entry: 'tensor_sums_q8' };
  const sumsDispatch: Dispatch = {
    bindGroup: c.device.createBindGroup({
      label: `${c.label}/q8-tensor-sums[${i}]`,
      layout: q8BindGroupLayout(c.device, 'sums'),
      entries: [...entries, { binding: Q8_PARTIALS_BINDING, resource: { buffer: sums.partials } }],
    }),
    pipeline: getPipeline(c.device, c.spec, options, c.workgroupSize, sumsVariant),
    // One thread per block (shaders/tensor_sums_q8.wgsl).
    grid: grid(
      Math.ceil(region.blocks / Q8_SUMS_WORKGROUP),
      c.limits.maxComputeWorkgroupsPerDimension,
    ),
    rank: Q8_RANK + SUMS_RANK,
    group,
    tensors: [i],
    variant: sumsVariant,
  };
  return [sumsDispatch, update];
}
