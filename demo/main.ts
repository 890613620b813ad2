/**
 * The playground page (npm run demo): wires the controls to the surface run and draws the
 * schedules, bias-correction and auto-mpg panels. `window.__demo` lets the tests read the
 * run's state and wait for it; they drive the page through its controls.
 */
import { initAutoMpg } from './autompgPanel.ts';
import { drawBias } from './biasPanel.ts';
import { buildControls, numberInput, readSettings, setDefaultLrs } from './controls.ts';
import { requestDevice } from './device.ts';
import { createPlayground, type PlaygroundState } from './playground.ts';
import { drawSchedules, readScheduleOptions } from './schedulesPanel.ts';
import { surfaceNamed } from './surfaces.ts';
import type { Curve } from '../examples/autompg/experiment.ts';

declare global {
  interface Window {
    __ready: boolean;
    __demo: {
      state(): PlaygroundState;
      idle(): Promise<void>;
      /** The auto-mpg curves drawn now: the committed run's, or the live run's. */
      autompg(): Curve[];
    };
  }
}

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return 'diverged';
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)
    ? v.toExponential(2)
    : v.toPrecision(3);
}

async function main(): Promise<void> {
  buildControls();
  const gpu = await requestDevice();
  const backend = byId('backend');
  if (gpu.device) {
    backend.textContent = `Running on the GPU with WebGPU (${gpu.adapter}): every step below is webgpu-optim's fused kernel.`;
  } else {
    backend.classList.add('cpu');
    backend.textContent =
      `No WebGPU in this browser (${gpu.reason}). The trajectories below come from the CPU reference ` +
      '(webgpu-optim/reference, the same update rules in TypeScript), not from the GPU.';
  }
  const canvas = byId<HTMLCanvasElement>('surface-canvas');
  const stepCount = byId<HTMLOutputElement>('step-count');
  const playButton = byId<HTMLButtonElement>('play');
  const show = (s: PlaygroundState) => {
    stepCount.value = `step ${s.step}`;
    const particles = s.lines[0]?.particles ?? 1;
    byId<HTMLOutputElement>('frame-time').value = s.lastAdvance
      ? `last: ${s.lastAdvance.steps} step${s.lastAdvance.steps === 1 ? '' : 's'} × ${s.lines.length} optimizers × ${particles} particle${particles === 1 ? '' : 's'} in ${s.lastAdvance.ms.toFixed(1)} ms (${s.backend === 'webgpu' ? 'GPU' : 'CPU'}, with readback)`
      : '';
    playButton.textContent = s.playing ? 'Pause' : 'Play';
    playButton.setAttribute('aria-pressed', String(s.playing));
    s.lines.forEach((l, k) => {
      const out = byId<HTMLOutputElement>(`loss-${k}`);
      if (l.error) {
        out.value = 'not run';
        out.title = l.error;
      } else if (l.diverged > 0 && Number.isFinite(l.meanLoss)) {
        out.value = `${fmt(l.meanLoss)} (${l.diverged} lost)`;
        out.title = `${l.diverged} of ${l.particles} particles diverged (overflowed to infinity or NaN); the mean is over the others`;
      } else {
        out.value = fmt(l.meanLoss);
        out.title = '';
      }
    });
    const problems = byId('run-problems');
    problems.replaceChildren(
      ...s.problems.map((p) => Object.assign(document.createElement('li'), { textContent: p })),
    );
    problems.hidden = s.problems.length === 0;
  };
  const playground = createPlayground(gpu.device, canvas, show);
  const reset = () => {
    const settings = readSettings();
    byId('surface-lesson').textContent = settings.surface.lesson;
    return playground.reset(settings, readScheduleOptions());
  };
  const scheduleCanvas = byId<HTMLCanvasElement>('schedule-canvas');
  const scheduleLegend = byId('schedule-legend');
  const bias = () =>
    drawBias(
      byId('bias-with'),
      byId('bias-without'),
      byId('bias-legend'),
      numberInput('beta1'),
      numberInput('beta2'),
    );

  setDefaultLrs(surfaceNamed(byId<HTMLSelectElement>('surface').value));
  byId('surface').addEventListener('change', () => {
    setDefaultLrs(surfaceNamed(byId<HTMLSelectElement>('surface').value));
  });
  // Any change of the form resets the run with the new settings.
  byId('controls').addEventListener('change', () => {
    playground.pause();
    void reset();
    bias();
  });
  byId('controls').addEventListener('submit', (e) => e.preventDefault());
  byId('schedule-options').addEventListener('input', () => {
    drawSchedules(scheduleCanvas, scheduleLegend, byId('schedule-problems'));
  });
  byId('schedule-options').addEventListener('change', () => {
    playground.pause();
    void reset();
  });
  byId('schedule-options').addEventListener('submit', (e) => e.preventDefault());
  playButton.addEventListener('click', () => {
    if (playground.state().playing) playground.pause();
    else playground.play();
  });
  byId('step').addEventListener('click', () => {
    playground.pause();
    void playground.step();
  });
  byId('reset').addEventListener('click', () => {
    playground.pause();
    void reset();
  });

  const autompg = initAutoMpg(gpu.device !== null);
  drawSchedules(scheduleCanvas, scheduleLegend, byId('schedule-problems'));
  bias();
  await reset();
  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      playground.redraw();
      drawSchedules(scheduleCanvas, scheduleLegend, byId('schedule-problems'));
      bias();
      autompg.redraw();
    });
  });
  window.__demo = {
    state: () => playground.state(),
    idle: () => playground.idle(),
    autompg: () => autompg.curves(),
  };
  window.__ready = true;
}

main().catch((e: unknown) => {
  const backend = document.getElementById('backend');
  if (backend)
    backend.textContent = `The page failed to start: ${e instanceof Error ? e.message : String(e)}`;
  console.error(e);
});
