/**
 * The bias-correction panel: Adam's first 20 steps on one parameter whose gradient is always
 * 1, with PyTorch's bias correction and without it. Both runs use webgpu-optim/reference's
 * Adam kernel (adamKernel, the GPU kernel's CPU twin); the run "without" passes it the
 * step-1 scalars with both corrections set to 1 (step_size = lr, bias_correction2 = 1), which
 * no option of the package offers.
 *
 * Plotted per step: the first moment the update uses (m̂ or m), the square root of the second
 * (√v̂ or √v), and the step taken, |Δθ| / lr. With a constant gradient the true moments are 1,
 * so with the correction every step is lr; without it the first steps are not.
 */
import { adamKernel, adamScalars, type AdamScalars } from 'webgpu-optim/reference';
import { fillLegend } from './legend.ts';
import { drawLineChart, type Series } from './lineChart.ts';

export const BIAS_STEPS = 20;
const LR = 0.01;

export interface BiasRun {
  firstMoment: number[];
  secondMomentRoot: number[];
  stepOverLr: number[];
}

/** Adam's first BIAS_STEPS steps with gradient 1, with or without bias correction. */
export function biasRun(beta1: number, beta2: number, corrected: boolean): BiasRun {
  const param = Float32Array.of(0);
  const grad = Float32Array.of(1);
  const m = Float32Array.of(0);
  const v = Float32Array.of(0);
  const flags = { maximize: false, amsgrad: false, decoupled: false, epsInsideSqrt: false };
  const out: BiasRun = { firstMoment: [], secondMomentRoot: [], stepOverLr: [] };
  for (let t = 1; t <= BIAS_STEPS; t++) {
    const o = {
      lr: LR,
      betas: [beta1, beta2] as [number, number],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
      epsInsideSqrt: false,
    };
    const u: AdamScalars = adamScalars(o, t);
    const scalars = corrected
      ? u
      : { ...u, step_size: LR, bias_correction2: 1, bias_correction2_sqrt: 1 };
    const before = param[0] as number;
    adamKernel(param, grad, m, v, undefined, scalars, flags);
    const c1 = corrected ? 1 - beta1 ** t : 1;
    const c2 = corrected ? 1 - beta2 ** t : 1;
    out.firstMoment.push((m[0] as number) / c1);
    out.secondMomentRoot.push(Math.sqrt((v[0] as number) / c2));
    out.stepOverLr.push(Math.abs((param[0] as number) - before) / LR);
  }
  return out;
}

const COLORS = { m: '#0072b2', v: '#e69f00', step: '#000000' };

function series(run: BiasRun, corrected: boolean): Series[] {
  const pts = (ys: number[]) => ys.map((y, i) => [i + 1, y] as const);
  // Widest first: with the correction all three are 1 and lie on top of each other.
  return [
    { name: '|Δθ| / lr (step taken)', color: COLORS.step, points: pts(run.stepOverLr), width: 7 },
    {
      name: corrected ? '√v̂ (second moment used)' : '√v (second moment used)',
      color: COLORS.v,
      points: pts(run.secondMomentRoot),
      width: 4,
    },
    {
      name: corrected ? 'm̂ (first moment used)' : 'm (first moment used)',
      color: COLORS.m,
      points: pts(run.firstMoment),
      dashed: true,
    },
  ];
}

/** Draws both charts on one y scale, so that the two sides compare at a glance. */
export function drawBias(
  withCanvas: HTMLCanvasElement,
  withoutCanvas: HTMLCanvasElement,
  legend: HTMLElement,
  beta1: number,
  beta2: number,
): void {
  const a = series(biasRun(beta1, beta2, true), true);
  const b = series(biasRun(beta1, beta2, false), false);
  const top =
    Math.max(
      1.1,
      ...[...a, ...b].flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite),
    ) * 1.05;
  drawLineChart(withCanvas, { series: a, xLabel: 'step', yLabel: 'value', yRange: [0, top] });
  drawLineChart(withoutCanvas, { series: b, xLabel: 'step', yLabel: 'value', yRange: [0, top] });
  fillLegend(legend, [
    { name: 'first moment (m̂ with, m without)', color: COLORS.m, dashed: true },
    { name: '√ second moment (√v̂ with, √v without)', color: COLORS.v },
    { name: '|Δθ| / lr: the step taken', color: COLORS.step },
  ]);
}
