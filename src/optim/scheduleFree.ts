import { SCHEDULE_FREE_KERNEL, scheduleFreeModeKernel } from '../kernels/scheduleFree.ts';
import type { ParamGroupInput } from '../options/groups.ts';
import { modeWeights, scheduleFreeScalars } from '../options/scheduleFree.ts';
import type { ScheduleFreeAdamWOptions } from '../options/types.ts';
import { Optimizer, type HostOptions } from './optimizer.ts';
import type { TensorRef } from './tensorRef.ts';

type Params =
  readonly TensorRef[] | readonly ParamGroupInput<TensorRef, ScheduleFreeAdamWOptions>[];

const EVAL_KERNEL = scheduleFreeModeKernel(SCHEDULE_FREE_KERNEL, 'eval');
const TRAIN_KERNEL = scheduleFreeModeKernel(SCHEDULE_FREE_KERNEL, 'train');

/**
 * Schedule-Free AdamW (facebookresearch/schedule_free `AdamWScheduleFree`, v1.3): no lr
 * schedule to tune. The params hold y, where gradients are taken, in train mode, and x, the
 * weighted average to evaluate and save, in eval mode; `train()` and `eval()` switch them on
 * the GPU. It starts in train mode (the reference starts in eval mode, where train() before
 * the first step changes nothing, so the two agree on every call sequence the reference
 * accepts), and `step()` in eval mode throws, as the reference does. With a `gradScaler`, the
 * GPU computes the step's lr, ckp1 and bias correction from the steps actually taken and
 * carries weight_sum and lr_max itself (in f32; see docs/algorithms.md): the param groups'
 * `weightSum` and `lrMax` then keep the values they were constructed or loaded with, and
 * `stateDict()` saves the GPU's.
 */
export class ScheduleFreeAdamW extends Optimizer<'schedulefreeadamw'> {
  constructor(device: GPUDevice, params: Params, options?: ScheduleFreeAdamWOptions & HostOptions) {
    super(
      'schedulefreeadamw',
      'ScheduleFreeAdamW',
      SCHEDULE_FREE_KERNEL,
      scheduleFreeScalars,
      device,
      params,
      options,
    );
    this.passKernels.push(EVAL_KERNEL, TRAIN_KERNEL);
  }

  /** 'train' (the params hold y) or 'eval' (they hold x), from the first group's `trainMode`. */
  get mode(): 'train' | 'eval' {
    return this.paramGroups[0]?.trainMode === false ? 'eval' : 'train';
  }

  /**
   * One step (see Optimizer.step), in train mode only (the first group's `trainMode`, as the
   * reference checks). Afterwards each param group's `weightSum` and `lrMax` hold the
   * reference's running weight_sum and lr_max (without a gradScaler: with one, the GPU keeps
   * them, and `stateDict()` reads them).
   */
  override step(grads: readonly TensorRef[], encoder?: GPUCommandEncoder): void {
    if (this.mode === 'eval') {
      throw new Error(
        'ScheduleFreeAdamW: step() called in eval mode; call opt.train() before training steps and opt.eval() before evaluating or saving',
      );
    }
    super.step(grads, encoder);
  }

  /**
   * Switches the params of every group in train mode to x, the average to evaluate and save:
   * p = lerp(y, z, 1 − 1/β1), keeping y so that train() restores it bitwise. Submits on
   * device.queue; tensors that have not stepped yet have no z and keep their values (with a
   * gradScaler, the GPU's count of steps taken decides, so skipped steps do not count). Throws
   * when such a group has β1 = 0 (x is then undefined, as in the reference's division by β1).
   */
  eval(): void {
    this.paramGroups.forEach((g, gi) => {
      if (g.trainMode && g.betas[0] === 0) {
        throw new RangeError(
          `ScheduleFreeAdamW: eval() needs betas[0] > 0 (x = y + (1/β1 − 1)(y − z)), paramGroups[${gi}] has 0`,
        );
      }
    });
    this.switchTo(false);
  }

  /**
   * Switches the params of every group in eval mode back to y: p = saved y where the param
   * still holds the x eval() wrote, else lerp(x, z, 1 − β1) (a param changed in eval mode, or
   * a group put in eval mode by loadStateDict). Submits on device.queue.
   */
  train(): void {
    this.switchTo(true);
  }

  private switchTo(trainMode: boolean): void {
    const counts = this.stepCounts;
    const switching = this.paramGroups.map((g) => g.trainMode !== trainMode);
    const groupOf = this.paramGroups.flatMap((g, gi) => g.params.map(() => gi));
    this.submitParamPass(
      trainMode ? TRAIN_KERNEL : EVAL_KERNEL,
      (o) => ({
        ...scheduleFreeScalars({ ...o, weightSum: 0, lrMax: -1 }, 1),
        ...modeWeights(o.betas),
        // 1 tells the switch that the tensor has no z: `include` has left those out already
        // (with a scaler, prepare writes it from the GPU's count of steps taken)
        first_step: 0,
      }),
      (i) => (counts[i] as number) > 0 && switching[groupOf[i] as number] === true,
      trainMode ? 'train' : 'eval',
    );
    for (const g of this.paramGroups) g.trainMode = trainMode;
  }
}
