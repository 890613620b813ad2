/**
 * The pass over the gradients before an optimizer's update (shaders/gradnorm.wgsl): the global
 * norm for clipGradNorm and the non-finite check of a GradScaler, fused into one
 * partial-sums dispatch per tensor, then (clipGradNorm) one finalize dispatch, so neither the
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

  /** Makes the pass's bind groups for these grads (once per set of grad views). */
  bind(grads: readonly CheckedRef[]): void {
    if (!this.active) return;
    this.partials?.destroy();
    this.params?.destroy();
    const p = this.pipelines();
    const align = bindingAlignment(this.limits);
    const slot = Math.max(256, align);
    // Elements per workgroup (vec4s per thread · 4); every workgroup writes its partial.
    const per = 4 * NORM_WG * NORM_ITEMS;
    const counts = grads.map((g) => Math.max(1, Math.ceil(g.length / per)));
    // one partial per thread of the first pass
    const total = NORM_WG * counts.reduce((a, b) => a + b, 0);
    this.partials = this.device.createBuffer({
      label: `${this.label}/clip-partials`,
      size: 4 * Math.max(total, 1),
      usage: BufferUsage.STORAGE,
    });
    this.params = this.device.createBuffer({
      label: `${this.label}/clip-params`,
      size: slot * (grads.length + 1),
      // STORAGE too: the finalize pass binds a slice of it as its (unused) values array
      usage: BufferUsage.UNIFORM | BufferUsage.STORAGE | BufferUsage.COPY_DST,
    });
    const data = new Uint32Array((slot / 4) * (grads.length + 1));
    let out = 0;
    this.dispatches = grads.map((g, i) => {
      const base = Math.floor(g.offset / align) * align;
      const offset = (g.offset - base) / 4;
      data.set([offset, g.length, out, 0], (i * slot) / 4);
      out += NORM_WG * (counts[i] as number);
      // The vec4 view ends at the body's end (as partial_sums computes it), a multiple of 16
      // bytes; a tensor with no whole vec4 gets a dummy, as a vec4 binding needs 16 bytes.
      const head = Math.min(g.length, (4 - (offset % 4)) % 4);
      const bodyEnd = offset + head + 4 * Math.floor((g.length - head) / 4);
      const vec4 =
        bodyEnd > offset + head
          ? { buffer: g.buffer, offset: base, size: 4 * bodyEnd }
          : { buffer: this.params as GPUBuffer, offset: 0, size: 16 };
      return {
        bindGroup: this.device.createBindGroup({
          label: `${this.label}/clip-bind-group[${i}]`,
          layout: p.layout,
          entries: [
            { binding: 0, resource: { buffer: g.buffer, offset: base, size: g.end - base } },
            { binding: 4, resource: vec4 },
            { binding: 1, resource: { buffer: this.partials as GPUBuffer } },
            { binding: 2, resource: { buffer: this.control } },
            {
              binding: 3,
              resource: { buffer: this.params as GPUBuffer, offset: i * slot, size: 16 },
            },
          ],
        }),
        grid: grid(counts[i] as number, this.limits.maxComputeWorkgroupsPerDimension),
      };
    });
    data.set([0, total, 0, 0], (grads.length * slot) / 4);
    this.device.queue.writeBuffer(this.params, 0, data);
    this.final = {
      bindGroup: this.device.createBindGroup({
        label: `${this.label}/clip-finalize-bind-group`,
        layout: p.layout,
        entries: [
          // values is unused by finalize; any read-only range that is not written here will do
          { binding: 0, resource: { buffer: this.params, offset: 0, size: 16 } },
          { binding: 4, resource: { buffer: this.params, offset: 0, size: 16 } },
          { binding: 1, resource: { buffer: this.partials } },
          { binding: 2, resource: { buffer: this.control } },
          { binding: 3, resource: { buffer: this.params, offset: grads.length * slot, size: 16 } },
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
  }
}
