/**
 * The playground page (npm run demo, demo/index.html) in headless Chrome, driven through its
 * controls: it loads with no console error, every canvas draws, the legend's colours are the
 * trajectories' colours, Step/Play/Pause/Reset move the step counter, the GPU swarm's particles
 * fall on the quadratic, its trajectories are the CPU reference's, and without WebGPU the page
 * says so and runs the CPU reference. Saves demo/screenshot.png (1280 wide, the README shows
 * it) and demo/screenshot-phone.png (390 wide, no WebGPU).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { openDemoPage, type DemoPage } from '../../scripts/demoPage.ts';
import { cpuSwarm } from '../../demo/cpuSwarm.ts';
import { DEFAULT_HYPER, LINES } from '../../demo/lines.ts';
import { DEFAULT_SCHEDULE_OPTIONS, makeSchedule } from '../../demo/scheduleChoice.ts';
import { SURFACES } from '../../demo/surfaces.ts';
import type { PlaygroundState } from '../../demo/playground.ts';
import { COMMITTED } from '../../demo/autompgProblem.ts';
import { describeGpu } from './harness.ts';

const state = (page: Page): Promise<PlaygroundState> =>
  page.evaluate(async () => {
    await window.__demo.idle();
    return window.__demo.state();
  });

/** Types `value` into number input #id and commits it (Tab), as a user does. */
async function typeNumber(page: Page, id: string, value: number): Promise<void> {
  // Select the old text as Ctrl+A would. A triple click under load can arrive as single clicks
  // (a CI run typed 20 after "10" of 100 left by one Backspace: 1020, clamped to 100).
  await page.focus(`#${id}`);
  await page.$eval(`#${id}`, (el) => (el as HTMLInputElement).select());
  await page.keyboard.press('Backspace');
  await page.type(`#${id}`, String(value));
  await page.keyboard.press('Tab');
  expect(await page.$eval(`#${id}`, (el) => (el as HTMLInputElement).value)).toBe(String(value));
  await state(page);
}

async function clickAndSettle(page: Page, selector: string): Promise<void> {
  await page.click(selector);
  await state(page);
}

/**
 * Per canvas: its id, how many of its pixels differ from its top-left pixel, and how many
 * distinct colours it holds. A blank canvas has 0 and 1.
 */
function canvasInk(page: Page) {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('canvas')).map((c) => {
      // Read a copy (a canvas made to be read): reading the page's canvases back
      // repeatedly makes Chrome warn.
      const copy = document.createElement('canvas');
      copy.width = c.width;
      copy.height = c.height;
      const ctx = copy.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
      ctx.drawImage(c, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let differ = 0;
      const colours = new Set<number>();
      for (let i = 0; i < d.length; i += 4) {
        const rgba =
          ((d[i] as number) << 24) |
          ((d[i + 1] as number) << 16) |
          ((d[i + 2] as number) << 8) |
          (d[i + 3] as number);
        colours.add(rgba);
        if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2] || d[i + 3] !== d[3]) differ++;
      }
      return { id: c.id, pixels: c.width * c.height, differ, colours: colours.size };
    }),
  );
}

/** Pixels of the surface canvas whose colour is exactly `hex`. */
function pixelsOfColour(page: Page, hex: string) {
  return page.evaluate((h) => {
    const c = document.getElementById('surface-canvas') as HTMLCanvasElement;
    // Read a copy (a canvas made to be read): reading the page's canvases back
    // repeatedly makes Chrome warn.
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
    ctx.drawImage(c, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] === r && d[i + 1] === g && d[i + 2] === b) n++;
    return n;
  }, hex);
}

function expectAllCanvasesDraw(ink: Awaited<ReturnType<typeof canvasInk>>): void {
  expect(ink.map((c) => c.id)).toEqual([
    'surface-canvas',
    'schedule-canvas',
    'bias-with',
    'bias-without',
    'autompg-canvas',
  ]);
  for (const c of ink) {
    // Axes, a frame and at least one line: well over 1% of the pixels, in several colours.
    expect(c.differ / c.pixels, c.id).toBeGreaterThan(0.01);
    expect(c.colours, c.id).toBeGreaterThan(3);
  }
}

describeGpu('the playground page with WebGPU (1280×800)', () => {
  let demo: DemoPage;
  let page: Page;
  beforeAll(async () => {
    demo = await openDemoPage({ webgpu: true, width: 1280, height: 800 });
    page = demo.page;
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('runs on the GPU and says so', async () => {
    expect((await state(page)).backend).toBe('webgpu');
    expect(await page.$eval('#backend', (e) => e.textContent)).toContain(
      'Running on the GPU with WebGPU',
    );
  });

  it('draws every canvas', async () => {
    expectAllCanvasesDraw(await canvasInk(page));
  });

  it('shows each optimizer in its legend colour on the plot', async () => {
    for (const [k, line] of LINES.entries()) {
      const swatch = await page.$eval(
        `#line-rows tr:nth-child(${k + 1}) .swatch`,
        (e) => getComputedStyle(e).backgroundColor,
      );
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(line.color.slice(i, i + 2), 16));
      expect(swatch, line.name).toBe(`rgb(${r}, ${g}, ${b})`);
    }
    // Show one line at a time: its end marker (a filled disc) is drawn in its colour.
    for (const [k] of LINES.entries()) await clickAndSettle(page, `#show-${k}`);
    for (const [k, line] of LINES.entries()) {
      await clickAndSettle(page, `#show-${k}`);
      expect(await pixelsOfColour(page, line.color), line.name).toBeGreaterThan(20);
      await clickAndSettle(page, `#show-${k}`);
    }
    for (const [k] of LINES.entries()) await clickAndSettle(page, `#show-${k}`);
    expect((await state(page)).lines.every((l) => l.visible)).toBe(true);
  });

  it('Step, Play, Pause and Reset drive the step counter', async () => {
    await typeNumber(page, 'speed', 3);
    await clickAndSettle(page, '#step');
    await clickAndSettle(page, '#step');
    expect((await state(page)).step).toBe(6);
    expect(await page.$eval('#step-count', (e) => e.textContent)).toBe('step 6');
    expect(await page.$eval('#frame-time', (e) => e.textContent)).toMatch(
      /^last: 3 steps × 6 optimizers × 1 particle in \d+\.\d ms \(GPU, with readback\)$/,
    );
    await page.click('#play');
    await page.waitForFunction(() => window.__demo.state().step >= 30, { timeout: 60_000 });
    expect(await page.$eval('#play', (e) => e.getAttribute('aria-pressed'))).toBe('true');
    await clickAndSettle(page, '#play');
    const paused = (await state(page)).step;
    expect(paused % 3).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect((await state(page)).step).toBe(paused);
    expect(await page.$eval('#play', (e) => e.textContent)).toBe('Play');
    await clickAndSettle(page, '#reset');
    expect((await state(page)).step).toBe(0);
  });

  // 50 steps at the quadratic's default lrs (Adam 0.3, Momentum 0.1 with μ 0.9) from 4096
  // starts: particle 0 at (-7, 2), the rest uniform over [-10, 10] × [-5, 5] (mean loss 10.46).
  // Measured on SwiftShader: Adam's mean loss falls to 0.0254 (412-fold), Momentum's to 0.0078
  // (1340-fold). The test asks for a 100-fold fall of each.
  it('swarm mode: after 50 steps on the quadratic the Adam and Momentum particles’ mean loss falls 100-fold', async () => {
    await page.select('#surface', 'quadratic');
    await clickAndSettle(page, '#swarm');
    await typeNumber(page, 'speed', 10);
    const before = await state(page);
    // Count what a Step click sends to the GPU: per step and line, one dispatch of the
    // gradient kernel and one of the optimizer (all 4096 particles are one tensor), all in one
    // submitted command buffer (the optimizers' step rings submit small fence readbacks of
    // their own, which are not counted here).
    await page.evaluate(`(() => {
      const counts = (window.__gpuCounts = { dispatches: 0, advanceSubmits: 0 });
      const pass = GPUComputePassEncoder.prototype;
      const dispatch = pass.dispatchWorkgroups;
      pass.dispatchWorkgroups = function (...a) { counts.dispatches++; return dispatch.apply(this, a); };
      const queue = GPUQueue.prototype;
      const submit = queue.submit;
      queue.submit = function (buffers) {
        for (const b of buffers) if (b.label === 'webgpu-optim-demo/advance') counts.advanceSubmits++;
        return submit.call(this, buffers);
      };
    })()`);
    await clickAndSettle(page, '#step');
    expect(await page.evaluate('window.__gpuCounts')).toEqual({
      dispatches: 10 * LINES.length * 2,
      advanceSubmits: 1,
    });
    for (let i = 0; i < 4; i++) await clickAndSettle(page, '#step');
    const after = await state(page);
    expect(after.step).toBe(50);
    for (const name of ['Adam', 'Momentum']) {
      const b = before.lines.find((l) => l.name === name);
      const a = after.lines.find((l) => l.name === name);
      expect(b?.particles).toBe(4096);
      expect(b?.meanLoss).toBeGreaterThan(9);
      expect(a?.diverged).toBe(0);
      expect(a?.meanLoss, name).toBeLessThan((b?.meanLoss as number) / 100);
    }
    expectAllCanvasesDraw(await canvasInk(page));
    // The README's picture: 20 steps, while the swarm is still spread out.
    await clickAndSettle(page, '#reset');
    for (let i = 0; i < 2; i++) await clickAndSettle(page, '#step');
    expect((await state(page)).step).toBe(20);
    await page.screenshot({ path: 'demo/screenshot.png', fullPage: true });
  });

  it('fits 1280 pixels: nothing scrolls sideways', async () => {
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      1280,
    );
  });

  it.each(SURFACES.map((s) => [s.name, s] as const))(
    '%s: particle 0 of every line follows the CPU reference (bitwise for 40 steps on SwiftShader)',
    async (name, surface) => {
      await page.select('#surface', name);
      await typeNumber(page, 'speed', 20);
      for (let i = 0; i < 2; i++) await clickAndSettle(page, '#step');
      const gpu = await state(page);
      expect(gpu.step).toBe(40);
      const cpu = cpuSwarm({
        surface,
        lines: LINES,
        lrs: surface.lrs,
        hyper: DEFAULT_HYPER,
        schedule: (_t, base) => base,
        particles: 1,
        seed: 1,
      });
      const frame = await cpu.advance(40);
      // SwiftShader's f32 arithmetic is correctly rounded and unfused, as the reference's is:
      // the whole trajectory must agree bit for bit there. A GPU may fuse a multiply-add in
      // the gradient kernel or divide within 2.5 ULP (WGSL's accuracy rules), and the
      // surfaces' curvature amplifies such differences step after step, so elsewhere only the
      // first step is held, to 64 ULP of the largest coordinate (the parity suite's 32 ULP per
      // step, twice, for the gradient kernel in front of it).
      const exact = /swiftshader/i.test((await page.$eval('#backend', (e) => e.textContent)) ?? '');
      for (const [k, line] of LINES.entries()) {
        const expected = [...surface.start.map(Math.fround), ...(frame.path[k] as Float32Array)];
        const actual = gpu.lines[k]?.path ?? [];
        expect(actual).toHaveLength(expected.length);
        if (exact) {
          const firstDiff = expected.findIndex((v, i) => !Object.is(v, actual[i]));
          expect(
            firstDiff,
            `${name}/${line.name}: first difference at ${firstDiff}: ${expected[firstDiff]} vs ${actual[firstDiff]}`,
          ).toBe(-1);
        } else {
          const scale = Math.max(...expected.slice(0, 4).map(Math.abs));
          const ulp = 2 ** (Math.floor(Math.log2(scale)) - 23);
          for (const i of [2, 3]) {
            expect(
              Math.abs((actual[i] as number) - (expected[i] as number)) / ulp,
              `${name}/${line.name}[${i}]`,
            ).toBeLessThanOrEqual(64);
          }
        }
      }
    },
  );

  it('frees what a run made when it resets: the live GPU buffers stay the same over resets', async () => {
    await page.evaluate(`(() => {
      const live = (window.__liveBuffers = new Set());
      const device = GPUDevice.prototype;
      const create = device.createBuffer;
      device.createBuffer = function (d) {
        const b = create.call(this, d);
        live.add(b);
        return b;
      };
      const buffer = GPUBuffer.prototype;
      const destroy = buffer.destroy;
      buffer.destroy = function () {
        live.delete(this);
        return destroy.call(this);
      };
    })()`);
    const liveAfterRun = async () => {
      await clickAndSettle(page, '#reset');
      await clickAndSettle(page, '#step');
      await clickAndSettle(page, '#step');
      // The optimizers' step rings grow by how many recorded steps were confirmed when the
      // next were recorded, which depends on timing; their buffers are left out of the count.
      return page.evaluate(
        '[...window.__liveBuffers].filter((b) => !b.label.includes("/ring-")).length',
      ) as Promise<number>;
    };
    const first = await liveAfterRun();
    // each line: params, grads and the optimizer's state; the two readbacks
    expect(first).toBeGreaterThanOrEqual(3 * LINES.length + 2);
    for (let i = 0; i < 3; i++) expect(await liveAfterRun()).toBe(first);
  });

  it('hyperparameter, lr and schedule controls reach the GPU optimizers', async () => {
    await page.select('#surface', 'quadratic');
    await typeNumber(page, 'momentum', 0.5);
    await typeNumber(page, 'beta1', 0.8);
    await typeNumber(page, 'beta2', 0.99);
    await typeNumber(page, 'alpha', 0.9);
    await clickAndSettle(page, '#centered');
    await typeNumber(page, 'lr-5', 0.2); // Adam
    await typeNumber(page, 'stepSize', 4);
    await typeNumber(page, 'stepGamma', 0.25);
    await page.select('#schedule', 'step');
    await typeNumber(page, 'speed', 12);
    await clickAndSettle(page, '#step');
    const gpu = await state(page);
    expect(gpu.step).toBe(12);
    const surface = SURFACES[0] as (typeof SURFACES)[number];
    const cpu = cpuSwarm({
      surface,
      lines: LINES,
      lrs: { ...surface.lrs, Adam: 0.2 },
      hyper: { momentum: 0.5, beta1: 0.8, beta2: 0.99, alpha: 0.9, centered: true },
      schedule: makeSchedule('step', { ...DEFAULT_SCHEDULE_OPTIONS, stepSize: 4, stepGamma: 0.25 }),
      particles: 1,
      seed: 1,
    });
    const frame = await cpu.advance(12);
    const exact = /swiftshader/i.test((await page.$eval('#backend', (e) => e.textContent)) ?? '');
    for (const [k, line] of LINES.entries()) {
      const expected = [...surface.start.map(Math.fround), ...(frame.path[k] as Float32Array)];
      const actual = gpu.lines[k]?.path ?? [];
      if (exact) expect(actual, line.name).toEqual(expected);
      else expect(actual[2], line.name).toBeCloseTo(expected[2] as number, 4);
    }
    // μ = 0: the Nesterov line's optimizer rejects it, as PyTorch's does; the page says so
    // and runs the other lines.
    await typeNumber(page, 'momentum', 0);
    const rejected = await state(page);
    expect(rejected.lines[2]?.error).toContain('Nesterov momentum requires a momentum > 0');
    expect(await page.$eval('#loss-2', (e) => e.textContent)).toBe('not run');
    expect(await page.$eval('#run-problems', (e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await page.$eval('#run-problems', (e) => e.textContent)).toContain(
      'Nesterov does not run: SGD: Nesterov momentum requires a momentum > 0',
    );
    // And μ = 0 at SGD's lr makes the Momentum line SGD (PyTorch's update with momentum 0 is
    // g itself), bit for bit on any adapter, since it is the same kernel.
    await typeNumber(page, 'lr-1', 0.9);
    await clickAndSettle(page, '#step');
    const same = await state(page);
    expect(same.lines[0]?.path).toHaveLength(2 * 13);
    expect(same.lines[1]?.path).toEqual(same.lines[0]?.path);
    expect(same.lines[2]?.path).toEqual(surface.start);
    // A schedule option out of range: the schedules panel and the run say so.
    await typeNumber(page, 'stepGamma', 0);
    expect(await page.$eval('#schedule-problems', (e) => e.textContent)).toBe(
      'step decay: stepDecay: gamma must be a finite number > 0, got 0',
    );
    expect((await state(page)).problems).toContain(
      'Schedule: stepDecay: gamma must be a finite number > 0, got 0',
    );
    await typeNumber(page, 'stepGamma', 0.5);
    expect(await page.$eval('#schedule-problems', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect((await state(page)).problems).toEqual(
      expect.arrayContaining([expect.stringContaining('Nesterov does not run')]),
    );
  });

  it('logged no console error or warning', () => {
    expect(demo.consoleProblems).toEqual([]);
  });
});

describe('the playground page without WebGPU (phone width, 390×844)', () => {
  let demo: DemoPage;
  let page: Page;
  beforeAll(async () => {
    demo = await openDemoPage({ webgpu: false, width: 390, height: 844 });
    page = demo.page;
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('says plainly that it shows the CPU reference, and runs it', async () => {
    const text = await page.$eval('#backend', (e) => e.textContent);
    expect(text).toContain('No WebGPU in this browser');
    expect(text).toContain('CPU reference');
    expect((await state(page)).backend).toBe('cpu');
    await clickAndSettle(page, '#swarm');
    await typeNumber(page, 'speed', 10);
    for (let i = 0; i < 3; i++) await clickAndSettle(page, '#step');
    const s = await state(page);
    expect(s.step).toBe(30);
    for (const l of s.lines) expect(l.meanLoss, l.name).toBeLessThan(l.initialMeanLoss);
    expectAllCanvasesDraw(await canvasInk(page));
    await page.screenshot({ path: 'demo/screenshot-phone.png', fullPage: true });
  });

  it('shows the committed auto-mpg run, and its live button reruns the CPU run of the example', async () => {
    const committed = await page.evaluate(() => window.__demo.autompg());
    expect(committed.map((c) => c.name)).toEqual(COMMITTED.optimizers.map((o) => o.name));
    expect(committed.map((c) => c.losses)).toEqual(COMMITTED.optimizers.map((o) => o.losses));
    expect(await page.$eval('#autompg-run', (e) => e.textContent)).toContain('CPU reference');
    await page.click('#autompg-run');
    await page.waitForFunction(
      () =>
        (document.getElementById('autompg-status') as HTMLOutputElement).value.startsWith(
          'live run',
        ),
      { timeout: 60_000 },
    );
    expect(await page.$eval('#autompg-status', (e) => (e as HTMLOutputElement).value)).toBe(
      'live run: 50 epochs on the CPU reference',
    );
    // The committed file's `reference` curves are examples/autompg/cpu.ts's 1000-epoch run;
    // the same deterministic run's first 50 epochs must be them, bit for bit.
    const live = await page.evaluate(() => window.__demo.autompg());
    expect(live.map((c) => c.losses)).toEqual(
      COMMITTED.optimizers.map((o) => o.reference.slice(0, 50)),
    );
    expect(await page.$$eval('#autompg-legend li', (l) => l.length)).toBe(5);
  });

  it('fits the phone width: nothing scrolls sideways', async () => {
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
  });

  it('logged no console error or warning', () => {
    expect(demo.consoleProblems).toEqual([]);
  });
});
