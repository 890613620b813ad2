/**
 * Vitest side of the browser suite: opens test/browser/page.html in headless Chrome with
 * WebGPU and runs named in-page suites. With no WebGPU browser the suite FAILS (openGpuPage
 * throws); WEBGPU_OPTIM_SKIP_BROWSER=1 is the only way to skip it, and .ci/run never sets it.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { openGpuPage, type GpuPage } from '../../scripts/gpuPage.ts';
import type { suites } from './suites/index.ts';

type Suites = typeof suites;

export const skipBrowser = process.env.WEBGPU_OPTIM_SKIP_BROWSER === '1';

/** `describe`, or `describe.skip` with a visible reason when WEBGPU_OPTIM_SKIP_BROWSER=1. */
export const describeGpu: typeof describe = skipBrowser
  ? (((name: string, fn: () => void) =>
      describe.skip(
        `${name} (skipped: WEBGPU_OPTIM_SKIP_BROWSER=1)`,
        fn,
      )) as unknown as typeof describe)
  : describe;

export interface TestPage extends GpuPage {
  run<K extends keyof Suites>(
    suite: K,
    ...args: Parameters<Suites[K]>
  ): Promise<Awaited<ReturnType<Suites[K]>>>;
}

/** Opens a fresh page (and so a fresh GPUDevice) for one test file. */
export async function openTestPage(): Promise<TestPage> {
  const gpu = await openGpuPage('/test/browser/page.html');
  return {
    ...gpu,
    run: (suite, ...args) =>
      gpu.page.evaluate(
        (name, a) => (window.__suites[name] as (...x: unknown[]) => Promise<unknown>)(...a),
        suite,
        args as unknown[],
      ) as never,
  };
}

/**
 * Opens a fresh page (and device) before the enclosing describe's tests and closes it after,
 * failing if WebGPU reported an uncaptured error or the page logged an error or warning.
 * Returns a getter for the page.
 */
export function useTestPage(): () => TestPage {
  let page: TestPage | undefined;
  beforeAll(async () => {
    page = await openTestPage();
  });
  afterAll(async () => {
    if (!page) return;
    const uncaptured = await page.run('uncaptured');
    await page.close();
    expect(uncaptured).toEqual([]);
    expect(page.consoleProblems).toEqual([]);
  });
  return () => {
    if (!page) throw new Error('the test page is not open');
    return page;
  };
}
