/**
 * The per-optimizer half of a GradScaler (shaders/gradscaler.wgsl): the count of steps each
 * tensor has actually taken, which lives on the GPU because a skipped step is decided there;
 * per-tensor scalars carried the same way (NAdam's mu_product, ScheduleFreeAdamW's weight_sum
 * and lr_max, advanced only by steps taken); the table of beta powers Adam's bias corrections
 * are built from; and the `prepare` and `update_scale` dispatches that bracket the update. Its
 * one bind group is made here, so a step only records.
 */
import {
  PREP_BYTES,
  SCALER_WG,
  carriedWidth,
  scalerConstants,
  scalerPipelines,
} from '../kernels/gradScaler.ts';
import { WARMUP_MAX } from '../options/scalerScheduleFree.ts';
import { readBack } from '../kernels/readback.ts';
import type { UniformLayout } from '../kernels/uniforms.ts';
import { BufferUsage } from '../kernels/usage.ts';
import { betaPowerTable, nadamDecayTable } from '../options/scaler.ts';
import type { Algorithm } from '../options/types.ts';
import type { SideWrite } from './sideWrites.ts';

/** What `prepare` needs of a param group for a step. */
export interface PrepareInputs {
  lr: number;
  lrDecay?: number;
  betas?: readonly [number, number];
  /** NAdam: the table's first column holds 0.96^(momentumDecay·2^k) instead of beta1's rows. */
  momentumDecay?: number;
  /** The fourth input word (NAdam, ScheduleFreeAdamW: beta1; RAdam: rho_inf). */
  extra?: number;
  /** ScheduleFreeAdamW: warmup_steps (a u32 in the lr_decay word), r and weight_lr_power. */
  scheduleFree?: { warmupSteps: number; r: number; weightLrPower: number };
}

export class ScalerSteps {
  private readonly steps: GPUBuffer;
  private readonly carried: GPUBuffer;
  private readonly powers: GPUBuffer;
  private readonly bindGroup: GPUBindGroup;
  private readonly pipelines: ReturnType<typeof scalerPipelines>;
  /** The betas each group's rows of `powers` were computed for. */
  private readonly tabled: (string | null)[];

  constructor(
    private readonly device: GPUDevice,
    private readonly label: string,
    algorithm: Algorithm,
    layout: UniformLayout,
    private readonly slot: number,
    control: GPUBuffer,
    uniform: GPUBuffer,
    private readonly tensorCount: number,
    groupCount: number,
  ) {
    this.pipelines = scalerPipelines(device, algorithm, scalerConstants(algorithm, layout, slot));
    this.steps = device.createBuffer({
      label: `${label}/scaler-steps`,
      size: 4 * tensorCount,
      usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    });
    const carried = carriedWidth(algorithm) * tensorCount;
    this.carried = device.createBuffer({
      label: `${label}/scaler-carried`,
      size: 4 * carried,
      usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    });
    // 1: the value NAdam's mu_product starts at (ScheduleFreeAdamW's are written by the
    // optimizer from its param groups).
    device.queue.writeBuffer(this.carried, 0, new Float32Array(carried).fill(1));
    this.powers = device.createBuffer({
      label: `${label}/scaler-beta-powers`,
      size: 512 * groupCount,
      usage: BufferUsage.STORAGE | BufferUsage.COPY_DST,
    });
    this.tabled = Array.from({ length: groupCount }, () => null);
    this.bindGroup = device.createBindGroup({
      label: `${label}/scaler-bind-group`,
      layout: this.pipelines.layout,
      entries: [
        { binding: 0, resource: { buffer: control } },
        { binding: 1, resource: { buffer: this.steps } },
        { binding: 2, resource: { buffer: uniform } },
        { binding: 3, resource: { buffer: this.powers } },
        { binding: 4, resource: { buffer: this.carried } },
      ],
    });
  }

  /** The buffers this object owns. */
  get buffers(): GPUBuffer[] {
    return [this.steps, this.powers, this.carried];
  }

  /**
   * Writes tensor `i`'s `prepare` inputs into its uniform slot in `data`, and (Adam) the
   * group's beta-power rows when its betas changed since they were last written (handed to
   * `write`, which the optimizer applies when the step is valid; see src/optim/sideWrites.ts).
   */
  writeInputs(
    data: DataView,
    i: number,
    group: number,
    o: PrepareInputs,
    write: (w: SideWrite) => void,
  ): void {
    const at = i * this.slot + PREP_BYTES;
    data.setFloat32(at, o.lr, true);
    data.setUint32(at + 4, group, true);
    data.setFloat32(at + 8, o.lrDecay ?? 0, true);
    data.setFloat32(at + 12, o.extra ?? 0, true);
    if (o.scheduleFree) {
      data.setUint32(at + 8, Math.min(o.scheduleFree.warmupSteps, WARMUP_MAX), true);
      data.setFloat32(at + 28, o.scheduleFree.r, true);
      data.setFloat32(at + 32, o.scheduleFree.weightLrPower, true);
    }
    if (!o.betas) return;
    const key = `${o.betas[0]},${o.betas[1]},${o.momentumDecay}`;
    if (this.tabled[group] === key) return;
    const one = betaPowerTable(o.betas[0]);
    const two = betaPowerTable(o.betas[1]);
    const decay = o.momentumDecay === undefined ? null : nadamDecayTable(o.momentumDecay);
    const rows = new Float32Array(128);
    for (let k = 0; k < 32; k++) {
      const first = decay ? [decay[k] as number, 0] : [one.p[k] as number, one.q[k] as number];
      rows.set([...first, two.p[k] as number, two.q[k] as number], 4 * k);
    }
    write({ buffer: this.powers, offset: 512 * group, data: rows });
    this.tabled[group] = key;
  }

  /** Records `prepare` (when the algorithm has step-dependent scalars). Returns dispatches. */
  recordPrepare(pass: GPUComputePassEncoder): number {
    if (!this.pipelines.prepare) return 0;
    pass.setPipeline(this.pipelines.prepare);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(Math.ceil(this.tensorCount / SCALER_WG));
    return 1;
  }

  /** Records `update_scale`. Returns dispatches. */
  recordEnd(pass: GPUComputePassEncoder): number {
    pass.setPipeline(this.pipelines.updateScale);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(1);
    return 1;
  }

  /** Sets every tensor's count of steps taken. */
  write(counts: readonly number[]): void {
    this.device.queue.writeBuffer(this.steps, 0, new Uint32Array(counts));
  }

  /** Starts copying the counts to the host (submits now, so the snapshot is taken now). */
  read(): Promise<number[]> {
    return readBack(this.device, this.steps, this.steps.size, `${this.label}/scaler-steps`).then(
      (bytes) => [...new Uint32Array(bytes)],
    );
  }

  /**
   * Sets every tensor's carried scalars (NAdam's mu_product; ScheduleFreeAdamW's weight_sum hi
   * and lo and lr_max, interleaved).
   */
  writeCarried(values: readonly number[]): void {
    this.device.queue.writeBuffer(this.carried, 0, new Float32Array(values));
  }

  /** Starts copying the carried scalars to the host (submits now). */
  readCarried(): Promise<number[]> {
    return readBack(
      this.device,
      this.carried,
      this.carried.size,
      `${this.label}/scaler-carried`,
    ).then((bytes) => [...new Float32Array(bytes)]);
  }

  destroy(): void {
    this.carried.destroy();
    this.steps.destroy();
    this.powers.destroy();
  }
}
