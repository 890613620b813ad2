/**
 * Finds and launches a Chrome/Chromium with WebGPU enabled, for the browser tests, the example
 * and the benchmark. Discovery order: $CHROME_PATH, /usr/bin/chromium, then google-chrome.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
];

const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

export const INSTALL_HINT =
  'No Chrome or Chromium was found. Install one with `sudo apt-get update && sudo apt-get install -y chromium` ' +
  '(Debian/Ubuntu), or set CHROME_PATH to the browser binary.';

/** Returns the browser binary to use, or throws with instructions to install one. */
export function findChrome(): string {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv))
      throw new Error(`CHROME_PATH is ${fromEnv}, but no file is there. ${INSTALL_HINT}`);
    return fromEnv;
  }
  for (const c of CANDIDATES) if (existsSync(c)) return c;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of PATH_NAMES) {
      const p = join(dir, name);
      if (dir && existsSync(p)) return p;
    }
  }
  throw new Error(INSTALL_HINT);
}

/** Flags that enable WebGPU in headless Chrome (SwiftShader where there is no GPU). */
export const CHROME_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export interface LaunchedChrome {
  browser: Browser;
  close(): Promise<void>;
}

/** Launches headless Chrome with WebGPU on and a fresh profile. */
export async function launchChrome(): Promise<LaunchedChrome> {
  const executablePath = findChrome();
  const profile = mkdtempSync(join(tmpdir(), 'webgpu-optim-chrome-'));
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: [...CHROME_ARGS, `--user-data-dir=${profile}`],
    protocolTimeout: 30 * 60_000,
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
