/**
 * Opens a page of this repository in headless Chrome with WebGPU, checks that WebGPU works,
 * and collects console problems. Shared by the browser tests, the example and the bench.
 */
import type { Page } from 'puppeteer-core';
import { launchChrome, type LaunchedChrome } from './browser.ts';
import { startPageServer, type PageServer } from './pageServer.ts';

export interface GpuPage {
  page: Page;
  url: string;
  /** Console errors and warnings, and uncaught page errors, in order. */
  consoleProblems: string[];
  /** Everything the page logged, in order. */
  consoleLog: string[];
  adapterInfo: Record<string, string>;
  browserVersion: string;
  close(): Promise<void>;
}

/**
 * Opens `path` (e.g. "/test/browser/page.html") and waits for `window.__ready`. Throws a clear
 * error when the browser has no WebGPU adapter.
 */
export async function openGpuPage(
  path: string,
  onLog?: (line: string) => void,
  prebundle: string[] = [],
): Promise<GpuPage> {
  let server: PageServer | null = null;
  let chrome: LaunchedChrome | null = null;
  try {
    server = await startPageServer(prebundle);
    chrome = await launchChrome();
    const page = await chrome.browser.newPage();
    const consoleProblems: string[] = [];
    const consoleLog: string[] = [];
    page.on('console', (m) => {
      const text = m.text();
      if (m.type() === 'debug' && text.startsWith('[vite]')) return;
      consoleLog.push(text);
      onLog?.(text);
      if (
        (m.type() === 'error' || m.type() === 'warn') &&
        !/favicon\.ico/.test(m.location().url ?? '')
      ) {
        consoleProblems.push(`${m.type()}: ${text}`);
      }
    });
    page.on('pageerror', (e) =>
      consoleProblems.push(`pageerror: ${e instanceof Error ? e.message : String(e)}`),
    );
    await page.goto(`${server.url}${path}`);
    const probe = await page.evaluate(async () => {
      if (!('gpu' in navigator)) return { error: 'navigator.gpu is undefined' };
      const adapter = await navigator.gpu.requestAdapter();
      if (!adapter) return { error: 'navigator.gpu.requestAdapter() returned null' };
      const i = adapter.info;
      return {
        info: {
          vendor: i.vendor,
          architecture: i.architecture,
          device: i.device,
          description: i.description,
        },
      };
    });
    if ('error' in probe) {
      throw new Error(
        `WebGPU is unavailable in ${await chrome.browser.version()}: ${probe.error}. ` +
          'Use a Chrome/Chromium with WebGPU (Chrome 113+; headless needs --enable-unsafe-webgpu).',
      );
    }
    await page.waitForFunction('window.__ready === true', { timeout: 120_000 });
    const s = server;
    const c = chrome;
    return {
      page,
      url: server.url,
      consoleProblems,
      consoleLog,
      adapterInfo: probe.info,
      browserVersion: await chrome.browser.version(),
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
