/**
 * Turns validated params, grads and state regions into the dispatches of a step: bind groups,
 * pipelines and grids. Two paths:
 * - one dispatch per param group (MULTI), when the group's params lie in one buffer and its
 *   grads lie in one buffer at the same relative layout (a ParamArena gives exactly that);
 *   consecutive tensors of a flat run (src/optim/runs.ts) take one row of that dispatch, as
 *   one tensor, when their params and grads still lie back to back;
 * - otherwise one body and/or tail dispatch per tensor.
 * Bind groups are made here, once per set of grad views; a steady-state step only records.
 * With a kernel that has tensorSums (LAMB), every update dispatch gets a tensor_sums dispatch,
 * ranked before all updates, with its own bind group (without `owner`, with `partials`) and,
 * on the MULTI path, its own rows: one per tensor even where the update runs a flat run as one
 * row (a member's row then ends with its padding, which is zero), so no sum mixes tensors. Each
 * tensor's partial range is written to the finalize pass's spans, and its first element to
 * `starts`, where the update looks up the tensor of an element of a flat run.
 */
import {
  bindingAlignment,
  planGroup,
  planTensor,
  type ByteRange,
  type Geometry,
  type GeometryLimits,
  type StatePlacement,
} from '../kernels/geometry.ts';
import { grid as gridOf } from '../kernels/geometry.ts';
import {
  bindGroupLayout,
  getPipeline,
  type DispatchMode,
  type PipelineVariant,
} from '../kernels/pipelineCache.ts';
import type { KernelSpec } from '../kernels/spec.ts';
import { GEOMETRY_BYTES, packGeometry } from '../kernels/uniforms.ts';
import { COPY_DST, COPY_SRC } from './gather.ts';
import { ownsPadding } from './ownedPadding.ts';
import { isRun, type Run, type RunTensor } from './runs.ts';
import { SUMS_WORKGROUP, partialCapacity, sumsLayout } from '../kernels/tensorSums.ts';
import type { SideWrite } from './sideWrites.ts';
import type { TensorSums } from './tensorSums.ts';
import type { StateRegion, StateStore } from './stateStore.ts';
import type { CheckedRef } from './tensorRef.ts';

/** One recorded dispatch. `rank` orders dispatches so consecutive ones share pipelines. */
export interface Dispatch {
  bindGroup: GPUBindGroup;
  pipeline: GPUComputePipeline;
  grid: [number, number];
  rank: number;
  /** The param group, its tensors this dispatch updates, and the pipeline variant. */
  group: number;
  tensors: readonly number[];
  variant: PipelineVariant;
}

/** Bind group slots that can take a dummy (0–4); each gets its own aligned dummy range. */
export const DUMMY_SLOTS = 5;

export interface BinderContext<O> {
  device: GPUDevice;
  label: string;
  where: string;
  spec: KernelSpec<O>;
  limits: GeometryLimits;
  workgroupSize: number;
  store: StateStore;
  uniform: GPUBuffer;
  uniformData: DataView;
  slot: number;
  dummy: GPUBuffer;
  /** Per-tensor Geometry table for MULTI dispatches (read-only storage, binding 6). */
  table: GPUBuffer;
  /** Byte offset of each group's rows in `table` (aligned for binding). */
  tableOffsets: readonly number[];
  /** Byte offset of each group's workgroup-to-tensor map in `table`. */
  mapOffsets: readonly number[];
  /** Byte offset of each group's tensor_sums rows (one per tensor) in `table`. */
  sumsOffsets: readonly number[];
  /** Tensor indices of each param group, in order. */
  groups: readonly (readonly number[])[];
  /** Resolved options of each group. */
  options: readonly O[];
  /** The control block (binding 8) and which clips are on. */
  control: GPUBuffer;
  clip: { norm: boolean; value: boolean };
  /** A GradScaler is attached (the SCALER override). */
  scaler: boolean;
  /** The per-tensor reduction's buffers, when the spec has tensorSums (LAMB). */
  sums: TensorSums | null;
  /** Flat runs whose state the store laid out as one range each (src/optim/runs.ts). */
  runs: readonly Run[];
  /** The shadow buffers of gathered runs (src/optim/gather.ts), or null. */
  gather: Gathered | null;
}

/** Shadow buffers for gathered runs, and where each gathered tensor sits in them. */
export interface Gathered {
  params: GPUBuffer;
  grads: GPUBuffer;
  /** Byte offset per tensor in both shadow buffers, null when not gathered. */
  offsets: readonly (number | null)[];
  /** One run per group at most (also in `runs`). */
  runs: readonly Run[];
}

/** One copyBufferToBuffer of a step. */
export interface Copy {
  src: GPUBuffer;
  srcOffset: number;
  dst: GPUBuffer;
  dstOffset: number;
  size: number;
}

/** What a step records: copies into the shadow ranges, the dispatches, copies back. */
export interface BoundStep {
  gatherIn: Copy[];
  dispatches: Dispatch[];
  scatterOut: Copy[];
}

const RANK: Record<DispatchMode | 'multi', number> = { multi: 0, body: 1, both: 2, tail: 3 };
/** Added to the rank of a tensor_sums dispatch: they all come before every update. */
export const SUMS_RANK = -10;

/**
 * Where each group's rows (its tensors' Geometry), its workgroup-to-tensor map and, with
 * `sums`, its tensor_sums rows (one per tensor) live in the table buffer, each range aligned
 * for binding. The map is sized for the most workgroups a group can take: at most
 * 2·ceil(n / workgroupSize) + 2 per tensor of n elements.
 */
export function tableLayout(
  groups: readonly (readonly number[])[],
  lengths: readonly number[],
  workgroupSize: number,
  align: number,
  sums = false,
): { offsets: number[]; mapOffsets: number[]; sumsOffsets: number[]; size: number } {
  let at = 0;
  const take = (bytes: number) => {
    const o = at;
    at += Math.ceil(bytes / align) * align;
    return o;
  };
  const offsets = groups.map((g) => take(g.length * GEOMETRY_BYTES));
  const mapOffsets = groups.map((g) =>
    take(4 * g.reduce((a, i) => a + 2 * Math.ceil((lengths[i] as number) / workgroupSize) + 2, 0)),
  );
  const sumsOffsets = groups.map((g) => (sums ? take(g.length * GEOMETRY_BYTES) : 0));
  return { offsets, mapOffsets, sumsOffsets, size: Math.max(at, align) };
}

/**
 * With tensor sums (LAMB), a flat run is one row only when its tensors average fewer elements
 * than this. Each element of such a row looks its tensor up (lamb.wgsl, ratio_index), which
 * on SwiftShader made the update 1.5× slower (500 tensors of about 2 000 elements: 15 ms
 * against 10 for one tensor) but 2–4× faster than a row per tensor there (idle threads, heads
 * and tails); on the model scenario (101 tensors, 68 000 elements on average) a row per tensor
 * costs nothing and the lookup up to 1.5×. Measured with `npm run bench:breakdown`.
 */
export const SUMS_RUN_MEAN = 1 << 14;

/** A row of a MULTI dispatch: a tensor, or a flat run (its first tensor and position `k`). */
interface Unit {
  first: number;
  k: number;
  /** Elements the row updates: the run's (padding included) or the tensor's. */
  length: number;
  run: Run | null;
}

export class Binder<O> {
  /** The runs whose state is one range (or that keep no state), by first tensor index. */
  private readonly runs = new Map<number, Run>();

  constructor(private readonly c: BinderContext<O>) {
    const regions = c.store.regions;
    for (const run of c.runs) {
      const r0 = regions[run.indices[0] as number] as StateRegion;
      const flat = run.indices.every((j, m) => {
        const r = regions[j] as StateRegion;
        if (!r0.buffer) return !r.buffer;
        return (
          r.buffer === r0.buffer &&
          r.offset === r0.offset &&
          r.stride === r0.stride &&
          r.stateOff === r0.stateOff + (run.flat[m] as number)
        );
      });
      if (flat) this.runs.set(run.indices[0] as number, run);
    }
  }

  /**
   * Builds every dispatch for these grads. `steps` decides whether groups can share a uniform.
   * The table writes go to `write`: the optimizer applies them once the step is valid,
   * directly or through its encoder (src/optim/sideWrites.ts), never while a step recorded
   * earlier may still read the old table.
   */
  bind(
    params: readonly CheckedRef[],
    grads: readonly CheckedRef[],
    steps: readonly number[],
    write: (w: SideWrite) => void,
  ): BoundStep {
    const out: Dispatch[] = [];
    const gatherIn: Copy[] = [];
    const scatterOut: Copy[] = [];
    // Indexed by slot (TensorSums.slot): a gathered tensor's is past the tensors'.
    const sums = this.c.sums;
    const slots = sums?.slots ?? params.length;
    const spans = new Uint32Array(2 * slots);
    const starts = new Uint32Array(slots);
    // Tensors outside the groups with a fixed span: 8-bit ones (src/optim/q8Binder.ts).
    sums?.fixedCounts.forEach((count, i) => {
      if (count === null) return;
      const at = sums.slot[i] as number;
      spans[2 * at] = sums.partialBase[i] as number;
      spans[2 * at + 1] = count;
    });
    this.c.groups.forEach((indices, gi) => {
      const multi = this.bindGroup(gi, indices, params, grads, steps, write, spans, starts);
      if (multi) {
        out.push(...multi);
        return;
      }
      const gathered = this.bindGathered(gi, indices, params, grads, steps, write, spans, starts);
      if (gathered) {
        out.push(...gathered.dispatches);
        gatherIn.push(...gathered.gatherIn);
        scatterOut.push(...gathered.scatterOut);
      }
      for (const i of indices) {
        if (gathered?.members.has(i)) continue;
        out.push(...this.bindTensor(gi, i, params[i] as CheckedRef, grads[i] as CheckedRef, spans));
      }
    });
    if (sums) {
      write({ buffer: sums.spans, offset: 0, data: new Uint8Array(spans.buffer) });
      write({ buffer: sums.starts, offset: 0, data: new Uint8Array(starts.buffer) });
    }
    return { gatherIn, dispatches: out.sort((a, b) => a.rank - b.rank), scatterOut };
  }

  /**
   * The one dispatch of a group's gathered run over the shadow buffers, with its copies, or
   * null when the group has none or a member's buffers lack the copy usages.
   */
  private bindGathered(
    gi: number,
    indices: readonly number[],
    params: readonly CheckedRef[],
    grads: readonly CheckedRef[],
    steps: readonly number[],
    write: (w: SideWrite) => void,
    sumSpans: Uint32Array,
    starts: Uint32Array,
  ): { dispatches: Dispatch[]; members: Set<number>; gatherIn: Copy[]; scatterOut: Copy[] } | null {
    const g = this.c.gather;
    const run = g?.runs.find((r) => indices.includes(r.indices[0] as number));
    if (!g || !run) return null;
    const usable = run.indices.every((i) => {
      const p = params[i] as CheckedRef;
      const gr = grads[i] as CheckedRef;
      return (
        (p.buffer.usage & (COPY_SRC | COPY_DST)) === (COPY_SRC | COPY_DST) &&
        (gr.buffer.usage & COPY_SRC) === COPY_SRC
      );
    });
    if (!usable) return null;
    const shadowParams = params.slice();
    const shadowGrads = grads.slice();
    const gatherIn: Copy[] = [];
    const scatterOut: Copy[] = [];
    for (const i of run.indices) {
      const at = g.offsets[i] as number;
      const p = params[i] as CheckedRef;
      const gr = grads[i] as CheckedRef;
      shadowParams[i] = { ...p, buffer: g.params, offset: at, end: at + 4 * p.length };
      shadowGrads[i] = { ...gr, buffer: g.grads, offset: at, end: at + 4 * gr.length };
      const size = 4 * p.length;
      gatherIn.push({ src: p.buffer, srcOffset: p.offset, dst: g.params, dstOffset: at, size });
      gatherIn.push({ src: gr.buffer, srcOffset: gr.offset, dst: g.grads, dstOffset: at, size });
      scatterOut.push({ src: g.params, srcOffset: at, dst: p.buffer, dstOffset: p.offset, size });
    }
    const dispatches = this.bindGroup(
      gi,
      run.indices,
      shadowParams,
      shadowGrads,
      steps,
      write,
      sumSpans,
      starts,
    );
    if (!dispatches) return null;
    return { dispatches, members: new Set(run.indices), gatherIn, scatterOut };
  }

  private dummy(slot: number): GPUBufferBinding {
    return { buffer: this.c.dummy, offset: slot * bindingAlignment(this.c.limits), size: 16 };
  }

  private range(buffer: GPUBuffer, r: ByteRange | null, slot: number): GPUBufferBinding {
    if (!r) return this.dummy(slot);
    const max = this.c.limits.maxStorageBufferBindingSize;
    if (r.size > max) {
      throw new RangeError(
        `${this.c.where}: binding ${r.size} bytes of a buffer exceeds maxStorageBufferBindingSize (${max})`,
      );
    }
    return { buffer, offset: r.offset, size: r.size };
  }

  private bindGroupOf(
    label: string,
    entries: [
      GPUBufferBinding,
      GPUBufferBinding,
      GPUBufferBinding,
      GPUBufferBinding,
      GPUBufferBinding,
    ],
    uniformSlot: number,
    table: GPUBufferBinding,
    owner: GPUBufferBinding,
    sumsRows?: { entries: GPUBufferBinding[]; table: GPUBufferBinding },
  ): { update: GPUBindGroup; sums: GPUBindGroup | null } {
    const common: GPUBindGroupEntry[] = [
      ...entries.map((resource, binding) => ({ binding, resource })),
      {
        binding: 5,
        resource: {
          buffer: this.c.uniform,
          offset: uniformSlot * this.c.slot,
          size: this.c.spec.layout.size,
        },
      },
      { binding: 6, resource: table },
      { binding: 8, resource: { buffer: this.c.control } },
    ];
    const device = this.c.device;
    const sums = this.c.sums;
    if (!sums) {
      return {
        update: device.createBindGroup({
          label,
          layout: bindGroupLayout(device),
          entries: [...common, { binding: 7, resource: owner }],
        }),
        sums: null,
      };
    }
    return {
      update: device.createBindGroup({
        label,
        layout: sumsLayout(device, 'update'),
        entries: [...common, { binding: 7, resource: owner }, ...sums.updateEntries()],
      }),
      sums: device.createBindGroup({
        label: `${label}/tensor-sums`,
        layout: sumsLayout(device, 'sums'),
        entries: [
          ...(sumsRows
            ? common.map((e) =>
                e.binding === 6
                  ? { binding: 6, resource: sumsRows.table }
                  : e.binding < 4
                    ? {
                        binding: e.binding,
                        resource: sumsRows.entries[e.binding] as GPUBufferBinding,
                      }
                    : e,
              )
            : common),
          { binding: 9, resource: { buffer: sums.partials } },
        ],
      }),
    };
  }

  /**
   * The update's dispatch, and with tensor sums a tensor_sums dispatch before it: over the
   * update's grid and variant, or over `sumsOwn`'s (a MULTI group whose update has flat runs).
   */
  private withSums(
    bindGroups: { update: GPUBindGroup; sums: GPUBindGroup | null },
    options: O,
    variant: PipelineVariant,
    grid: [number, number],
    rank: number,
    group: number,
    tensors: readonly number[],
    sumsOwn?: { variant: PipelineVariant; grid: [number, number] },
  ): Dispatch[] {
    const device = this.c.device;
    const spec = this.c.spec;
    const wg = this.c.workgroupSize;
    const update = {
      bindGroup: bindGroups.update,
      pipeline: getPipeline(device, spec, options, wg, variant),
      grid,
      rank,
      group,
      tensors,
      variant,
    };
    if (!bindGroups.sums) return [update];
    const sumsVariant: PipelineVariant = { ...(sumsOwn?.variant ?? variant), entry: 'tensor_sums' };
    const sumsGrid = sumsOwn?.grid ?? grid;
    const sums = {
      bindGroup: bindGroups.sums,
      pipeline: getPipeline(device, spec, options, wg, sumsVariant),
      // One thread per workgroup of the rows' grid (shaders/tensor_sums.wgsl): no barrier.
      grid: gridOf(
        Math.ceil((sumsGrid[0] * sumsGrid[1]) / SUMS_WORKGROUP),
        this.c.limits.maxComputeWorkgroupsPerDimension,
      ),
      rank: rank + SUMS_RANK,
      group,
      tensors,
      variant: sumsVariant,
    };
    return [sums, update];
  }

  private stateBinding(region: StateRegion): GPUBufferBinding {
    return region.buffer
      ? { buffer: region.buffer, offset: region.offset, size: region.bytes }
      : this.dummy(4);
  }

  private bindTensor(
    gi: number,
    i: number,
    p: CheckedRef,
    g: CheckedRef,
    spans: Uint32Array,
  ): Dispatch[] {
    const region = this.c.store.regions[i] as StateRegion;
    const same = g.buffer === p.buffer;
    const plan = planTensor(
      { offset: p.offset, length: p.length, bufferSize: p.buffer.size },
      { offset: g.offset, length: g.length, bufferSize: g.buffer.size },
      same,
      region,
      this.c.limits,
      this.c.workgroupSize,
    );
    packGeometry(this.c.uniformData, i * this.c.slot, plan.geometry);
    const bindGroups = this.bindGroupOf(
      `${this.c.label}/bind-group[${i}]`,
      [
        this.range(p.buffer, plan.param.vec4, 0),
        this.range(p.buffer, plan.param.scalar, 1),
        this.range(g.buffer, plan.grad?.vec4 ?? null, 2),
        this.range(g.buffer, plan.grad?.scalar ?? null, 3),
        this.stateBinding(region),
      ],
      i,
      { buffer: this.c.table, offset: 0, size: GEOMETRY_BYTES },
      { buffer: this.c.table, offset: 0, size: 4 },
    );
    const options = this.c.options[gi] as O;
    if (this.c.sums) {
      // tensor_sums writes the body's partials, then the scalars' (shaders/tensor_sums.wgsl).
      const { body4, n } = plan.geometry;
      const wg = this.c.workgroupSize;
      const count =
        (plan.body ? Math.ceil(body4 / wg) : 0) +
        (plan.tail ? Math.ceil((n - 4 * body4) / wg) : 0) +
        (plan.both ? Math.ceil((n - 3 * body4) / wg) : 0);
      const at = this.c.sums.slot[i] as number;
      spans[2 * at] = this.c.sums.partialBase[i] as number;
      spans[2 * at + 1] = count;
      this.c.sums.sumWorkgroups[i] = 0;
      this.c.sums.ratioCount[i] = 0;
    }
    return (['body', 'both', 'tail'] as const).flatMap((mode) => {
      const grid = plan[mode];
      if (!grid) return [];
      const variant: PipelineVariant = {
        gradInParam: same,
        mode,
        clipNorm: this.c.clip.norm,
        clipValue: this.c.clip.value,
        scaler: this.c.scaler,
      };
      return this.withSums(bindGroups, options, variant, grid, RANK[mode], gi, [i]);
    });
  }

  /**
   * The rows of a group's MULTI dispatch, in order: `first` is the tensor index, `k` its
   * position in the group, `length` the elements the row updates (a run's, padding included,
   * or the tensor's). A run qualifies when its state was laid out as one range, its params
   * and grads still form the run (a rebind or other grads may break it) and its tensors average
   * fewer than `runMean` elements (Infinity: any run; SUMS_RUN_MEAN with tensor sums; 0: none).
   */
  private units(
    indices: readonly number[],
    params: readonly CheckedRef[],
    grads: readonly CheckedRef[],
    runMean: number,
  ): Unit[] {
    const view = (r: CheckedRef): RunTensor => ({
      buffer: r.buffer,
      offset: r.offset,
      length: r.length,
      padded: ownsPadding(r),
    });
    const out: Unit[] = [];
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k] as number;
      const found = this.runs.get(i);
      const run = found && found.length < runMean * found.indices.length ? found : undefined;
      if (
        run &&
        run.indices.every((j, m) => indices[k + m] === j) &&
        isRun(
          run.indices.map((j) => view(params[j] as CheckedRef)),
          run,
        ) &&
        isRun(
          run.indices.map((j) => view(grads[j] as CheckedRef)),
          run,
        )
      ) {
        out.push({ first: i, k, length: run.length, run });
        k += run.indices.length - 1;
      } else {
        out.push({ first: i, k, length: (params[i] as CheckedRef).length, run: null });
      }
    }
    return out;
  }

  /** The MULTI dispatch of group `gi`, or null when the group does not qualify. */
  private bindGroup(
    gi: number,
    indices: readonly number[],
    params: readonly CheckedRef[],
    grads: readonly CheckedRef[],
    steps: readonly number[],
    write: (w: SideWrite) => void,
    sumSpans: Uint32Array,
    starts: Uint32Array,
  ): Dispatch[] | null {
    if (indices.length < 2) return null;
    const ps = indices.map((i) => params[i] as CheckedRef);
    const gs = indices.map((i) => grads[i] as CheckedRef);
    const p0 = ps[0] as CheckedRef;
    const g0 = gs[0] as CheckedRef;
    const delta = g0.offset - p0.offset;
    const sameLayout = ps.every(
      (p, k) =>
        p.buffer === p0.buffer &&
        (gs[k] as CheckedRef).buffer === g0.buffer &&
        (gs[k] as CheckedRef).offset - p.offset === delta,
    );
    const step0 = steps[indices[0] as number];
    if (!sameLayout || indices.some((i) => steps[i] !== step0)) return null;
    if (!this.sumsFollow(indices, params)) return null;
    const regions = indices.map((i) => this.c.store.regions[i] as StateRegion);
    const slab = (regions[0] as StateRegion).buffer;
    if (regions.some((r) => r.buffer !== slab)) return null;
    const stateBase = slab ? Math.min(...regions.map((r) => r.offset)) : 0;
    const stateEnd = slab ? Math.max(...regions.map((r) => r.offset + r.bytes)) : 0;
    const max = this.c.limits.maxStorageBufferBindingSize;
    if (stateEnd - stateBase > max) return null;
    const same = g0.buffer === p0.buffer;
    const states: StatePlacement[] = regions.map((r) => ({
      stateOff: (r.offset - stateBase) / this.c.store.bytesPerElement + r.stateOff,
      stride: r.stride,
    }));
    // One row per unit: a flat run that still holds for these params and grads, or a tensor.
    // With tensor sums the update finds an element's tensor by a search over the group's
    // starts, which must then ascend in group order.
    const sums = this.c.sums;
    const ascending = ps.every((p, k) => k === 0 || p.offset > (ps[k - 1] as CheckedRef).offset);
    const units = this.units(
      indices,
      params,
      grads,
      sums ? (ascending ? SUMS_RUN_MEAN : 0) : Infinity,
    );
    const hasRun = units.some((u) => u.run !== null);
    const plan = planGroup(
      units.map((u) => ({
        offset: (params[u.first] as CheckedRef).offset,
        length: u.length,
        bufferSize: p0.buffer.size,
      })),
      units.map((u) => ({
        offset: (grads[u.first] as CheckedRef).offset,
        length: u.length,
        bufferSize: g0.buffer.size,
      })),
      same,
      units.map((u) => states[u.k] as StatePlacement),
      this.c.limits,
      this.c.workgroupSize,
    );
    // The sums pass's rows: the update's, or with flat runs one per tensor, a run member's row
    // ending where the next member starts (its padding is zero: it adds nothing).
    const rowsPlan =
      sums && hasRun
        ? planGroup(
            ...this.memberRows(units, params, grads, p0.buffer.size, g0.buffer.size),
            same,
            units.flatMap((u) =>
              (u.run?.indices ?? [u.first]).map((_, m) => states[u.k + m] as StatePlacement),
            ),
            this.c.limits,
            this.c.workgroupSize,
          )
        : plan;
    const spans = [plan, rowsPlan].flatMap((q) => [
      q.param.vec4,
      q.param.scalar,
      q.grad?.vec4,
      q.grad?.scalar,
    ]);
    if (spans.some((r) => r && r.size > max)) return null;
    const rows = new DataView(new ArrayBuffer(units.length * GEOMETRY_BYTES));
    plan.tensors.forEach((geo: Geometry, k) => packGeometry(rows, k * GEOMETRY_BYTES, geo));
    const tableOffset = this.c.tableOffsets[gi] as number;
    write({ buffer: this.c.table, offset: tableOffset, data: new Uint8Array(rows.buffer) });
    const total = Math.max(plan.workgroups, 1);
    const owner = new Uint32Array(total);
    plan.tensors.forEach((geo, k) => {
      const end = (plan.tensors[k + 1]?.reserved0 ?? plan.workgroups) as number;
      owner.fill(k, geo.reserved0, end);
      // With tensor sums and flat runs (SEEDED_ROWS): in bits 16–30, the position in the group
      // of the tensor where each workgroup's first element lies; bit 31 when all its elements
      // lie in that tensor (a run is body only: items·workgroupSize vec4s per workgroup)
      const unit = units[k] as Unit;
      if (sums && hasRun) {
        const span = 4 * geo.reserved2 * this.c.workgroupSize;
        const flat = unit.run?.flat ?? [0];
        let m = 0;
        for (let w = geo.reserved0; w < end; w++) {
          const first = (w - geo.reserved0) * span;
          while (m + 1 < flat.length && (flat[m + 1] as number) <= first) m++;
          const next = flat[m + 1] ?? unit.length;
          const single = unit.run === null || first + span <= next ? 1 : 0;
          owner[w] = (k | ((unit.k + m) << 16) | (single << 31)) >>> 0;
        }
      }
    });
    const mapOffset = this.c.mapOffsets[gi] as number;
    write({ buffer: this.c.table, offset: mapOffset, data: owner });
    const clip = { clipNorm: this.c.clip.norm, clipValue: this.c.clip.value };
    let sumsOwn: { variant: PipelineVariant; grid: [number, number] } | undefined;
    let sumsRows: { entries: GPUBufferBinding[]; table: GPUBufferBinding } | undefined;
    if (sums) {
      // Partials are indexed by the workgroup within the group's sums dispatch, from the first
      // tensor's base (each tensor's range holds at least its own workgroups; the ranges, like
      // the slots, of a dispatch's tensors follow one another: TensorSums' withGathered).
      const base = sums.partialBase[indices[0] as number] as number;
      const firsts = units.flatMap((u, k) =>
        (u.run?.flat ?? [0]).map((f) => (plan.tensors[k] as Geometry).param_off + f),
      );
      rowsPlan.tensors.forEach((geo, k) => {
        const i = indices[k] as number;
        const at = sums.slot[i] as number;
        const end = (rowsPlan.tensors[k + 1]?.reserved0 ?? rowsPlan.workgroups) as number;
        sumSpans[2 * at] = base + geo.reserved0;
        sumSpans[2 * at + 1] = end - geo.reserved0;
        sums.sumWorkgroups[i] = rowsPlan.workgroups;
        sums.ratioCount[i] = hasRun ? indices.length : 0;
        starts[at] = firsts[k] as number;
      });
      if (hasRun) {
        const table = new DataView(new ArrayBuffer(indices.length * GEOMETRY_BYTES));
        rowsPlan.tensors.forEach((geo, k) => packGeometry(table, k * GEOMETRY_BYTES, geo));
        const at = this.c.sumsOffsets[gi] as number;
        write({ buffer: this.c.table, offset: at, data: new Uint8Array(table.buffer) });
        sumsRows = {
          entries: [
            this.range(p0.buffer, rowsPlan.param.vec4, 0),
            this.range(p0.buffer, rowsPlan.param.scalar, 1),
            this.range(g0.buffer, rowsPlan.grad?.vec4 ?? null, 2),
            this.range(g0.buffer, rowsPlan.grad?.scalar ?? null, 3),
          ],
          table: { buffer: this.c.table, offset: at, size: indices.length * GEOMETRY_BYTES },
        };
        sumsOwn = {
          variant: {
            gradInParam: same,
            mode: rowsPlan.scalars ? 'both' : 'body',
            multi: true,
            ...clip,
            scaler: this.c.scaler,
          },
          grid: rowsPlan.grid,
        };
      }
    }
    const bindGroups = this.bindGroupOf(
      `${this.c.label}/group-bind-group[${gi}]`,
      [
        this.range(p0.buffer, plan.param.vec4, 0),
        this.range(p0.buffer, plan.param.scalar, 1),
        this.range(g0.buffer, plan.grad?.vec4 ?? null, 2),
        this.range(g0.buffer, plan.grad?.scalar ?? null, 3),
        slab ? { buffer: slab, offset: stateBase, size: stateEnd - stateBase } : this.dummy(4),
      ],
      indices[0] as number,
      { buffer: this.c.table, offset: tableOffset, size: units.length * GEOMETRY_BYTES },
      { buffer: this.c.table, offset: mapOffset, size: 4 * total },
      sumsRows,
    );
    const variant: PipelineVariant = {
      gradInParam: same,
      mode: plan.scalars ? 'both' : 'body',
      multi: true,
      ...(sums && hasRun ? { seededRows: true } : {}),
      clipNorm: this.c.clip.norm,
      clipValue: this.c.clip.value,
      scaler: this.c.scaler,
    };
    return this.withSums(
      bindGroups,
      this.c.options[gi] as O,
      variant,
      plan.grid,
      RANK.multi,
      gi,
      indices,
      sumsOwn,
    );
  }

  /**
   * With tensor sums: whether `indices` have consecutive slots and partial ranges that follow
   * one another, as one MULTI dispatch needs (it indexes both from its first tensor's on).
   * Always so for a group planned as one (planTensorSums) and for a gathered run
   * (withGathered), but not for a group whose params `rebindParams` moved into one buffer
   * after some of its tensors were gathered: those have slots and ranges past the tensors'.
   * Such a group keeps its gathered run and the other tensors' own dispatches.
   */
  private sumsFollow(indices: readonly number[], params: readonly CheckedRef[]): boolean {
    const sums = this.c.sums;
    if (!sums) return true;
    const first = indices[0] as number;
    return indices.every((i, k) => {
      if (k === 0) return true;
      const prev = indices[k - 1] as number;
      const capacity = partialCapacity((params[prev] as CheckedRef).length, this.c.workgroupSize);
      return (
        sums.slot[i] === (sums.slot[first] as number) + k &&
        sums.partialBase[i] === (sums.partialBase[prev] as number) + capacity
      );
    });
  }

  /**
   * One param range and one grad range per tensor of `units`, in group order: a tensor's own,
   * or for a member m of a flat run, from its flat offset to the next member's (the run's end
   * for the last), so its padding comes with it.
   */
  private memberRows(
    units: readonly Unit[],
    params: readonly CheckedRef[],
    grads: readonly CheckedRef[],
    paramSize: number,
    gradSize: number,
  ): [
    { offset: number; length: number; bufferSize: number }[],
    { offset: number; length: number; bufferSize: number }[],
  ] {
    const ps: { offset: number; length: number; bufferSize: number }[] = [];
    const gs: { offset: number; length: number; bufferSize: number }[] = [];
    for (const u of units) {
      const p = params[u.first] as CheckedRef;
      const g = grads[u.first] as CheckedRef;
      const flat = u.run?.flat ?? [0];
      flat.forEach((f, m) => {
        const length = (flat[m + 1] ?? u.length) - f;
        ps.push({ offset: p.offset + 4 * f, length, bufferSize: paramSize });
        gs.push({ offset: g.offset + 4 * f, length, bufferSize: gradSize });
      });
    }
    return [ps, gs];
  }
}
