/**
 * The one timing loop every GPU peer goes through, so "measured the same way" holds by
 * construction: `reps` repetitions of `steps` steps back to back, one wait per repetition.
 */
import { dispatches } from './dispatchCounter.ts';

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
  steps: number,
  reps: number,
  step: () => number,
  sync: () => Promise<void>,
  afterRep: () => Promise<void> = async () => undefined,
): Promise<RepTimes> {
  const wall: number[] = [];
  const host: number[] = [];
  let perStep = 0;
  for (let r = 0; r < reps; r++) {
    let hostMs = 0;
    const before = dispatches();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) hostMs += step();
    await sync();
    wall.push((performance.now() - t0) / steps);
    host.push(hostMs / steps);
    perStep = (dispatches() - before) / steps;
    await afterRep();
  }
  return { wall, host, dispatches: perStep };
}
