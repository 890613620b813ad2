/**
 * Optimizer state as TF.js weights: `iter` (the step count, int32) first, as tf.train.* save
 * it, then one float32 tensor per variable and state array, named `${variable}/${state}` with
 * PyTorch's state names (`dense_Dense1/kernel/exp_avg`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Algorithm, StateDict, StateName, TensorState } from '../../index.ts';
import type { NamedTensor } from './gradients.ts';
import { q8RoundsUp, q8Signed } from '../../options/q8.ts';
import { recoverQuantized } from '../../options/q8Recover.ts';

/** A variable the optimizer steps: its name and shape. */
export interface KnownVariable {
  name: string;
  shape: number[];
  length: number;
}

/** The weights of `dict`, after the `iter` entry the caller adds. */
export function stateTensors(
  dict: StateDict,
  vars: readonly KnownVariable[],
  names: readonly StateName[],
): NamedTensor[] {
  return vars.flatMap((v, i) => {
    const s = dict.state[i] as TensorState;
    return names.map((n) => ({
      name: `${v.name}/${n}`,
      tensor: tf.tensor(s[n] as Float32Array, v.shape, 'float32'),
    }));
  });
}

/** Host copies of state weights, read once (the caller may dispose the tensors after). */
export type StateArrays = Map<string, Float32Array>;

/** Reads the state weights to the host, checking names and dtypes. */
export async function readStateWeights(
  weights: readonly NamedTensor[],
  where: string,
): Promise<StateArrays> {
  const out: StateArrays = new Map();
  for (const [i, w] of weights.entries()) {
    if (typeof w?.name !== 'string' || !(w.tensor instanceof tf.Tensor)) {
      throw new TypeError(`${where}: setWeights: weightValues[${i + 1}] must be { name, tensor }`);
    }
    if (w.tensor.dtype !== 'float32') {
      throw new TypeError(
        `${where}: setWeights: "${w.name}" has dtype ${w.tensor.dtype}, expected float32`,
      );
    }
    out.set(w.name, Float32Array.from(await w.tensor.data()));
  }
  return out;
}

/**
 * Fills `state` (one entry per variable, in order) from `arrays`. By name when every
 * `${variable}/${state}` is there; otherwise by position, as tf.train.* restores (a model built
 * again in the same page gets new layer names), when the count and every length fit.
 */
export function fillState(
  state: TensorState[],
  arrays: StateArrays,
  step: number,
  vars: readonly KnownVariable[],
  names: readonly StateName[],
  where: string,
): void {
  const keys = vars.flatMap((v) => names.map((n) => `${v.name}/${n}`));
  const byName = keys.every((k) => arrays.has(k)) && arrays.size === keys.length;
  const given = [...arrays.entries()];
  if (!byName && given.length !== keys.length) {
    throw new Error(
      `${where}: setWeights: got ${given.length} state weights (${given.map(([k]) => k).join(', ')}), but this optimizer keeps ${keys.length}: ${keys.join(', ')}`,
    );
  }
  let k = 0;
  vars.forEach((v, i) => {
    const s: TensorState = { step };
    for (const n of names) {
      const key = keys[k] as string;
      const [from, a] = byName
        ? [key, arrays.get(key) as Float32Array]
        : (given[k] as [string, Float32Array]);
      if (a.length !== v.length) {
        throw new RangeError(
          `${where}: setWeights: "${from}" has ${a.length} elements, but ${key} has ${v.length}`,
        );
      }
      s[n] = a;
      k++;
    }
    state[i] = s;
  });
}

/**
 * With stateDtype 'q8': gives each 8-bit tensor's state (`isQuantized(i)`) the codes and absmax
 * its f32 weights were read back from (src/options/q8Recover.ts), so that loading them
 * continues bitwise instead of quantising the read-back values again.
 */
export function attachQ8(
  state: TensorState[],
  isQuantized: (i: number) => boolean,
  algorithm: Algorithm,
  names: readonly StateName[],
): void {
  state.forEach((s, i) => {
    if (!isQuantized(i)) return;
    s.q8 = Object.fromEntries(
      names.map((n) => [
        n,
        recoverQuantized(s[n] as Float32Array, q8Signed(n), q8RoundsUp(algorithm, n)),
      ]),
    );
  });
}
