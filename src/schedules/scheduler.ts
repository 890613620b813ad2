import type { Schedule } from './types.ts';
import { showValue } from './validate.ts';

/**
 * What an {@link LRScheduler} drives: any object with mutable `paramGroups[i].lr`. The
 * optimizers of this package (GPU and reference) have exactly that field.
 */
export interface SchedulableOptimizer {
  /** The param groups whose `lr` the scheduler writes. */
  paramGroups: {
    /** The group's learning rate. */
    lr: number;
  }[];
  /**
   * Optional. The scheduler calls it on construction, so that the optimizer's `stateDict()`
   * saves the scheduler's position and its `loadStateDict()` restores it (ours do).
   */
  attachScheduler?(scheduler: LRScheduler): void;
}

/** A scheduler's position, as `stateDict()` saves it: plain JSON. */
export interface SchedulerState {
  /** Steps taken (PyTorch's `last_epoch`). */
  lastEpoch: number;
  /** Each param group's base lr (PyTorch's `base_lrs`, from each group's `initial_lr`). */
  baseLrs: number[];
}

const WHERE = 'LRScheduler';

/** Returns `value` if it is a usable lr; `what` names it in the error ("where: field"). */
function checkLr(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    const Err = typeof value === 'number' ? RangeError : TypeError;
    throw new Err(`${what} must be a finite number >= 0, got ${showValue(value)}`);
  }
  return value;
}

/**
 * Binds a {@link Schedule} to an optimizer, like PyTorch's `torch.optim.lr_scheduler`:
 * - on construction it records each param group's lr as its base lr (PyTorch's
 *   `initial_lr`) and writes the step-0 lr, `schedule(0, baseLr)`, into every group;
 * - `step()`, called after each `optimizer.step()`, advances the step count and writes
 *   `schedule(lastEpoch, baseLr)` into every group.
 *
 * A step that fails (a schedule that throws or returns a bad lr) changes nothing.
 */
export class LRScheduler {
  /** The optimizer whose param groups this scheduler writes. */
  readonly optimizer: SchedulableOptimizer;
  /** The schedule, evaluated with each group's base lr. */
  readonly schedule: Schedule;
  private epoch = 0;
  private bases: number[];
  private last: number[];

  constructor(optimizer: SchedulableOptimizer, schedule: Schedule) {
    if (typeof optimizer !== 'object' || optimizer === null) {
      throw new TypeError(`${WHERE}: optimizer must be an object, got ${showValue(optimizer)}`);
    }
    const groups: unknown = optimizer.paramGroups;
    if (!Array.isArray(groups) || groups.length === 0) {
      throw new TypeError(
        `${WHERE}: optimizer.paramGroups must be a non-empty array, got ${showValue(groups)}`,
      );
    }
    if (typeof schedule !== 'function') {
      throw new TypeError(`${WHERE}: schedule must be a function, got ${showValue(schedule)}`);
    }
    this.optimizer = optimizer;
    this.schedule = schedule;
    this.bases = optimizer.paramGroups.map((g, i) =>
      checkLr(`${WHERE}: optimizer.paramGroups[${i}].lr`, (g as { lr?: unknown } | null)?.lr),
    );
    this.last = this.write(this.lrsAt(0, this.bases));
    optimizer.attachScheduler?.(this);
  }

  /** Steps taken so far (PyTorch's `last_epoch`): 0 after construction. */
  get lastEpoch(): number {
    return this.epoch;
  }

  /** A copy of each param group's base lr (PyTorch's `base_lrs`). */
  get baseLrs(): number[] {
    return [...this.bases];
  }

  /**
   * Advances one step and writes the new lr into every param group. Call it after
   * `optimizer.step()`.
   */
  step(): void {
    const lrs = this.lrsAt(this.epoch + 1, this.bases);
    this.epoch += 1;
    this.last = this.write(lrs);
  }

  /** The lr last written into each param group (PyTorch's `get_last_lr()`). */
  getLastLr(): number[] {
    return [...this.last];
  }

  /** The position, `{ lastEpoch, baseLrs }`, as plain JSON for a checkpoint. */
  stateDict(): SchedulerState {
    return { lastEpoch: this.epoch, baseLrs: [...this.bases] };
  }

  /**
   * Restores a position saved by `stateDict()` and writes its lrs into the param groups.
   * Rejects, naming the field and the value, a state that is not an object, a `lastEpoch`
   * that is not a non-negative integer, or `baseLrs` that are not one finite lr >= 0 per
   * param group. Nothing changes when it throws.
   */
  loadStateDict(state: SchedulerState): void {
    const where = `${WHERE}.loadStateDict`;
    if (typeof state !== 'object' || state === null || Array.isArray(state)) {
      throw new TypeError(`${where}: state must be an object, got ${showValue(state)}`);
    }
    const { lastEpoch, baseLrs } = state as { lastEpoch: unknown; baseLrs: unknown };
    if (typeof lastEpoch !== 'number' || !Number.isInteger(lastEpoch) || lastEpoch < 0) {
      const Err = typeof lastEpoch === 'number' ? RangeError : TypeError;
      throw new Err(
        `${where}: lastEpoch must be a non-negative integer, got ${showValue(lastEpoch)}`,
      );
    }
    const count = this.optimizer.paramGroups.length;
    if (!Array.isArray(baseLrs) || baseLrs.length !== count) {
      const Err = Array.isArray(baseLrs) ? RangeError : TypeError;
      throw new Err(
        `${where}: baseLrs must be an array of ${count} lrs (one per param group), got ${showValue(baseLrs)}`,
      );
    }
    const bases = baseLrs.map((v: unknown, i) => checkLr(`${where}: baseLrs[${i}]`, v));
    const lrs = this.lrsAt(lastEpoch, bases);
    this.epoch = lastEpoch;
    this.bases = bases;
    this.last = this.write(lrs);
  }

  /** Evaluates the schedule for every group, checking each lr before anything is written. */
  private lrsAt(epoch: number, bases: readonly number[]): number[] {
    const count = this.optimizer.paramGroups.length;
    if (count !== bases.length) {
      throw new RangeError(
        `${WHERE}: the optimizer has ${count} param groups, but the scheduler has ${bases.length} base lrs`,
      );
    }
    return bases.map((base, i) =>
      checkLr(
        `${WHERE}: the schedule's lr for param group ${i} at step ${epoch}`,
        this.schedule(epoch, base),
      ),
    );
  }

  private write(lrs: number[]): number[] {
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = lrs[i] as number;
    });
    return lrs;
  }
}
