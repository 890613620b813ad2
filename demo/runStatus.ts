/**
 * Writes the run's state into the page: the step counter, the last frame's timing, the Play
 * button, each line's mean loss in the legend table, and what keeps lines from running.
 */
import type { PlaygroundState } from './playground.ts';

function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}

/** A loss for the legend table: 3 significant digits, exponent form when far from 1. */
export function formatLoss(v: number): string {
  if (!Number.isFinite(v)) return 'diverged';
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)
    ? v.toExponential(2)
    : v.toPrecision(3);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function showRunState(s: PlaygroundState): void {
  byId<HTMLOutputElement>('step-count').value = `step ${s.step}`;
  const particles = s.lines[0]?.particles ?? 1;
  byId<HTMLOutputElement>('frame-time').value = s.lastAdvance
    ? `last: ${plural(s.lastAdvance.steps, 'step')} × ${s.lines.length} optimizers × ` +
      `${plural(particles, 'particle')} in ${s.lastAdvance.ms.toFixed(1)} ms ` +
      `(${s.backend === 'webgpu' ? 'GPU' : 'CPU'}, with readback)`
    : '';
  const play = byId<HTMLButtonElement>('play');
  play.textContent = s.playing ? 'Pause' : 'Play';
  play.setAttribute('aria-pressed', String(s.playing));
  s.lines.forEach((l, k) => {
    const out = byId<HTMLOutputElement>(`loss-${k}`);
    if (l.error) {
      out.value = 'not run';
      out.title = l.error;
    } else if (l.diverged > 0 && Number.isFinite(l.meanLoss)) {
      out.value = `${formatLoss(l.meanLoss)} (${l.diverged} lost)`;
      out.title =
        `${l.diverged} of ${l.particles} particles diverged (overflowed to infinity or NaN); ` +
        'the mean is over the others';
    } else {
      out.value = formatLoss(l.meanLoss);
      out.title = '';
    }
  });
  const problems = byId('run-problems');
  problems.replaceChildren(
    ...s.problems.map((p) => Object.assign(document.createElement('li'), { textContent: p })),
  );
  problems.hidden = s.problems.length === 0;
}
