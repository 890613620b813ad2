/**
 * Vitest side of the Node GPU suite: runs the suites of test/browser/suites in this process on
 * Dawn (the `webgpu` package), one device per test file. globalSetup.ts has found the adapter
 * and the loader environment. With no adapter the suite FAILS in CI (CI set) and is skipped,
 * with the reason in its name, elsewhere.
 */
import { create, globals } from 'webgpu';
import { afterAll, beforeAll, describe, expect, inject } from 'vitest';
import { trackedDevice, useGpu, type TrackedDevice } from '../browser/suites/device.ts';

const found = inject('nodeGpu');
const ci = Boolean(process.env.CI) && process.env.CI !== 'false';

/** Why there is no adapter, from the probes. */
const missing = `no WebGPU adapter in Node (${found.tried.join('; ')})`;

/** `describe`, or (outside CI, with no adapter) `describe.skip` with the reason in its name. */
export const describeNodeGpu: typeof describe =
  found.adapter || ci
    ? describe
    : (((name: string, fn: () => void) =>
        describe.skip(`${name} (skipped: ${missing})`, fn)) as unknown as typeof describe);

/** Fails the enclosing describe's tests when globalSetup found no adapter (in CI). */
export function requireAdapter(): void {
  beforeAll(() => {
    if (!found.adapter) throw new Error(missing);
  });
}

/**
 * Creates this file's device before the enclosing describe's tests (installing the WebGPU
 * globals the suites use) and, after them, fails if WebGPU reported an uncaptured error.
 * Returns a getter for the device.
 */
export function useNodeDevice(): () => TrackedDevice {
  let tracked: TrackedDevice | undefined;
  requireAdapter();
  beforeAll(async () => {
    Object.assign(globalThis, globals);
    useGpu(create([]));
    tracked = await trackedDevice();
  });
  afterAll(() => {
    if (!tracked) return;
    const { uncaptured, device } = tracked;
    device.destroy();
    expect(uncaptured).toEqual([]);
  });
  return () => {
    if (!tracked) throw new Error('the device was not created');
    return tracked;
  };
}
