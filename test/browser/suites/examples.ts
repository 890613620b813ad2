import { arenaStep } from '../../../examples/arena.ts';
import { dispatchPaths } from '../../../examples/dispatchPaths.ts';
import { mixedPrecision } from '../../../examples/mixedPrecision.ts';
import { timeAdamStep } from '../../../examples/timeStep.ts';
import { trackedDevice } from './device.ts';

/** Runs docs/mixed-precision.md's example (examples/mixedPrecision.ts). */
export async function runMixedPrecision(): Promise<Awaited<ReturnType<typeof mixedPrecision>>> {
  const { device } = await trackedDevice();
  return mixedPrecision(device);
}

/** Runs docs/api.md's example (examples/arena.ts). */
export async function runArena(): Promise<Awaited<ReturnType<typeof arenaStep>>> {
  const { device } = await trackedDevice();
  return arenaStep(device);
}

/** Runs docs/how-it-works.md's example (examples/dispatchPaths.ts). */
export async function runDispatchPaths(): Promise<Awaited<ReturnType<typeof dispatchPaths>>> {
  const { device } = await trackedDevice();
  return dispatchPaths(device);
}

/** Runs docs/benchmark.md's example (examples/timeStep.ts) on a small arena. */
export async function runTimeStep(
  parameters: number,
  steps: number,
): Promise<Awaited<ReturnType<typeof timeAdamStep>>> {
  const { device } = await trackedDevice();
  return timeAdamStep(device, parameters, steps);
}
