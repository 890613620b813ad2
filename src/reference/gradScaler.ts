import {
  checkGradScalerOptions,
  invScale,
  nextScalerState,
  type GradScalerOptions,
  type GradScalerState,
} from '../options/scaler.ts';
import { mul } from './f32.ts';

/**
 * CPU twin of `GradScaler`: the same options, state and update rule, in f32. Pass it to one
 * reference optimizer as `{ gradScaler }`; each step then unscales the grads (g · f32(1/scale)),
 * skips itself when any unscaled element is inf or NaN, and updates the scale, as the GPU does.
 */
export class GradScalerReference {
  private s: GradScalerState;
  /** Whether the last step found an inf or NaN gradient (and so was skipped). */
  lastFoundInf = false;
  private owner: string | null = null;

  constructor(options?: GradScalerOptions) {
    const o = checkGradScalerOptions(options, 'GradScalerReference');
    this.s = {
      scale: Math.fround(o.initScale),
      growthTracker: 0,
      growthFactor: o.growthFactor,
      backoffFactor: o.backoffFactor,
      growthInterval: o.growthInterval,
    };
  }

  /** The current loss scale. */
  get scale(): number {
    return this.s.scale;
  }

  /** A copy of the state, as a state dict saves it. */
  state(): GradScalerState {
    return { ...this.s };
  }

  /**
   * Restores a saved state (called by the owning optimizer's loadStateDict).
   * @internal
   */
  load(state: GradScalerState): void {
    this.s = { ...state, scale: Math.fround(state.scale) };
    this.lastFoundInf = false;
  }

  /**
   * Called by a reference optimizer's constructor: one scaler serves one optimizer.
   * @internal
   */
  attach(owner: string): void {
    if (this.owner !== null) {
      throw new Error(
        `${owner}: this GradScalerReference already serves ${this.owner}; create one per optimizer`,
      );
    }
    this.owner = owner;
  }

  /**
   * Unscaled copies of `grads`, and whether any unscaled element is inf or NaN.
   * @internal
   */
  unscale(grads: readonly Float32Array[]): { grads: Float32Array[]; foundInf: boolean } {
    const inv = invScale(this.s.scale);
    let foundInf = false;
    const out = grads.map((g) =>
      g.map((x) => {
        const y = mul(x, inv);
        if (!Number.isFinite(y)) foundInf = true;
        return y;
      }),
    );
    return { grads: out, foundInf };
  }

  /**
   * The end of a step: back off or grow the scale.
   * @internal
   */
  update(foundInf: boolean): void {
    this.s = nextScalerState(this.s, foundInf);
    this.lastFoundInf = foundInf;
  }
}
