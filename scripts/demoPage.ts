/**
 * Opens the playground (demo/index.html) in headless Chrome, with WebGPU or with
 * `navigator.gpu` removed (to see the page's CPU fallback), collecting console problems.
 * Used by test/browser/demo.test.ts.
 */
import type { Page } from 'puppeteer-core';
import { launchChrome, type LaunchedChrome } from './browser.ts';
import { TFJS_PREBUNDLE } from './exampleAutompg.ts';
import { startPageServer, type PageServer } from './pageServer.ts';

/** npm packages the page imports that Vite must pre-bundle: TF.js, for the live auto-mpg run. */
export const DEMO_PREBUNDLE = TFJS_PREBUNDLE;

export interface DemoPage {
  page: Page;
  /** Console errors and warnings, and uncaught page errors, in order. */
  consoleProblems: string[];
  close(): Promise<void>;
}

export interface DemoPageOptions {
  /** false: hide WebGPU from the page before its scripts run. */
  webgpu: boolean;
  width: number;
  height: number;
}

export async function openDemoPage(o: DemoPageOptions): Promise<DemoPage> {
  let server: PageServer | null = null;
  let chrome: LaunchedChrome | null = null;
  try {
    server = await startPageServer(DEMO_PREBUNDLE);
    chrome = await launchChrome();
    const page = await chrome.browser.newPage();
    await page.setViewport({ width: o.width, height: o.height });
    if (!o.webgpu) {
      // A string, not a function: the test runner's transform may add helpers a page lacks.
      await page.evaluateOnNewDocument(
        "Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined });",
      );
    }
    const consoleProblems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn')
        consoleProblems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) =>
      consoleProblems.push(`pageerror: ${e instanceof Error ? e.message : String(e)}`),
    );
    await page.goto(`${server.url}/demo/index.html`);
    await page.waitForFunction('window.__ready === true', { timeout: 120_000 });
    const s = server;
    const c = chrome;
    return {
      page,
      consoleProblems,
      async close() {
        await c.close();
        await s.close();
      },
    };
  } catch (e) {
    await chrome?.close();
    await server?.close();
    throw e;
  }
}
