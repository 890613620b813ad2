/**
 * The library build loads from a plain <script type="module"> with nothing else: no bundler,
 * no fetch of WGSL at run time. Builds dist into a scratch folder, serves it with a bare static
 * server, and runs one Adam step from an inline module script.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChrome, type LaunchedChrome } from '../../scripts/browser.ts';
import { describeGpu } from './harness.ts';

const OUT = join(process.cwd(), 'node_modules', '.cache', 'webgpu-optim-bundle-test');

const PAGE = `<!doctype html><link rel="icon" href="data:,">
<script type="module">
import { Adam } from './index.js';
const adapter = await navigator.gpu.requestAdapter();
const device = await adapter.requestDevice();
device.pushErrorScope('validation');
const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const p = device.createBuffer({ size: 12, usage });
const g = device.createBuffer({ size: 12, usage });
device.queue.writeBuffer(p, 0, new Float32Array([1, 2, 3]));
device.queue.writeBuffer(g, 0, new Float32Array([0.5, -0.5, 2]));
const opt = new Adam(device, [{ buffer: p, length: 3 }], { lr: 0.1 });
opt.step([{ buffer: g, length: 3 }]);
const r = device.createBuffer({ size: 12, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
const e = device.createCommandEncoder();
e.copyBufferToBuffer(p, 0, r, 0, 12);
device.queue.submit([e.finish()]);
await r.mapAsync(GPUMapMode.READ);
window.__result = { values: Array.from(new Float32Array(r.getMappedRange())), error: (await device.popErrorScope())?.message ?? null };
</script>`;

describeGpu('the built bundle', () => {
  let server: Server;
  let chrome: LaunchedChrome;
  let url = '';
  const requests: string[] = [];
  beforeAll(async () => {
    execFileSync(
      'npx',
      ['vite', 'build', '--outDir', OUT, '--emptyOutDir', '--logLevel', 'error'],
      { stdio: 'inherit' },
    );
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
        return;
      }
      try {
        const body = readFileSync(
          join(OUT, (req.url ?? '').replace(/^\//, '').replace(/\?.*$/, '')),
        );
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    chrome = await launchChrome();
  });
  afterAll(async () => {
    await chrome?.close();
    server?.close();
    rmSync(OUT, { recursive: true, force: true });
  });

  it('runs an Adam step from a plain module script, fetching only JavaScript', async () => {
    const page = await chrome.browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto(url);
    await page.waitForFunction('window.__result !== undefined', { timeout: 60_000 });
    const result = (await page.evaluate('window.__result')) as {
      values: number[];
      error: string | null;
    };
    expect(result.error).toBeNull();
    // Adam's first step moves each element by lr · g / (|g| + eps) ≈ 0.1 · sign(g)
    expect(result.values[0]).toBeCloseTo(0.9, 5);
    expect(result.values[1]).toBeCloseTo(2.1, 5);
    expect(result.values[2]).toBeCloseTo(2.9, 5);
    expect(problems).toEqual([]);
    expect(requests.every((r) => r === '/' || r.endsWith('.js'))).toBe(true);
  });

  it('keeps TF.js out of the main entry and external in webgpu-optim/tfjs', () => {
    // Every file the main and reference entries can load: all but tfjs.js (and source maps).
    const files = readdirSync(OUT).filter((f) => f.endsWith('.js'));
    expect(files).toContain('index.js');
    expect(files).toContain('tfjs.js');
    const withTf = files.filter((f) => readFileSync(join(OUT, f), 'utf8').includes('@tensorflow/'));
    expect(withTf).toEqual(['tfjs.js']);
    const tfjs = readFileSync(join(OUT, 'tfjs.js'), 'utf8');
    expect(tfjs).toMatch(/from "@tensorflow\/tfjs-core"/);
    // not bundled: no TF.js source (its Engine class) inside
    expect(tfjs).not.toMatch(/class Engine\b/);
  });
});
