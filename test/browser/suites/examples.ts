import { mixedPrecision } from '../../../examples/mixedPrecision.ts';
import { trackedDevice } from './device.ts';

/** Runs the README's mixed-precision example (examples/mixedPrecision.ts). */
export async function runMixedPrecision(): Promise<Awaited<ReturnType<typeof mixedPrecision>>> {
  const { device } = await trackedDevice();
  return mixedPrecision(device);
}
