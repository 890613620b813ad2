/**
 * The buffers and the finalize dispatch of the per-tensor reduction (shaders/tensor_sums.wgsl)
 * for one optimizer whose kernel has `tensorSums` (LAMB): `partials` (one vec4 per workgroup of
 * the sums pass, each tensor a fixed range), `spans` (each tensor's first partial and count,
 * written when the bind groups are made) and `ratios` (one f32 per tensor, written by the
 * finalize pass as storage and read by the update as a uniform) and `starts` (each tensor's
 * first element in its group's param bindings, written when the bind groups are made, for the
 * update's lookup inside a flat run). The binder records the sums pass (a tensor_sums dispatch
 * before each update dispatch, one row per tensor); this class records the one finalize
 * dispatch between it and the update.
 * Reusable as is by another per-tensor quantity (LARS's trust ratio, StableAdamW's per-tensor
 * RMS, adaptive gradient clipping): the algorithm's file supplies tensor_terms and tensor_ratio.
 */
import { getPipeline } from '../kernels/pipelineCache.ts';
import type { KernelSpec } from '../kernels/spec.ts';
import {
  MAX_SUM_TENSORS,
  PARTIAL_BYTES,
  RATIOS_BYTES,
  SPAN_BYTES,
  STARTS_BYTES,
  partialCapacity,
  sumsLayout,
} from '../kernels/tensorSums.ts';
import { BufferUsage } from '../kernels/usage.ts';

/** Where each tensor's partials go, validated against the limits before anything is created. */
export interface TensorSumsPlan {
  /** Each tensor's first partial. */
  partialBase: number[];
  /** Bytes of the partials buffer. */
  partialBytes: number;
}

/**
 * Plans the partials of `lengths` (one optimizer's tensors) and checks the limits, with errors
 * that name them: at most MAX_SUM_TENSORS tensors (the ratios are one 64 KiB uniform), and the
 * partials within maxStorageBufferBindingSize.
 */
export function planTensorSums(
  lengths: readonly number[],
  workgroupSize: number,
  maxBinding: number,
  where: string,
): TensorSumsPlan {
  if (lengths.length > MAX_SUM_TENSORS) {
    throw new RangeError(
      `${where}: at most ${MAX_SUM_TENSORS} tensors per optimizer (over all param groups), got ${lengths.length}: the per-tensor trust ratios are read from one 64 KiB uniform`,
    );
  }
  let at = 0;
  const partialBase = lengths.map((n) => {
    const base = at;
    at += partialCapacity(n, workgroupSize);
    return base;
  });
  const partialBytes = Math.max(at, 1) * PARTIAL_BYTES;
  if (partialBytes > maxBinding) {
    throw new RangeError(
      `${where}: the per-tensor partial sums need ${partialBytes} bytes, more than this device's maxStorageBufferBindingSize (${maxBinding}); use a larger workgroupSize or fewer elements`,
    );
  }
  return { partialBase, partialBytes };
}

export class TensorSums {
  readonly partials: GPUBuffer;
  readonly spans: GPUBuffer;
  readonly ratios: GPUBuffer;
  readonly starts: GPUBuffer;
  /** Each tensor's first partial: its range holds partialCapacity(length) partials. */
  readonly partialBase: readonly number[];
  /**
   * Per tensor, the workgroups of its group's MULTI sums dispatch (the `sum_workgroups`
   * uniform field), 0 for a tensor dispatched alone. Set by the binder.
   */
  readonly sumWorkgroups: number[];
  /**
   * Per tensor, the tensors of its group when its group's update has flat runs (the
   * `ratio_count` uniform field: the update then looks each element's tensor up in `starts`),
   * else 0. Set by the binder.
   */
  readonly ratioCount: number[];
  private readonly finalize: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup };
  private readonly finalizeWorkgroups: number;

  constructor(
    device: GPUDevice,
    label: string,
    plan: TensorSumsPlan,
    workgroupSize: number,
    spec: KernelSpec<never>,
    options: unknown,
  ) {
    const tensors = plan.partialBase.length;
    this.partialBase = plan.partialBase;
    this.sumWorkgroups = plan.partialBase.map(() => 0);
    this.ratioCount = plan.partialBase.map(() => 0);
    this.partials = device.createBuffer({
      label: `${label}/tensor-sums/partials`,
      size: plan.partialBytes,
      usage: BufferUsage.STORAGE,
    });
    this.spans = device.createBuffer({
      label: `${label}/tensor-sums/spans`,
      size: Math.max(tensors, 1) * SPAN_BYTES,
      usage: BufferUsage.STORAGE | BufferUsage.COPY_DST,
    });
    this.ratios = device.createBuffer({
      label: `${label}/tensor-sums/ratios`,
      size: RATIOS_BYTES,
      usage: BufferUsage.STORAGE | BufferUsage.UNIFORM,
    });
    this.starts = device.createBuffer({
      label: `${label}/tensor-sums/starts`,
      size: STARTS_BYTES,
      usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST,
    });
    const pipeline = getPipeline(device, spec, options as never, workgroupSize, {
      entry: 'tensor_finalize',
    });
    const bindGroup = device.createBindGroup({
      label: `${label}/tensor-sums/finalize-bind-group`,
      layout: sumsLayout(device, 'finalize'),
      entries: [
        { binding: 9, resource: { buffer: this.partials } },
        { binding: 10, resource: { buffer: this.spans, size: tensors * SPAN_BYTES } },
        { binding: 11, resource: { buffer: this.ratios } },
      ],
    });
    this.finalize = { pipeline, bindGroup };
    this.finalizeWorkgroups = Math.max(1, Math.ceil(tensors / workgroupSize));
  }

  get buffers(): GPUBuffer[] {
    return [this.partials, this.spans, this.ratios, this.starts];
  }

  /** The uniform fields of tensor `i` (LambUniforms' last four). */
  fields(i: number): {
    ratio_base: number;
    partial_base: number;
    sum_workgroups: number;
    ratio_count: number;
  } {
    return {
      ratio_base: i,
      partial_base: this.partialBase[i] as number,
      sum_workgroups: this.sumWorkgroups[i] as number,
      ratio_count: this.ratioCount[i] as number,
    };
  }

  /** Records the finalize dispatch: one thread per tensor. Returns the dispatch count. */
  record(pass: GPUComputePassEncoder): number {
    pass.setPipeline(this.finalize.pipeline);
    pass.setBindGroup(0, this.finalize.bindGroup);
    pass.dispatchWorkgroups(this.finalizeWorkgroups);
    return 1;
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
  }
}
