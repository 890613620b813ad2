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
 * With 'q8' state an 8-bit tensor writes one partial per block of 256 (its count fixed at
 * construction, shaders/tensor_sums_q8.wgsl) and its slot comes after every tensor with f32 or
 * 16-bit state (planTensorSums): a param group's MULTI dispatch indexes its tensors' slots and
 * partials from its first tensor's on, and the 8-bit tensors between them are not in it.
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
  /**
   * Each tensor's slot: its index into `spans`, `ratios` and `starts` (see withGathered).
   * The tensor's own index unless it is gathered.
   */
  slot: number[];
  /** Slots in all: the tensors, plus one per gathered tensor. */
  slots: number;
  /**
   * Per tensor, its partial count when it is fixed at construction: an 8-bit tensor's blocks
   * (shaders/tensor_sums_q8.wgsl writes one partial per block); null for the others, whose
   * count the binder sets from their dispatch path.
   */
  fixedCounts: (number | null)[];
}

/**
 * Plans the partials of `lengths` (one optimizer's tensors) and checks the limits, with errors
 * that name them: at most MAX_SUM_TENSORS tensors (the ratios are one 64 KiB uniform), and the
 * partials within maxStorageBufferBindingSize. `q8Blocks[i]` is tensor i's count of 256-element
 * blocks when its state is stored in 8 bits (one partial each), else null or absent. Slots and
 * partial ranges go in index order to the tensors the Binder dispatches, then to the 8-bit ones
 * (src/optim/q8Binder.ts), so that a param group's Binder tensors have consecutive slots and
 * ranges even with 8-bit tensors between them.
 */
export function planTensorSums(
  lengths: readonly number[],
  workgroupSize: number,
  maxBinding: number,
  where: string,
  q8Blocks: readonly (number | null)[] = [],
): TensorSumsPlan {
  if (lengths.length > MAX_SUM_TENSORS) {
    throw new RangeError(
      `${where}: at most ${MAX_SUM_TENSORS} tensors per optimizer (over all param groups), got ${lengths.length}: the per-tensor trust ratios are read from one 64 KiB uniform`,
    );
  }
  const fixedCounts = lengths.map((_, i) => q8Blocks[i] ?? null);
  const all = [...lengths.keys()];
  const order = [
    ...all.filter((i) => fixedCounts[i] === null),
    ...all.filter((i) => fixedCounts[i] !== null),
  ];
  const slot = lengths.map(() => 0);
  const partialBase = lengths.map(() => 0);
  let at = 0;
  order.forEach((i, k) => {
    slot[i] = k;
    partialBase[i] = at;
    at += fixedCounts[i] ?? partialCapacity(lengths[i] as number, workgroupSize);
  });
  const partialBytes = Math.max(at, 1) * PARTIAL_BYTES;
  if (partialBytes > maxBinding) {
    throw new RangeError(
      `${where}: the per-tensor partial sums need ${partialBytes} bytes, more than this device's maxStorageBufferBindingSize (${maxBinding}); use a larger workgroupSize or fewer elements`,
    );
  }
  return { partialBase, partialBytes, slot, slots: lengths.length, fixedCounts };
}

/**
 * Whether `gathered` more slots fit beside `tensors` (the ratios are one 64 KiB uniform): an
 * optimizer with tensor sums gathers nothing when they do not.
 */
export function slotsFit(tensors: number, gathered: number): boolean {
  return tensors + gathered <= MAX_SUM_TENSORS;
}

/**
 * The plan with gathered runs (src/optim/gather.ts), each the tensor indices of one dispatch.
 * A dispatch indexes its tensors' partials, spans, ratios and starts from its first tensor's on
 * (binder.ts), but a gathered run's members need not follow one another: a transformer's
 * small tensors (norms, biases) lie between its large ones. So each member gets a slot of its
 * own past the tensors' (`tensors + position`), its run's slots consecutive, and its partials
 * move past every other tensor's, in run order. Every other tensor keeps its planned slot
 * (planTensorSums), its partials in slot order. The partials' total is unchanged.
 */
export function withGathered(
  plan: TensorSumsPlan,
  lengths: readonly number[],
  runs: readonly (readonly number[])[],
  workgroupSize: number,
): TensorSumsPlan {
  const gathered = new Set(runs.flat());
  const partialBase = lengths.map(() => 0);
  const slot = [...plan.slot];
  const capacity = (i: number) =>
    plan.fixedCounts[i] ?? partialCapacity(lengths[i] as number, workgroupSize);
  let at = 0;
  for (const i of [...lengths.keys()].sort((a, b) => (slot[a] as number) - (slot[b] as number))) {
    if (gathered.has(i)) continue;
    partialBase[i] = at;
    at += capacity(i);
  }
  let next = plan.slots;
  for (const i of runs.flat()) {
    partialBase[i] = at;
    at += capacity(i);
    slot[i] = next++;
  }
  return {
    partialBase,
    partialBytes: plan.partialBytes,
    slot,
    slots: next,
    fixedCounts: plan.fixedCounts,
  };
}

export class TensorSums {
  readonly partials: GPUBuffer;
  readonly spans: GPUBuffer;
  readonly ratios: GPUBuffer;
  readonly starts: GPUBuffer;
  /**
   * Each tensor's first partial: its range holds partialCapacity(length) partials, or an 8-bit
   * tensor's blocks.
   */
  readonly partialBase: readonly number[];
  /** Per tensor, its partial count when fixed at construction (8-bit tensors), else null. */
  readonly fixedCounts: readonly (number | null)[];
  /** Each tensor's slot in `spans`, `ratios` and `starts` (TensorSumsPlan.slot). */
  readonly slot: readonly number[];
  /** Slots in all: the length of `spans` and `starts`, the finalize pass's threads. */
  readonly slots: number;
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
    const tensors = plan.slots;
    this.partialBase = plan.partialBase;
    this.slot = plan.slot;
    this.slots = plan.slots;
    this.fixedCounts = plan.fixedCounts;
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

  /**
   * The update's bindings of the ratios and the starts (uniforms 12 and 13), the same for the
   * f32 update (binder.ts) and the 8-bit one (q8Binder.ts).
   */
  updateEntries(): GPUBindGroupEntry[] {
    return [
      { binding: 12, resource: { buffer: this.ratios, size: RATIOS_BYTES } },
      { binding: 13, resource: { buffer: this.starts, size: STARTS_BYTES } },
    ];
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
      ratio_base: this.slot[i] as number,
      partial_base: this.partialBase[i] as number,
      sum_workgroups: this.sumWorkgroups[i] as number,
      ratio_count: this.ratioCount[i] as number,
    };
  }

  /** Records the finalize dispatch: one thread per slot. Returns the dispatch count. */
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
