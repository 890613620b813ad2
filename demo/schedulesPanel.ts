/** The schedules panel: lr against step for every schedule, with its options editable. */
import { numberInput } from './controls.ts';
import { fillLegend } from './legend.ts';
import { drawLineChart } from './lineChart.ts';
import { SCHEDULES, makeSchedule, type ScheduleOptions } from './scheduleChoice.ts';
import { attempt } from './swarm.ts';

/** The schedule options as the panel's form holds them. */
export function readScheduleOptions(): ScheduleOptions {
  return {
    stepSize: Math.round(numberInput('stepSize')),
    stepGamma: numberInput('stepGamma'),
    expGamma: numberInput('expGamma'),
    decayRate: numberInput('decayRate'),
    tMax: Math.round(numberInput('tMax')),
  };
}

/**
 * Draws the schedules' lr curves from base lr 1 over the plotted steps. A schedule whose
 * options it rejects is left out, and `problems` says why.
 */
export function drawSchedules(
  canvas: HTMLCanvasElement,
  legend: HTMLElement,
  problems: HTMLElement,
): void {
  const o = readScheduleOptions();
  const steps = Math.round(numberInput('scheduleSteps'));
  const errors: string[] = [];
  const series = SCHEDULES.flatMap((s) => {
    const made = attempt(() => makeSchedule(s.name, o));
    if (!made.value) {
      errors.push(`${s.label}: ${made.error}`);
      return [];
    }
    const schedule = made.value;
    const points: [number, number][] = [];
    for (let t = 0; t <= steps; t++) points.push([t, schedule(t, 1)]);
    return [{ name: s.label, color: s.color, points }];
  });
  drawLineChart(canvas, { series, xLabel: 'step', yLabel: 'lr / base lr', yRange: [0, 1.05] });
  fillLegend(legend, series);
  problems.replaceChildren(
    ...errors.map((e) => Object.assign(document.createElement('li'), { textContent: e })),
  );
  problems.hidden = errors.length === 0;
}
