import type { Schedule } from './types.ts';

/** What a scheduler drives: any optimizer with mutable `paramGroups[i].lr` (ours do). */
export interface SchedulableOptimizer {
  paramGroups: { lr: number }[];
  /** Present on our optimizers: lets their state dicts carry the scheduler's position. */
  attachScheduler?(scheduler: LRScheduler): void;
}

/** A scheduler's position, for checkpoints. */
export interface SchedulerState {
  lastEpoch: number;
  baseLrs: number[];
}

/**
 * Binds a schedule to an optimizer, like PyTorch's lr_scheduler: records each group's base lr
 * (PyTorch's `initial_lr`), sets the step-0 lr at once, and on each `step()` advances the count
 * and writes the new lr into every param group.
 */
export class LRScheduler {
  private epoch = 0;
  private readonly bases: number[];
  private last: number[];

  constructor(
    readonly optimizer: SchedulableOptimizer,
    readonly schedule: Schedule,
  ) {
    if (!optimizer || !Array.isArray(optimizer.paramGroups)) {
      throw new TypeError('LRScheduler: optimizer must have paramGroups');
    }
    if (typeof schedule !== 'function')
      throw new TypeError('LRScheduler: schedule must be a function');
    this.bases = optimizer.paramGroups.map((g) => g.lr);
    this.last = this.apply();
    optimizer.attachScheduler?.(this);
  }

  /** Steps taken so far (PyTorch's `last_epoch`). */
  get lastEpoch(): number {
    return this.epoch;
  }

  /** Each group's base lr. */
  get baseLrs(): readonly number[] {
    return this.bases;
  }

  /** Advances one step and sets every group's lr. Call it after `optimizer.step()`. */
  step(): void {
    this.epoch += 1;
    this.last = this.apply();
  }

  /** The lr last written into each group. */
  getLastLr(): number[] {
    return [...this.last];
  }

  stateDict(): SchedulerState {
    return { lastEpoch: this.epoch, baseLrs: [...this.bases] };
  }

  /** Restores a position saved by `stateDict()` and sets the lrs for it. */
  loadStateDict(state: SchedulerState): void {
    if (typeof state !== 'object' || state === null) {
      throw new TypeError(
        `LRScheduler.loadStateDict: state must be an object, got ${String(state)}`,
      );
    }
    if (!Number.isInteger(state.lastEpoch) || state.lastEpoch < 0) {
      throw new RangeError(
        `LRScheduler.loadStateDict: lastEpoch must be a non-negative integer, got ${String(state.lastEpoch)}`,
      );
    }
    if (
      !Array.isArray(state.baseLrs) ||
      state.baseLrs.length !== this.bases.length ||
      state.baseLrs.some((v) => typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    ) {
      throw new RangeError(
        `LRScheduler.loadStateDict: baseLrs must hold ${this.bases.length} non-negative numbers, got ${JSON.stringify(state.baseLrs)}`,
      );
    }
    this.epoch = state.lastEpoch;
    this.bases.splice(0, this.bases.length, ...state.baseLrs);
    this.last = this.apply();
  }

  private apply(): number[] {
    const lrs = this.bases.map((b) => this.schedule(this.epoch, b));
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = lrs[i] as number;
    });
    return lrs;
  }
}
