/**
 * A learning-rate schedule: a pure function of the step count (PyTorch's `last_epoch`) and a
 * param group's base lr (PyTorch's `initial_lr`) that returns the lr for that step.
 *
 * Schedules are closed forms, as PyTorch's `_get_closed_form_lr` computes them, so one can be
 * evaluated at any step on its own, and one schedule serves param groups with different base
 * lrs. A plain `(step, baseLr) => baseLr * f(step)` is a valid schedule (PyTorch's LambdaLR).
 */
export type Schedule = (step: number, baseLr: number) => number;
