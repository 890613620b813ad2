import { resolveOptions, stateNames } from './validate.ts';
import {
  restoreScheduler,
  validateStateDict,
  type AttachedGradScaler,
  type AttachedScheduler,
  type StateDict,
  type StateDtype,
} from './stateDict.ts';
import { checkGradScalerState, type GradScalerState } from './scaler.ts';
import type { Algorithm, OptionsByAlgorithm, Resolved, StateName } from './types.ts';

/** A param group: tensors plus options that override the optimizer's. */
export type ParamGroupInput<T, O> = {
  /** The group's tensors. */
  params: readonly T[];
} & O;

/** A param group after defaults are filled in. `lr` and the other numbers may be changed. */
export type ParamGroup<T, O> = {
  /** The group's tensors. */
  params: readonly T[];
} & Resolved<O>;

/**
 * Options whose change would need other pipelines or other state arrays. They are fixed when
 * the optimizer is created; changing them later is an error.
 */
const STRUCTURAL = ['maximize', 'nesterov', 'amsgrad', 'centered', 'epsInsideSqrt'] as const;

function isGroupList<T, O>(
  params: readonly T[] | readonly ParamGroupInput<T, O>[],
): params is readonly ParamGroupInput<T, O>[] {
  const first = params[0] as unknown;
  return typeof first === 'object' && first !== null && 'params' in first;
}

/**
 * Normalizes the constructor's `params` (a tensor list or a list of param groups) into
 * resolved param groups, PyTorch-style: group options override `options`, which override the
 * defaults.
 */
export function normalizeParamGroups<A extends Algorithm, T>(
  algorithm: A,
  params: readonly T[] | readonly ParamGroupInput<T, OptionsByAlgorithm[A]>[],
  options: OptionsByAlgorithm[A] | undefined,
  where: string,
): ParamGroup<T, OptionsByAlgorithm[A]>[] {
  if (!Array.isArray(params) || params.length === 0) {
    throw new TypeError(`${where}: params must be a non-empty array of tensors or param groups`);
  }
  const base = resolveOptions(algorithm, options, where);
  const inputs = isGroupList(params)
    ? params
    : [{ params } as ParamGroupInput<T, OptionsByAlgorithm[A]>];
  return inputs.map((input, gi) => {
    if (typeof input !== 'object' || input === null || !Array.isArray(input.params)) {
      throw new TypeError(`${where}: paramGroups[${gi}].params must be an array`);
    }
    if (input.params.length === 0)
      throw new TypeError(`${where}: paramGroups[${gi}].params is empty`);
    const { params: tensors, ...rest } = input;
    const resolved = resolveOptions(
      algorithm,
      { ...base, ...rest } as OptionsByAlgorithm[A],
      `${where}: paramGroups[${gi}]`,
    );
    return { ...resolved, params: [...tensors] } as ParamGroup<T, OptionsByAlgorithm[A]>;
  });
}

/**
 * Re-validates a param group before a step (its numbers may have been changed since) and
 * checks that no structural option changed. Returns the resolved options.
 */
export function revalidateGroup<A extends Algorithm, T>(
  algorithm: A,
  group: ParamGroup<T, OptionsByAlgorithm[A]>,
  frozen: Resolved<OptionsByAlgorithm[A]>,
  where: string,
): Resolved<OptionsByAlgorithm[A]> {
  const { params: _params, ...rest } = group;
  const resolved = resolveOptions(algorithm, rest as OptionsByAlgorithm[A], where);
  const now = resolved as Record<string, unknown>;
  const was = frozen as Record<string, unknown>;
  for (const key of STRUCTURAL) {
    if (key in was && now[key] !== was[key]) {
      throw new Error(
        `${where}: ${key} cannot change after construction (was ${String(was[key])}, now ${String(now[key])})`,
      );
    }
  }
  const before = stateNames(algorithm, frozen).join();
  const after = stateNames(algorithm, resolved).join();
  if (before !== after) {
    throw new Error(
      `${where}: changing momentum between zero and non-zero after construction changes the state arrays (${before || 'none'} -> ${after || 'none'})`,
    );
  }
  return resolved;
}

/**
 * Copies the options saved in `dict.paramGroups` (lr and the rest, as a scheduler may have
 * left them) into `groups`, like PyTorch's load_state_dict. Checks group count and sizes
 * first, and that no structural option differs.
 */
export function restoreGroupOptions<A extends Algorithm, T>(
  algorithm: A,
  groups: ParamGroup<T, OptionsByAlgorithm[A]>[],
  frozen: readonly Resolved<OptionsByAlgorithm[A]>[],
  dict: { paramGroups: readonly ({ params: readonly number[] } & Record<string, unknown>)[] },
  where: string,
): void {
  if (!Array.isArray(dict.paramGroups) || dict.paramGroups.length !== groups.length) {
    throw new Error(
      `${where}: invalid state dict: paramGroups holds ${Array.isArray(dict.paramGroups) ? dict.paramGroups.length : 'no'} groups but this optimizer has ${groups.length}`,
    );
  }
  const updated = groups.map((g, gi) => {
    const saved = dict.paramGroups[gi] as { params: readonly number[] } & Record<string, unknown>;
    if (!Array.isArray(saved.params) || saved.params.length !== g.params.length) {
      throw new Error(
        `${where}: invalid state dict: paramGroups[${gi}].params holds ${Array.isArray(saved.params) ? saved.params.length : 'no'} tensors but this group has ${g.params.length}`,
      );
    }
    const { params: _params, ...options } = saved;
    const candidate = { ...g, ...options, params: g.params } as ParamGroup<
      T,
      OptionsByAlgorithm[A]
    >;
    revalidateGroup(
      algorithm,
      candidate,
      frozen[gi] as Resolved<OptionsByAlgorithm[A]>,
      `${where}: paramGroups[${gi}]`,
    );
    return options;
  });
  groups.forEach((g, gi) => Object.assign(g, updated[gi]));
}

/**
 * The checks and restores every optimizer's loadStateDict starts with: validates `dict`
 * against the tensors' lengths and state arrays, then restores the param groups' options and
 * the attached scheduler's position. The caller then restores its step counts and arrays.
 */
export function acceptStateDict<A extends Algorithm, T>(
  dict: StateDict,
  target: {
    algorithm: A;
    lengths: readonly number[];
    names: readonly (readonly StateName[])[];
    paramGroups: ParamGroup<T, OptionsByAlgorithm[A]>[];
    frozen: readonly Resolved<OptionsByAlgorithm[A]>[];
    scheduler: AttachedScheduler | null;
    gradScaler: AttachedGradScaler | null;
    stateDtype?: StateDtype;
  },
  where: string,
): void {
  validateStateDict(dict, target.algorithm, target.lengths, target.names, where, target.stateDtype);
  let scaler: GradScalerState | null = null;
  if (target.gradScaler) {
    if (dict.gradScaler === undefined) {
      throw new Error(
        `${where}: invalid state dict: gradScaler is missing, but a GradScaler is attached`,
      );
    }
    scaler = checkGradScalerState(dict.gradScaler, where);
  }
  restoreGroupOptions(target.algorithm, target.paramGroups, target.frozen, dict, where);
  restoreScheduler(dict, target.scheduler, where);
  if (scaler) target.gradScaler?.load(scaler);
}
