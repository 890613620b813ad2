import { quickstart } from '../../../examples/quickstart.ts';
import { trackedDevice } from './device.ts';

/** Runs the README's quick start (examples/quickstart.ts) on the page's device. */
export async function runQuickstart(): Promise<number[]> {
  const { device } = await trackedDevice();
  return Array.from(await quickstart(device));
}
