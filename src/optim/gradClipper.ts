/**
 * The pass over the gradients before an optimizer's update (shaders/gradnorm.wgsl): the global
 * norm for clipGradNorm and the non-finite check of a GradScaler, fused into one
 * partial-sums dispatch per grad buffer, then (clipGradNorm) one finalize dispatch, so neither the
 * clip coefficient nor found_inf leaves the GPU. It also holds the control block the update
 * kernel reads (binding 8): its own, or the GradScaler's, into which it writes the clip fields.
 */
import { CLIP_OFFSET, createControl, F32_MAX, readControl } from '../kernels/control.ts';
import { bindingAlignment, grid, type GeometryLimits } from '../kernels/geometry.ts';
import { NORM_ITEMS, NORM_WG, normPipelines } from '../kernels/gradNorm.ts';
import { BufferUsage } from '../kernels/usage.ts';
import type { CheckedRef } from './tensorRef.ts';

interface NormDispatch {
  bindGroup: GPUBindGroup;
  grid: [number, number];
}

export class GradClipper {
  /** The control block (src/kernels/control.ts). */
  readonly control: GPUBuffer;
  /** Whether the control block is the GradScaler's (then not ours to destroy). */
  private readonly shared: boolean;
  private partials: GPUBuffer | null = null;
  private params: GPUBuffer | null = null;
  private table: GPUBuffer | null = null;
  private dispatches: NormDispatch[] = [];
  private final: NormDispatch | null = null;

  constructor(
    private readonly device: GPUDevice,
    private readonly label: string,
    private readonly limits: GeometryLimits,
    readonly maxNorm: number | null,
    readonly value: number | null,
    /** The GradScaler's control block: also check every gradient for inf and NaN. */
    scalerControl: GPUBuffer | null,
  ) {
    const clip = { norm: 0, coef: 1, clip_value: value ?? F32_MAX, max_norm: maxNorm ?? 0 };
    this.shared = scalerControl !== null;
    if (scalerControl) {
      this.control = scalerControl;
      const data = new Float32Array([clip.norm, clip.coef, clip.clip_value, clip.max_norm]);
      device.queue.writeBuffer(scalerControl, CLIP_OFFSET, data);
    } else {
      this.control = createControl(device, `${label}/control`, clip);
    }
  }

  /** Whether a pass over the gradients runs before the update. */
  private get active(): boolean {
    return this.maxNorm !== null || this.shared;
  }

  private pipelines() {
    return normPipelines(this.device, { norm: this.maxNorm !== null, check: this.shared });
  }

  /**
   * Makes the pass's bind groups for these grads (once per set of grad views): one dispatch per
   * run of consecutive grads that share a buffer (all of a ParamArena's), each binding that
   * buffer once over the run's range, with a table of the run's tensors (`spans`). The
   * buffers of the previous binding go to `retire`: a step recorded earlier may still use them.
   */
  bind(grads: readonly CheckedRef[], retire: (buffers: GPUBuffer[]) => void): void {
    if (!this.active) return;
    retire([this.partials, this.params, this.table].filter((b) => b !== null));
    const p = this.pipelines();
    const align = bindingAlignment(this.limits);
    const slot = Math.max(256, align);
    const runs = gradRuns(grads, align, this.limits.maxStorageBufferBindingSize);
    // Elements per workgroup (vec4s per thread · 4); one partial per thread.
    const per = 4 * NORM_WG * NORM_ITEMS;
    const workgroups = (g: CheckedRef) => Math.max(1, Math.ceil(g.length / per));
    const total = NORM_WG * grads.reduce((a, g) => a + workgroups(g), 0);
    this.partials = this.device.createBuffer({
      label: `${this.label}/grad-pass-partials`,
      size: 4 * Math.max(total, 1),
      usage: BufferUsage.STORAGE,
    });
    this.params = this.device.createBuffer({
      label: `${this.label}/grad-pass-params`,
      size: slot * (runs.length + 1),
      // STORAGE too: the finalize pass binds a slice of it as its (unused) values arrays
      usage: BufferUsage.UNIFORM | BufferUsage.STORAGE | BufferUsage.COPY_DST,
    });
    const tableOffsets: number[] = [];
    let tableSize = 0;
    for (const run of runs) {
      tableOffsets.push(tableSize);
      tableSize += Math.ceil((16 * run.grads.length) / align) * align;
    }
    this.table = this.device.createBuffer({
      label: `${this.label}/grad-pass-spans`,
      size: Math.max(tableSize, 16),
      usage: BufferUsage.STORAGE | BufferUsage.COPY_DST,
    });
    const table = new Uint32Array(this.table.size / 4);
    const data = new Uint32Array((slot / 4) * (runs.length + 1));
    let out = 0;
    this.dispatches = runs.map((run, r) => {
      let first = 0;
      run.grads.forEach((g, k) => {
        const count = workgroups(g);
        table.set(
          [(g.offset - run.base) / 4, g.length, out, first],
          (tableOffsets[r] as number) / 4 + 4 * k,
        );
        out += NORM_WG * count;
        first += count;
      });
      data.set([run.grads.length, 0, first, 0], (r * slot) / 4);
      // Every tensor's vec4 body ends on a 16-byte boundary at or before the run's end, so the
      // vec4 view is the run's range rounded down to 16 bytes; a run too short for one vec4
      // (no tensor has a body then) gets a dummy, as a vec4 binding needs 16 bytes.
      const vec4Size = Math.floor((run.end - run.base) / 16) * 16;
      const vec4 =
        vec4Size >= 16
          ? { buffer: run.buffer, offset: run.base, size: vec4Size }
          : { buffer: this.params as GPUBuffer, offset: 0, size: 16 };
      return {
        bindGroup: this.device.createBindGroup({
          label: `${this.label}/grad-pass-bind-group[${r}]`,
          layout: p.layout,
          entries: [
            {
              binding: 0,
              resource: { buffer: run.buffer, offset: run.base, size: run.end - run.base },
            },
            { binding: 1, resource: { buffer: this.partials as GPUBuffer } },
            { binding: 2, resource: { buffer: this.control } },
            {
              binding: 3,
              resource: { buffer: this.params as GPUBuffer, offset: r * slot, size: 16 },
            },
            { binding: 4, resource: vec4 },
            {
              binding: 5,
              resource: {
                buffer: this.table as GPUBuffer,
                offset: tableOffsets[r] as number,
                size: 16 * run.grads.length,
              },
            },
          ],
        }),
        grid: grid(first, this.limits.maxComputeWorkgroupsPerDimension),
      };
    });
    data.set([0, total, 0, 0], (runs.length * slot) / 4);
    this.device.queue.writeBuffer(this.params, 0, data);
    this.device.queue.writeBuffer(this.table, 0, table);
    this.final = {
      bindGroup: this.device.createBindGroup({
        label: `${this.label}/grad-pass-finalize-bind-group`,
        layout: p.layout,
        entries: [
          // values, values4 and spans are unused by finalize: any read-only range will do
          { binding: 0, resource: { buffer: this.params, offset: 0, size: 16 } },
          { binding: 1, resource: { buffer: this.partials } },
          { binding: 2, resource: { buffer: this.control } },
          { binding: 3, resource: { buffer: this.params, offset: runs.length * slot, size: 16 } },
          { binding: 4, resource: { buffer: this.params, offset: 0, size: 16 } },
          { binding: 5, resource: { buffer: this.table, offset: 0, size: 16 } },
        ],
      }),
      grid: [1, 1],
    };
  }

  /** Records the pass (nothing without clipGradNorm or a scaler). Returns the dispatch count. */
  record(pass: GPUComputePassEncoder): number {
    if (!this.active || !this.final) return 0;
    const p = this.pipelines();
    pass.setPipeline(p.partial);
    for (const d of this.dispatches) {
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.grid[0], d.grid[1]);
    }
    if (this.maxNorm === null) return this.dispatches.length;
    pass.setPipeline(p.finalize);
    pass.setBindGroup(0, this.final.bindGroup);
    pass.dispatchWorkgroups(1);
    return this.dispatches.length + 1;
  }

  /** Reads the last step's global gradient norm (before clipping). */
  async norm(): Promise<number> {
    return (await readControl(this.device, this.control, this.label)).norm;
  }

  destroy(): void {
    if (!this.shared) this.control.destroy();
    this.partials?.destroy();
    this.params?.destroy();
    this.table?.destroy();
  }
}

/** Consecutive grads in one buffer, with the aligned range that covers them. */
interface GradRun {
  buffer: GPUBuffer;
  base: number;
  end: number;
  grads: CheckedRef[];
}

/**
 * Splits `grads` into runs of consecutive grads that share a buffer and whose covering range
 * (from the lowest offset rounded down to `align`) fits in one binding of `max` bytes.
 */
export function gradRuns(grads: readonly CheckedRef[], align: number, max: number): GradRun[] {
  const runs: GradRun[] = [];
  for (const g of grads) {
    const base = Math.floor(g.offset / align) * align;
    const run = runs[runs.length - 1];
    if (run && run.buffer === g.buffer) {
      const lo = Math.min(run.base, base);
      const hi = Math.max(run.end, g.end);
      if (hi - lo <= max) {
        run.base = lo;
        run.end = hi;
        run.grads.push(g);
        continue;
      }
    }
    runs.push({ buffer: g.buffer, base, end: g.end, grads: [g] });
  }
  return runs;
}
