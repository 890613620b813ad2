import type { ParamGroupInput } from '../options/groups.ts';
import { stateRounding } from '../options/half.ts';
import { modeWeights } from '../options/scheduleFree.ts';
import type { ScheduleFreeAdamWOptions } from '../options/types.ts';
import { roundScalars } from './f32.ts';
import { ReferenceOptimizer, type ReferenceOptions } from './optimizer.ts';
import { scheduleFreeSwitch } from './scheduleFree.ts';

type Params =
  readonly Float32Array[] | readonly ParamGroupInput<Float32Array, ScheduleFreeAdamWOptions>[];

/**
 * CPU twin of `ScheduleFreeAdamW`, with its train() and eval(). Starts in train mode. With a
 * GradScalerReference, each step's lr, ckp1 and bias correction and the groups' weightSum and
 * lrMax are computed in f32 as the GPU's prepare pass does (src/options/scalerScheduleFree.ts).
 */
export class ScheduleFreeAdamWReference extends ReferenceOptimizer<'schedulefreeadamw'> {
  constructor(params: Params, options?: ScheduleFreeAdamWOptions & ReferenceOptions) {
    super('schedulefreeadamw', params, options);
  }

  /** 'train' (the params hold y) or 'eval' (they hold x), from the first group's `trainMode`. */
  get mode(): 'train' | 'eval' {
    return this.paramGroups[0]?.trainMode === false ? 'eval' : 'train';
  }

  /** One step, in train mode only (each group's weightSum and lrMax advance). */
  override step(grads: readonly Float32Array[]): void {
    if (this.mode === 'eval') {
      throw new Error('ScheduleFreeAdamW reference: step() called in eval mode; call train()');
    }
    super.step(grads);
  }

  /** Params of the groups in train mode to x (see ScheduleFreeAdamW.eval). */
  eval(): void {
    this.paramGroups.forEach((g, gi) => {
      if (g.trainMode && g.betas[0] === 0) {
        throw new RangeError(
          `ScheduleFreeAdamW reference: eval() needs betas[0] > 0, paramGroups[${gi}] has 0`,
        );
      }
    });
    this.switchTo(false);
  }

  /** Params of the groups in eval mode back to y (see ScheduleFreeAdamW.train). */
  train(): void {
    this.switchTo(true);
  }

  private switchTo(trainMode: boolean): void {
    const store = stateRounding(this.stateDtype);
    let i = 0;
    for (const g of this.paramGroups) {
      const u = roundScalars(modeWeights(g.betas));
      for (const p of g.params) {
        const t = this.tensorState(i++);
        if (t.step === 0 || g.trainMode === trainMode) continue;
        const s = t.state;
        const mode = trainMode ? 'train' : 'eval';
        scheduleFreeSwitch(mode, p, s.z as Float32Array, s.saved_y as Float32Array, u, store);
      }
      g.trainMode = trainMode;
    }
  }
}
