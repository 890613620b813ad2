import {
  composeStateDict,
  savedParamGroups,
  type AttachedScheduler,
  type StateDict,
  type StateDtype,
  type TensorState,
} from '../options/stateDict.ts';
import { checkStateDtype, stateRounding } from '../options/half.ts';
import {
  acceptStateDict,
  normalizeParamGroups,
  revalidateGroup,
  type ParamGroup,
  type ParamGroupInput,
} from '../options/groups.ts';
import { initialStateValue, scratchStateNames, stateNames } from '../options/validate.ts';
import type { Algorithm, OptionsByAlgorithm, Resolved, StateName } from '../options/types.ts';
import { applyReferenceStep, type StateArrays } from './apply.ts';
import { advanceGroup } from '../options/scheduleFree.ts';
import { clipGrads } from './clip.ts';
import { checkClip, type ClipOptions } from '../options/clip.ts';
import { GradScalerReference } from './gradScaler.ts';
import { carriedScalar, type CarriedScalar } from '../options/carried.ts';
import { loadedQuantized } from '../options/q8Recover.ts';
import {
  checkMin8bitSize,
  dequantize,
  Q8_REFUSED,
  q8RoundsUp,
  q8Signed,
  quantize,
  type Quantized,
} from '../options/q8.ts';

/** Options of the reference optimizers besides the hyperparameters (as the GPU's HostOptions). */
export type ReferenceOptions = ClipOptions & {
  /** How state is stored and rounded: 'f32' (default), 'f16', 'bf16' or 'q8'. */
  stateDtype?: StateDtype;
  /** With 'q8': tensors shorter than this keep f32 state (default 4096), as on the GPU. */
  min8bitSize?: number;
  /** The CPU twin of a GPU optimizer's `gradScaler`. */
  gradScaler?: GradScalerReference;
};

/**
 * Stores a 'q8' tensor's state arrays as the kernel does after an update: quantised block by
 * block, and read back as the dequantised values (src/options/q8.ts).
 */
function requantize(slot: Slot, algorithm: Algorithm): void {
  if (!slot.q8) return;
  for (const name of slot.names) {
    const signed = q8Signed(name);
    const q = quantize(slot.state[name] as Float32Array, signed, q8RoundsUp(algorithm, name));
    slot.q8[name] = q;
    slot.state[name] = dequantize(q, signed);
  }
}

interface Slot {
  group: number;
  step: number;
  /** The carried scalar (NAdam's mu_product, src/options/carried.ts). */
  carried: number;
  names: StateName[];
  state: StateArrays;
  /** 'q8' tensors: each array's codes and absmax (state[name] holds what they read back as). */
  q8: Partial<Record<StateName, Quantized>> | null;
}

/**
 * The CPU twin of an optimizer: the same options, param groups, step counting and state
 * dict as the GPU classes, over Float32Arrays that it updates in place.
 */
export class ReferenceOptimizer<A extends Algorithm> {
  /** The algorithm's name: 'sgd', 'adam', 'lion', ... (the `Algorithm` union). */
  readonly algorithm: A;
  private scheduler: AttachedScheduler | null = null;
  /** Param groups; `lr` and the other numbers may be changed between steps. */
  readonly paramGroups: ParamGroup<Float32Array, OptionsByAlgorithm[A]>[];
  private readonly frozen: Resolved<OptionsByAlgorithm[A]>[];
  private readonly slots: Slot[] = [];
  private readonly where: string;
  private readonly carry: CarriedScalar | null;
  /** How the state arrays are stored (rounded to on every store), as on the GPU. */
  readonly stateDtype: StateDtype;

  constructor(
    algorithm: A,
    params:
      readonly Float32Array[] | readonly ParamGroupInput<Float32Array, OptionsByAlgorithm[A]>[],
    options?: OptionsByAlgorithm[A] & ReferenceOptions,
  ) {
    this.algorithm = algorithm;
    this.where = `${algorithm} reference`;
    const { clipGradNorm, clipGradValue, stateDtype, gradScaler, min8bitSize, ...hyper } =
      options ?? ({} as ReferenceOptions);
    this.stateDtype = checkStateDtype(stateDtype, this.where);
    const min8 = checkMin8bitSize(min8bitSize, this.where);
    if (this.stateDtype === 'q8' && Q8_REFUSED[algorithm]) {
      throw new RangeError(
        `${this.where}: stateDtype "q8" is not available: ${Q8_REFUSED[algorithm]}`,
      );
    }
    const round = stateRounding(this.stateDtype);
    if (gradScaler !== undefined && !(gradScaler instanceof GradScalerReference)) {
      throw new TypeError(`${this.where}: gradScaler must be a GradScalerReference`);
    }
    gradScaler?.attach(this.where);
    this.gradScaler = gradScaler ?? null;
    this.clip = checkClip({ clipGradNorm, clipGradValue }, this.where);
    this.paramGroups = normalizeParamGroups(
      algorithm,
      params,
      hyper as OptionsByAlgorithm[A],
      this.where,
    );
    this.frozen = this.paramGroups.map((g) => {
      const { params: _p, ...rest } = g;
      return rest as unknown as Resolved<OptionsByAlgorithm[A]>;
    });
    const carry = carriedScalar(algorithm);
    this.carry = carry;
    this.paramGroups.forEach((g, gi) => {
      const o = this.frozen[gi] as Resolved<OptionsByAlgorithm[A]>;
      const names = stateNames(algorithm, o);
      g.params.forEach((p, i) => {
        if (!(p instanceof Float32Array)) {
          throw new TypeError(
            `${this.where}: paramGroups[${gi}].params[${i}] must be a Float32Array`,
          );
        }
        const state: StateArrays = {};
        for (const name of [...names, ...scratchStateNames(algorithm)]) {
          state[name] = new Float32Array(p.length).fill(
            round(initialStateValue(algorithm, name, o)),
          );
        }
        const q8 =
          this.stateDtype === 'q8' && names.length > 0 && p.length >= Math.max(min8, 1) ? {} : null;
        const slot: Slot = { group: gi, step: 0, carried: carry?.initial ?? 1, names, state, q8 };
        requantize(slot, this.algorithm);
        this.slots.push(slot);
      });
    });
  }

  /** All tensors, in param-group order. */
  get params(): Float32Array[] {
    return this.paramGroups.flatMap((g) => [...g.params]);
  }

  /** One step: `grads[i]` matches the i-th tensor in param-group order. */
  /** The global gradient norm of the last step, before clipping (when clipGradNorm is set). */
  lastGradNorm: number | null = null;
  private readonly clip: { maxNorm: number | null; value: number | null };
  /** The GradScalerReference given at construction, or null. */
  readonly gradScaler: GradScalerReference | null;

  /**
   * One optimizer step: `grads[i]` is the gradient of the i-th tensor in param-group order,
   * of its length. Updates the params and the state in place.
   */
  step(grads: readonly Float32Array[]): void {
    const params = this.params;
    if (grads.length !== params.length) {
      throw new RangeError(
        `${this.where}: step: grads has ${grads.length} tensors, params has ${params.length}`,
      );
    }
    params.forEach((p, i) => {
      if ((grads[i] as Float32Array).length !== p.length) {
        throw new RangeError(
          `${this.where}: step: grads[${i}].length is ${(grads[i] as Float32Array).length}, params[${i}].length is ${p.length}`,
        );
      }
    });
    const resolved = this.paramGroups.map((g, gi) =>
      revalidateGroup(
        this.algorithm,
        g,
        this.frozen[gi] as Resolved<OptionsByAlgorithm[A]>,
        `${this.where}: paramGroups[${gi}]`,
      ),
    );
    // The GPU's order: unscale and check, clip, then update or skip.
    let foundInf = false;
    if (this.gradScaler) {
      const unscaled = this.gradScaler.unscale(grads);
      grads = unscaled.grads;
      foundInf = unscaled.foundInf;
    }
    if (this.clip.maxNorm !== null || this.clip.value !== null) {
      const clipped = clipGrads(grads, this.clip.maxNorm, this.clip.value);
      grads = clipped.grads;
      this.lastGradNorm = clipped.norm;
    }
    if (foundInf) {
      this.gradScaler?.update(true);
      return;
    }
    let first = 0;
    this.paramGroups.forEach((g, gi) => {
      const step = (this.slots[first] as Slot).step + 1;
      advanceGroup(this.algorithm, g, resolved[gi] as object, step, this.gradScaler !== null);
      first += g.params.length;
    });
    params.forEach((p, i) => {
      const g = grads[i] as Float32Array;
      const slot = this.slots[i] as Slot;
      slot.step += 1;
      slot.carried = applyReferenceStep(
        this.algorithm,
        resolved[slot.group] as Resolved<OptionsByAlgorithm[A]>,
        slot.step,
        p,
        g,
        slot.state,
        // A 'q8' optimizer's small tensors keep f32 state (min8bitSize).
        slot.q8 ? 'q8' : this.stateDtype === 'q8' ? 'f32' : this.stateDtype,
        this.gradScaler !== null,
        slot.carried,
      );
      requantize(slot, this.algorithm);
    });
    this.gradScaler?.update(false);
  }

  /**
   * Tensor `i`'s step count and state arrays (scratch arrays included), for subclasses.
   * @internal
   */
  protected tensorState(i: number): { step: number; group: number; state: StateArrays } {
    const slot = this.slots[i];
    if (!slot) throw new RangeError(`${this.where}: no tensor ${i}`);
    return slot;
  }

  /** A deep copy of the state, in the same format as the GPU optimizers' `stateDict()`. */
  stateDict(): StateDict {
    const state = this.slots.map((s) => {
      const out: TensorState = { step: s.step };
      if (this.carry) out[this.carry.name] = s.carried;
      for (const name of s.names) out[name] = new Float32Array(s.state[name] as Float32Array);
      if (s.q8) {
        const raw: Partial<Record<StateName, Quantized>> = {};
        for (const name of s.names) {
          const q = s.q8[name] as Quantized;
          raw[name] = { codes: q.codes.slice(), absmax: q.absmax.slice() };
        }
        out.q8 = raw;
      }
      return out;
    });
    return composeStateDict(
      this.algorithm,
      state,
      savedParamGroups(this.paramGroups),
      this.scheduler?.stateDict(),
      this.stateDtype,
      this.gradScaler?.state(),
    );
  }

  /**
   * Called by LRScheduler: `stateDict()` then saves the scheduler's position and
   * `loadStateDict()` restores it.
   */
  attachScheduler(scheduler: AttachedScheduler): void {
    this.scheduler = scheduler;
  }

  /** Restores state saved by `stateDict()` (from this class or a GPU optimizer). */
  loadStateDict(dict: StateDict): void {
    acceptStateDict(
      dict,
      {
        algorithm: this.algorithm,
        lengths: this.params.map((p) => p.length),
        names: this.slots.map((s) => s.names),
        paramGroups: this.paramGroups,
        frozen: this.frozen,
        scheduler: this.scheduler,
        gradScaler: this.gradScaler,
        stateDtype: this.stateDtype,
      },
      `${this.where}: loadStateDict`,
    );
    dict.state.forEach((s, i) => {
      const slot = this.slots[i] as Slot;
      slot.step = s.step;
      if (this.carry) slot.carried = s[this.carry.name] as number;
      const round = stateRounding(this.stateDtype);
      for (const name of slot.names) {
        slot.state[name] = (s[name] as Float32Array).map(round);
        if (slot.q8) {
          const q = loadedQuantized(s, this.algorithm, name);
          slot.q8[name] = { codes: q.codes.slice(), absmax: q.absmax.slice() };
          slot.state[name] = dequantize(q, q8Signed(name));
        }
      }
    });
  }
}
