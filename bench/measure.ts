/**
 * The one timing loop every GPU peer goes through, so "measured the same way" holds by
 * construction: repetitions of `plan.steps` steps back to back, one wait per repetition, as
 * many repetitions as the plan allows (repPlan.ts).
 */
import { dispatches } from './dispatchCounter.ts';
import { anotherRep, type RepPlan } from './repPlan.ts';

export interface RepTimes {
  /** Wall ms per step, one entry per repetition. */
  wall: number[];
  /** Host ms per step spent in the step call, one entry per repetition. */
  host: number[];
  /** Dispatches per step (last repetition). */
  dispatches: number;
}

/**
 * `step()` records one step and returns the host ms it spent in the optimizer's own call;
 * `sync()` waits until the GPU has finished; `afterRep()` runs after each repetition's wait.
 */
export async function measureReps(
  plan: RepPlan,
  step: () => number,
  sync: () => Promise<void>,
  afterRep: () => Promise<void> = async () => undefined,
): Promise<RepTimes> {
  const wall: number[] = [];
  const host: number[] = [];
  let perStep = 0;
  const started = performance.now();
  let last = 0;
  while (anotherRep(plan, wall.length, performance.now() - started, last)) {
    let hostMs = 0;
    const before = dispatches();
    const t0 = performance.now();
    for (let i = 0; i < plan.steps; i++) hostMs += step();
    await sync();
    wall.push((performance.now() - t0) / plan.steps);
    host.push(hostMs / plan.steps);
    perStep = (dispatches() - before) / plan.steps;
    await afterRep();
    last = performance.now() - t0;
  }
  return { wall, host, dispatches: perStep };
}
