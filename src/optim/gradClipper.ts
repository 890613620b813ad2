/**
 * Gradient clipping on the GPU for one optimizer. It owns the control block the update kernel
 * reads (binding 8: norm, coef, clip value, max norm). With clipGradNorm it also records, before
 * each step's update, one partial-sums dispatch per tensor and one finalize dispatch
 * (shaders/gradnorm.wgsl), so the clip coefficient never leaves the GPU.
 */
import { bindingAlignment, grid, type GeometryLimits } from '../kernels/geometry.ts';
import { NORM_ITEMS, NORM_WG, normPipelines } from '../kernels/gradNorm.ts';
import { BufferUsage } from '../kernels/usage.ts';
import type { CheckedRef } from './tensorRef.ts';

interface NormDispatch {
  bindGroup: GPUBindGroup;
  grid: [number, number];
}

export class GradClipper {
  /** 16 bytes: norm, coef, clip_value, max_norm (f32). */
  readonly control: GPUBuffer;
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
  ) {
    this.control = device.createBuffer({
      label: `${label}/clip-control`,
      size: 16,
      usage: BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC,
      mappedAtCreation: true,
    });
    new Float32Array(this.control.getMappedRange()).set([
      0,
      1,
      value ?? 3.4028234663852886e38,
      maxNorm ?? 0,
    ]);
    this.control.unmap();
  }

  /** Makes the norm pass's bind groups for these grads (once per set of grad views). */
  bind(grads: readonly CheckedRef[]): void {
    if (this.maxNorm === null) return;
    this.partials?.destroy();
    this.params?.destroy();
    const p = normPipelines(this.device);
    const align = bindingAlignment(this.limits);
    const slot = Math.max(256, align);
    const per = NORM_WG * NORM_ITEMS;
    const counts = grads.map((g) => Math.ceil(g.length / per));
    const total = counts.reduce((a, b) => a + b, 0);
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
      data.set([(g.offset - base) / 4, g.length, out, 0], (i * slot) / 4);
      out += counts[i] as number;
      return {
        bindGroup: this.device.createBindGroup({
          label: `${this.label}/clip-bind-group[${i}]`,
          layout: p.layout,
          entries: [
            { binding: 0, resource: { buffer: g.buffer, offset: base, size: g.end - base } },
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
          { binding: 1, resource: { buffer: this.partials } },
          { binding: 2, resource: { buffer: this.control } },
          { binding: 3, resource: { buffer: this.params, offset: grads.length * slot, size: 16 } },
        ],
      }),
      grid: [1, 1],
    };
  }

  /** Records the norm pass (nothing without clipGradNorm). Returns the dispatch count. */
  record(pass: GPUComputePassEncoder): number {
    if (this.maxNorm === null || !this.final) return 0;
    const p = normPipelines(this.device);
    pass.setPipeline(p.partial);
    for (const d of this.dispatches) {
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.grid[0], d.grid[1]);
    }
    pass.setPipeline(p.finalize);
    pass.setBindGroup(0, this.final.bindGroup);
    pass.dispatchWorkgroups(1);
    return this.dispatches.length + 1;
  }

  /** Reads the last step's global gradient norm (before clipping). */
  async norm(): Promise<number> {
    const staging = this.device.createBuffer({
      label: `${this.label}/clip-readback`,
      size: 16,
      usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
    });
    const encoder = this.device.createCommandEncoder({ label: `${this.label}/clip-readback` });
    encoder.copyBufferToBuffer(this.control, 0, staging, 0, 16);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(0x0001);
    const norm = new Float32Array(staging.getMappedRange())[0] as number;
    staging.destroy();
    return norm;
  }

  destroy(): void {
    this.control.destroy();
    this.partials?.destroy();
    this.params?.destroy();
  }
}
