import type { GradScalerState } from './scaler.ts';
import { carriedScalar } from './carried.ts';
import type { Algorithm, StateName } from './types.ts';
import { q8Blocks, type Quantized } from './q8.ts';

/** One tensor's optimizer state, under PyTorch's state names. */
export type TensorState = {
  /** The tensor's step count (PyTorch's per-param `step`). */
  step: number;
  /** NAdam: the running product of the momentum schedule (src/options/carried.ts). */
  mu_product?: number;
  /**
   * stateDtype 'q8', tensors stored in 8 bits: each array's codes (one per element) and
   * absmax (one per block of 256), as stored on the GPU. The f32 arrays beside them are the
   * values these read back as. loadStateDict restores these bit for bit when present.
   */
  q8?: Partial<Record<StateName, Quantized>>;
} & { [K in StateName]?: Float32Array };

/** A param group as saved: tensor indices (into `state`) plus every resolved option. */
export type SavedParamGroup = {
  /** Indices into `StateDict.state` of the group's tensors. */
  params: number[];
} & Record<string, unknown>;

/**
 * A host copy of an optimizer's state, shaped like PyTorch's `state_dict()`:
 * `state[i]` belongs to the i-th tensor in param-group order.
 */
export interface StateDict {
  /** Always 'webgpu-optim/state-dict'. */
  format: 'webgpu-optim/state-dict';
  /** The format's version, 1. */
  version: 1;
  /** The algorithm that saved it; loading it into another one is an error. */
  algorithm: Algorithm;
  /** Storage type of the state arrays on the GPU (the dict always holds f32 copies). */
  stateDtype: StateDtype;
  /** Per tensor, in param-group order: its step count and its state arrays. */
  state: TensorState[];
  /** Per param group: its tensors' indices and every resolved option. */
  paramGroups: SavedParamGroup[];
  /** The attached LRScheduler's position, when one is attached. */
  scheduler?: {
    /** Steps the scheduler has taken. */
    lastEpoch: number;
    /** Each param group's base lr. */
    baseLrs: number[];
  };
  /**
   * The GradScaler's state, when one is attached. `state[i].step` then counts the steps
   * actually taken (skipped ones excluded), as read from the GPU.
   */
  gradScaler?: GradScalerState;
}

/** What loadStateDict needs of an attached grad scaler (GPU or reference). */
export interface AttachedGradScaler {
  /** Restores the scaler's state from a state dict's `gradScaler` (already validated). */
  load(state: GradScalerState): void;
}

/** What an optimizer needs of an attached scheduler (LRScheduler attaches itself). */
export interface AttachedScheduler {
  /** The scheduler's position, saved in the optimizer's state dict. */
  stateDict(): {
    /** Steps the scheduler has taken. */
    lastEpoch: number;
    /** Each param group's base lr. */
    baseLrs: number[];
  };
  /** Restores the position saved by `stateDict()`. */
  loadStateDict(state: {
    /** Steps the scheduler has taken. */
    lastEpoch: number;
    /** Each param group's base lr. */
    baseLrs: number[];
  }): void;
}

/** Restores an attached scheduler's position from `dict`, or checks there is none to restore. */
export function restoreScheduler(
  dict: StateDict,
  scheduler: AttachedScheduler | null,
  where: string,
): void {
  if (scheduler && dict.scheduler === undefined) {
    throw new Error(
      `${where}: invalid state dict: scheduler is missing, but a scheduler is attached`,
    );
  }
  if (scheduler && dict.scheduler) scheduler.loadStateDict(dict.scheduler);
}

/**
 * Storage types for optimizer state: 'f32', the 16-bit 'f16' and 'bf16', and 'q8', block-wise
 * dynamic 8-bit codes (src/options/q8.ts) for tensors of at least `min8bitSize` elements.
 */
export type StateDtype = 'f32' | 'f16' | 'bf16' | 'q8';

export const STATE_DICT_FORMAT = 'webgpu-optim/state-dict';
export const STATE_DICT_VERSION = 1;

/**
 * Checks that `dict` fits an optimizer of `algorithm` whose i-th tensor has `lengths[i]`
 * elements and keeps the state arrays `names[i]`, stored as `stateDtype`. Throws an error that
 * names the field at fault and its value.
 */
export function validateStateDict(
  dict: unknown,
  algorithm: Algorithm,
  lengths: readonly number[],
  names: readonly (readonly StateName[])[],
  where: string,
  stateDtype: StateDtype = 'f32',
): asserts dict is StateDict {
  const bad = (field: string, msg: string): never => {
    throw new Error(`${where}: invalid state dict: ${field} ${msg}`);
  };
  if (typeof dict !== 'object' || dict === null)
    bad('(root)', `must be an object, got ${String(dict)}`);
  const d = dict as Partial<StateDict>;
  if (d.format !== STATE_DICT_FORMAT)
    bad('format', `must be "${STATE_DICT_FORMAT}", got ${JSON.stringify(d.format)}`);
  if (d.version !== STATE_DICT_VERSION)
    bad('version', `must be ${STATE_DICT_VERSION}, got ${JSON.stringify(d.version)}`);
  // A 'q8' optimizer loads any dict: f32 arrays are quantised (codes kept only from q8 dicts).
  if (d.stateDtype !== stateDtype && !(stateDtype === 'q8' && isStateDtype(d.stateDtype))) {
    bad(
      'stateDtype',
      `is ${JSON.stringify(d.stateDtype)} but this optimizer stores "${stateDtype}" (stateDtype is fixed at construction)`,
    );
  }
  if (d.algorithm !== algorithm) {
    bad('algorithm', `is "${String(d.algorithm)}" but this optimizer is "${algorithm}"`);
  }
  if (!Array.isArray(d.state)) bad('state', 'must be an array');
  const state = d.state as unknown[];
  if (state.length !== lengths.length) {
    bad('state', `holds ${state.length} tensors but this optimizer has ${lengths.length}`);
  }
  state.forEach((entry, i) => {
    if (typeof entry !== 'object' || entry === null) bad(`state[${i}]`, 'must be an object');
    const s = entry as Record<string, unknown>;
    if (typeof s.step !== 'number' || !Number.isInteger(s.step) || s.step < 0) {
      bad(`state[${i}].step`, `must be a non-negative integer, got ${String(s.step)}`);
    }
    const carried = carriedScalar(algorithm);
    if (carried) {
      const v = s[carried.name];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        bad(`state[${i}].${carried.name}`, `must be a finite number, got ${String(v)}`);
      }
    }
    const kept = names[i] ?? [];
    for (const name of kept) {
      const arr = s[name];
      if (!(arr instanceof Float32Array)) {
        bad(
          `state[${i}].${name}`,
          `must be a Float32Array, got ${arr === undefined ? 'nothing' : typeof arr}`,
        );
      }
      if ((arr as Float32Array).length !== lengths[i]) {
        bad(
          `state[${i}].${name}`,
          `has length ${(arr as Float32Array).length}, expected ${String(lengths[i])}`,
        );
      }
    }
    if (s.q8 !== undefined)
      checkQ8Entry(s.q8, kept, lengths[i] as number, d.stateDtype, `state[${i}].q8`, bad);
    for (const key of Object.keys(s)) {
      if (key === 'q8') continue;
      if (key !== 'step' && key !== carried?.name && !kept.includes(key as StateName)) {
        bad(
          `state[${i}].${key}`,
          `is not kept for this tensor (it keeps ${kept.join(', ') || 'no arrays'})`,
        );
      }
    }
  });
}

function isStateDtype(v: unknown): v is StateDtype {
  return v === 'f32' || v === 'f16' || v === 'bf16' || v === 'q8';
}

/** Checks a tensor's `q8` entry: only in a 'q8' dict, kept arrays, codes and absmax sizes. */
function checkQ8Entry(
  q8: unknown,
  kept: readonly StateName[],
  length: number,
  dtype: unknown,
  field: string,
  bad: (field: string, msg: string) => never,
): void {
  if (dtype !== 'q8')
    bad(field, `is only valid in a "q8" state dict, this one is ${JSON.stringify(dtype)}`);
  if (typeof q8 !== 'object' || q8 === null) bad(field, `must be an object, got ${String(q8)}`);
  for (const [name, q] of Object.entries(q8 as Record<string, unknown>)) {
    if (!kept.includes(name as StateName)) {
      bad(
        `${field}.${name}`,
        `is not kept for this tensor (it keeps ${kept.join(', ') || 'no arrays'})`,
      );
    }
    const { codes, absmax } = (q ?? {}) as Partial<Quantized>;
    if (!(codes instanceof Uint8Array) || codes.length !== length) {
      bad(
        `${field}.${name}.codes`,
        `must be a Uint8Array of ${length} codes, got ${codes instanceof Uint8Array ? `length ${codes.length}` : typeof codes}`,
      );
    }
    const blocks = q8Blocks(length);
    if (!(absmax instanceof Float32Array) || absmax.length !== blocks) {
      bad(
        `${field}.${name}.absmax`,
        `must be a Float32Array of ${blocks} blocks, got ${absmax instanceof Float32Array ? `length ${absmax.length}` : typeof absmax}`,
      );
    }
  }
}

/** Param groups as a state dict saves them: tensor indices plus every option. */
export function savedParamGroups(
  groups: readonly ({ params: readonly unknown[] } & object)[],
): SavedParamGroup[] {
  let k = 0;
  return groups.map((g) => {
    const { params, ...rest } = g;
    const copy = JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
    return { ...copy, params: params.map(() => k++) };
  });
}

/** Assembles a state dict: the header every optimizer writes, plus its state and groups. */
export function composeStateDict(
  algorithm: Algorithm,
  state: TensorState[],
  paramGroups: SavedParamGroup[],
  scheduler: { lastEpoch: number; baseLrs: number[] } | undefined,
  stateDtype: StateDtype = 'f32',
  gradScaler?: GradScalerState,
): StateDict {
  return {
    format: STATE_DICT_FORMAT,
    version: STATE_DICT_VERSION,
    stateDtype,
    algorithm,
    state,
    paramGroups,
    ...(scheduler ? { scheduler } : {}),
    ...(gradScaler ? { gradScaler } : {}),
  };
}
