/**
 * A learning-rate schedule: a pure function of the step (epoch) count and the param group's
 * base lr, returning the lr for that step. Closed forms, as PyTorch's lr_scheduler computes
 * them (`_get_closed_form_lr`), so a schedule can be evaluated at any step on its own.
 */
export type Schedule = (step: number, baseLr: number) => number;

/** Throws a RangeError naming the argument unless `value` is a finite number satisfying `ok`. */
export function check(
  where: string,
  name: string,
  value: unknown,
  ok: (v: number) => boolean,
  rule: string,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new RangeError(`${where}: ${name} must be ${rule}, got ${String(value)}`);
  }
  return value;
}

export const positiveInteger = (v: number): boolean => Number.isInteger(v) && v > 0;
