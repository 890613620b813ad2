/**
 * The surface panel's form: fills the surface, schedule and optimizer rows from the tables
 * (so labels, colours and defaults have one source), and reads it back as settings.
 */
import { LINES, type Hyper } from './lines.ts';
import { SCHEDULES, type ScheduleName } from './scheduleChoice.ts';
import { SURFACES, surfaceNamed, type LineLrs, type Surface } from './surfaces.ts';

export interface Settings {
  surface: Surface;
  lrs: LineLrs;
  visible: boolean[];
  hyper: Hyper;
  schedule: ScheduleName;
  swarm: boolean;
  /** Particles per line: 1 without swarm mode. */
  particles: number;
  stepsPerFrame: number;
}

function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}

/** The value of number input #id, clamped to its min and max; its default when empty. */
export function numberInput(id: string): number {
  const input = el<HTMLInputElement>(id);
  let v = input.valueAsNumber;
  if (!Number.isFinite(v)) v = Number(input.defaultValue);
  if (input.min !== '') v = Math.max(v, Number(input.min));
  if (input.max !== '') v = Math.min(v, Number(input.max));
  return v;
}

/** Fills the selects and the optimizer rows. */
export function buildControls(): void {
  el<HTMLSelectElement>('surface').replaceChildren(
    ...SURFACES.map((s) => new Option(s.label, s.name)),
  );
  el<HTMLSelectElement>('schedule').replaceChildren(
    ...SCHEDULES.map((s) => new Option(s.label, s.name)),
  );
  el('line-rows').replaceChildren(
    ...LINES.map((line, k) => {
      const row = document.createElement('tr');
      const show = document.createElement('label');
      const box = Object.assign(document.createElement('input'), {
        type: 'checkbox',
        id: `show-${k}`,
        checked: true,
      });
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.setProperty('--color', line.color);
      swatch.setAttribute('aria-hidden', 'true');
      show.append(box, swatch, line.name);
      const lr = Object.assign(document.createElement('input'), {
        type: 'number',
        id: `lr-${k}`,
        min: '0',
        step: 'any',
      });
      lr.setAttribute('aria-label', `lr of ${line.name}`);
      const loss = document.createElement('output');
      loss.id = `loss-${k}`;
      loss.setAttribute('aria-label', `mean loss of ${line.name}`);
      row.append(
        ...[show, lr, loss].map((c) => {
          const td = document.createElement('td');
          td.append(c);
          return td;
        }),
      );
      return row;
    }),
  );
}

/** Writes `surface`'s default lrs into the optimizer rows. */
export function setDefaultLrs(surface: Surface): void {
  LINES.forEach((line, k) => {
    el<HTMLInputElement>(`lr-${k}`).value = String(surface.lrs[line.name]);
  });
}

/** Reads the form. */
export function readSettings(): Settings {
  const surface = surfaceNamed(el<HTMLSelectElement>('surface').value);
  const swarm = el<HTMLInputElement>('swarm').checked;
  const lrs: LineLrs = {};
  LINES.forEach((line, k) => {
    const v = numberInput(`lr-${k}`);
    lrs[line.name] = Number.isFinite(v) ? v : (surface.lrs[line.name] as number);
  });
  return {
    surface,
    lrs,
    visible: LINES.map((_, k) => el<HTMLInputElement>(`show-${k}`).checked),
    hyper: {
      momentum: numberInput('momentum'),
      beta1: numberInput('beta1'),
      beta2: numberInput('beta2'),
      alpha: numberInput('alpha'),
      centered: el<HTMLInputElement>('centered').checked,
    },
    schedule: el<HTMLSelectElement>('schedule').value as ScheduleName,
    swarm,
    particles: swarm ? Math.round(numberInput('particles')) : 1,
    stepsPerFrame: Math.round(numberInput('speed')),
  };
}
