/**
 * GradScaler: dynamic loss scaling for mixed-precision training, modelled on
 * torch.amp.GradScaler, with all of its state on the GPU so that no step reads anything back.
 * It owns the control block (src/kernels/control.ts) whose first f32 is the loss scale: bind
 * `scaleBinding()` in your loss kernel (or `copyScaleTo()` it into your own buffer) and
 * multiply the loss, or the gradient seed of your backward pass, by it. Pass the scaler to one
 * optimizer (`{ gradScaler }`); each of its steps unscales the gradients, skips itself on the
 * GPU when any is inf or NaN, and grows or backs off the scale (shaders/gradscaler.wgsl).
 */
import {
  CLIP_OFFSET,
  CONTROL_BYTES,
  createControl,
  packControl,
  readControl,
  type ControlValues,
} from '../kernels/control.ts';
import {
  checkGradScalerOptions,
  invScale,
  type GradScalerOptions,
  type GradScalerState,
} from '../options/scaler.ts';

/**
 * Dynamic loss scaling (torch.amp.GradScaler) with its state on the GPU. Bind
 * `scaleBinding()` in your loss or backward kernel, pass the scaler as one optimizer's
 * `gradScaler` option, and each step unscales the gradients, skips itself on the GPU when any
 * is inf or NaN, and grows or backs off the scale; nothing is read back. See
 * docs/mixed-precision.md.
 */
export class GradScaler {
  /** The device given at construction; the scaler's buffer is on it. */
  readonly device: GPUDevice;
  /**
   * The control block: f32 scale at byte 0 (then inv_scale, found_inf, the growth tracker,
   * clipping scalars and the growth settings; 48 bytes). STORAGE | UNIFORM | COPY_SRC |
   * COPY_DST.
   */
  readonly buffer: GPUBuffer;
  private options: Required<GradScalerOptions>;
  private owner: string | null = null;
  private isDestroyed = false;

  constructor(device: GPUDevice, options?: GradScalerOptions) {
    if (
      typeof device !== 'object' ||
      device === null ||
      typeof device.createBuffer !== 'function'
    ) {
      throw new TypeError(`GradScaler: device must be a GPUDevice, got ${String(device)}`);
    }
    this.device = device;
    this.options = checkGradScalerOptions(options, 'GradScaler');
    this.buffer = createControl(
      device,
      'webgpu-optim/grad-scaler/control',
      this.values(this.options.initScale, 0),
    );
  }

  /** The growth factor in force (restored by a loadStateDict). */
  get growthFactor(): number {
    return this.options.growthFactor;
  }
  /** The backoff factor in force (restored by a loadStateDict). */
  get backoffFactor(): number {
    return this.options.backoffFactor;
  }
  /** The growth interval in force (restored by a loadStateDict). */
  get growthInterval(): number {
    return this.options.growthInterval;
  }

  /** The loss scale's binding (4 bytes at offset 0 of `buffer`), for your loss kernel. */
  scaleBinding(): GPUBufferBinding {
    this.checkAlive('scaleBinding()');
    return { buffer: this.buffer, offset: 0, size: 4 };
  }

  /** Records a copy of the current scale (one f32) into `dst` at `dstOffset` (a multiple of 4). */
  copyScaleTo(encoder: GPUCommandEncoder, dst: GPUBuffer, dstOffset = 0): void {
    this.checkAlive('copyScaleTo()');
    if (!Number.isInteger(dstOffset) || dstOffset < 0 || dstOffset % 4 !== 0) {
      throw new RangeError(
        `GradScaler: copyScaleTo: dstOffset must be a non-negative multiple of 4, got ${String(dstOffset)}`,
      );
    }
    encoder.copyBufferToBuffer(this.buffer, 0, dst, dstOffset, 4);
  }

  /** Reads the current loss scale. */
  async getScale(): Promise<number> {
    return (await this.read('getScale()')).scale;
  }

  /** Whether the last step found an inf or NaN gradient (and so was skipped). */
  async foundInf(): Promise<boolean> {
    return (await this.read('foundInf()')).last_found_inf !== 0;
  }

  /** Reads the scaler's state: scale, growth tracker and settings. */
  async state(): Promise<GradScalerState> {
    return toState(await this.read('state()'), this);
  }

  /** Whether destroy() was called; an optimizer then refuses to step with this scaler. */
  get destroyed(): boolean {
    return this.isDestroyed;
  }

  /** Frees the control block. Idempotent. Destroy the optimizer that uses it first. */
  destroy(): void {
    if (this.isDestroyed) return;
    this.isDestroyed = true;
    this.buffer.destroy();
  }

  /**
   * Called by an optimizer's constructor: a scaler serves exactly one optimizer, since its
   * found_inf and growth tracker describe that optimizer's steps.
   * @internal
   */
  attach(owner: string, device: GPUDevice): void {
    this.checkAlive('attach');
    if (device !== this.device) {
      throw new Error(`${owner}: gradScaler was created on another GPUDevice`);
    }
    if (this.owner !== null) {
      throw new Error(
        `${owner}: this GradScaler already serves ${this.owner}; create one GradScaler per optimizer`,
      );
    }
    this.owner = owner;
  }

  /**
   * Called by the owning optimizer's destroy(): the scaler may then serve another one.
   * @internal
   */
  detach(): void {
    this.owner = null;
  }

  /**
   * Called by the owning optimizer's loadStateDict: writes a saved state (clip fields kept).
   * @internal
   */
  load(state: GradScalerState): void {
    this.checkAlive('load');
    this.options = {
      initScale: this.options.initScale,
      growthFactor: state.growthFactor,
      backoffFactor: state.backoffFactor,
      growthInterval: state.growthInterval,
    };
    // Every field but the clipping ones (bytes 16..32), which belong to the optimizer.
    const all = new DataView(new ArrayBuffer(CONTROL_BYTES));
    packControl(all, this.values(state.scale, state.growthTracker));
    const after = CLIP_OFFSET + 16;
    this.device.queue.writeBuffer(this.buffer, 0, all.buffer, 0, CLIP_OFFSET);
    this.device.queue.writeBuffer(this.buffer, after, all.buffer, after, CONTROL_BYTES - after);
  }

  private values(
    scale: number,
    tracker: number,
  ): Omit<ControlValues, 'norm' | 'coef' | 'clip_value' | 'max_norm'> {
    return {
      scale,
      inv_scale: invScale(scale),
      found_inf: 0,
      growth_tracker: tracker,
      growth_factor: this.options.growthFactor,
      backoff_factor: this.options.backoffFactor,
      growth_interval: this.options.growthInterval,
      last_found_inf: 0,
    };
  }

  private async read(what: string): Promise<ControlValues> {
    this.checkAlive(what);
    return readControl(this.device, this.buffer, 'webgpu-optim/grad-scaler');
  }

  private checkAlive(what: string): void {
    if (this.isDestroyed) throw new Error(`GradScaler: ${what} called after destroy()`);
  }
}

/** The saved form of a control block's scaler fields. */
export function toState(
  v: ControlValues,
  o: Pick<GradScalerState, 'growthFactor' | 'backoffFactor' | 'growthInterval'>,
): GradScalerState {
  return {
    scale: v.scale,
    growthTracker: v.growth_tracker,
    growthFactor: o.growthFactor,
    backoffFactor: o.backoffFactor,
    growthInterval: o.growthInterval,
  };
}
