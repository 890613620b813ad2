/** Argument checks shared by the schedules (internal: not exported from the package). */
import type { Schedule } from './types.ts';

/** A condition on a number option, and how an error message states it. */
export interface Rule {
  test: (value: number) => boolean;
  text: string;
}

/** Greater than 0 (gamma, decaySteps, maxLr, the divide factors). */
export const POSITIVE: Rule = { test: (v) => v > 0, text: 'a finite number > 0' };
/** 0 or more (decayRate, etaMin, step, baseLr). */
export const NON_NEGATIVE: Rule = { test: (v) => v >= 0, text: 'a finite number >= 0' };
/** A whole number of steps, at least 1 (stepSize, tMax, totalIters, totalSteps). */
export const POSITIVE_INTEGER: Rule = {
  test: (v) => Number.isInteger(v) && v > 0,
  text: 'a positive integer',
};

/** A value as an error message shows it: strings quoted, arrays and objects as JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}

/**
 * Checks that `options` is an object (or undefined, read as `{}`) whose keys are all in
 * `known`, so that a typo such as `step_size` is an error rather than a silent default.
 */
export function readOptions(
  where: string,
  options: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object, got ${showValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `${where}: unknown option "${key}"; known options are ${known.join(', ')}`,
      );
    }
  }
  return options as Record<string, unknown>;
}

/**
 * Returns `value` if it is a finite number that satisfies `rule`. A value that is not a
 * number is a TypeError; a number out of range is a RangeError. Both name the argument.
 */
export function checkNumber(where: string, name: string, value: unknown, rule: Rule): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${where}: ${name} must be ${rule.text}, got ${showValue(value)}`);
  }
  if (!Number.isFinite(value) || !rule.test(value)) {
    throw new RangeError(`${where}: ${name} must be ${rule.text}, got ${showValue(value)}`);
  }
  return value;
}

/** Returns `value` if it is a boolean; otherwise throws a TypeError naming the argument. */
export function checkBoolean(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`${where}: ${name} must be a boolean, got ${showValue(value)}`);
  }
  return value;
}

/**
 * Wraps a closed form into a Schedule that first checks its arguments: the step and the base
 * lr must be finite numbers >= 0 (a negative step has no meaning in any of these forms).
 */
export function defineSchedule(where: string, lr: Schedule): Schedule {
  return (step, baseLr) => {
    checkNumber(where, 'step', step, NON_NEGATIVE);
    checkNumber(where, 'baseLr', baseLr, NON_NEGATIVE);
    return lr(step, baseLr);
  };
}
