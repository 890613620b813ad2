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
import { showRunState } from './runStatus.ts';
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
  const playground = createPlayground(gpu.device, canvas, showRunState);
  const playButton = byId<HTMLButtonElement>('play');
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
