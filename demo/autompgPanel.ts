/**
 * The auto-mpg panel: loss against epoch for each optimizer of the seed notes' comparison
 * (examples/autompg/), first from the committed run, then, on request, from a live run.
 */
import { LINES } from './lines.ts';
import { fillLegend } from './legend.ts';
import { drawLineChart } from './lineChart.ts';
import { COMMITTED, committedCurves } from './autompgProblem.ts';
import type { Curve } from '../examples/autompg/experiment.ts';

/** The same colour for an optimizer here as on the surfaces (AdaGrad is "Adagrad" there). */
function colorOf(name: string): string {
  return LINES.find((l) => l.name.toLowerCase() === name.toLowerCase())?.color ?? '#777';
}

export function drawAutoMpg(
  canvas: HTMLCanvasElement,
  legend: HTMLElement,
  curves: readonly Curve[],
): void {
  const series = curves.map((c) => ({
    name: c.name,
    color: colorOf(c.name),
    points: c.losses.map((v, e) => [e + 1, v] as const),
  }));
  drawLineChart(canvas, { series, xLabel: 'epoch', yLabel: 'MSE (log scale)', logY: true });
  fillLegend(legend, series);
}

/** Shows the committed run and wires the live-run button; `curves` returns what is drawn. */
export function initAutoMpg(gpu: boolean): { redraw(): void; curves(): Curve[] } {
  const canvas = document.getElementById('autompg-canvas') as HTMLCanvasElement;
  const legend = document.getElementById('autompg-legend') as HTMLElement;
  const text = document.getElementById('autompg-text') as HTMLElement;
  const button = document.getElementById('autompg-run') as HTMLButtonElement;
  const status = document.getElementById('autompg-status') as HTMLOutputElement;
  let curves: Curve[] = committedCurves();
  text.textContent =
    `Linear regression of MPG on three standardised inputs, batches of ${COMMITTED.batchSize}, lr 0.001, ` +
    `${COMMITTED.epochs} epochs: the run committed in examples/results/autompg.json (TF.js gradients on ` +
    `WebGPU, webgpu-optim's steps; ${COMMITTED.environment.adapter}).`;
  const redraw = () => drawAutoMpg(canvas, legend, curves);
  redraw();
  button.textContent = gpu
    ? 'Run 50 epochs live (TF.js gradients, webgpu-optim steps)'
    : 'Run 50 epochs live (CPU reference)';
  button.addEventListener('click', () => {
    button.disabled = true;
    status.value = 'running…';
    const live: Curve[] = [];
    import('./autompgLive.ts')
      .then(({ runLive }) =>
        runLive(50, gpu, (c) => {
          live.push(c);
          curves = [...live];
          status.value = `${c.name} done`;
          redraw();
        }),
      )
      .then(() => {
        status.value = `live run: 50 epochs on ${gpu ? 'the GPU' : 'the CPU reference'}`;
      })
      .catch((e: unknown) => {
        status.value = `live run failed: ${e instanceof Error ? e.message : String(e)}`;
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  return { redraw, curves: () => curves.map((c) => ({ ...c, losses: [...c.losses] })) };
}
