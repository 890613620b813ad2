import { check, positiveInteger, type Schedule } from './types.ts';

export interface OneCycleOptions {
  maxLr: number;
  totalSteps: number;
  /** Fraction of the cycle spent increasing the lr (default 0.3). */
  pctStart?: number;
  anneal?: 'cos' | 'linear';
  /** initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** min lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, down to the initial lr, down to the min) instead of two. */
  threePhase?: boolean;
}

/**
 * One-cycle (PyTorch OneCycleLR, Smith and Topin 2018), with PyTorch's phase boundaries:
 * warm up from maxLr/divFactor to maxLr until step pctStart·totalSteps − 1, then anneal to
 * maxLr/(divFactor·finalDivFactor) at step totalSteps − 1. The base lr is not used (OneCycleLR
 * overwrites it). Steps past totalSteps are an error, as in PyTorch.
 */
export function oneCycle(options: OneCycleOptions): Schedule {
  const where = 'oneCycle';
  const maxLr = check(where, 'maxLr', options.maxLr, (v) => v > 0, '> 0');
  const total = check(
    where,
    'totalSteps',
    options.totalSteps,
    positiveInteger,
    'a positive integer',
  );
  const pct = check(where, 'pctStart', options.pctStart ?? 0.3, (v) => v > 0 && v < 1, 'in (0, 1)');
  const div = check(where, 'divFactor', options.divFactor ?? 25, (v) => v > 0, '> 0');
  const finalDiv = check(
    where,
    'finalDivFactor',
    options.finalDivFactor ?? 1e4,
    (v) => v > 0,
    '> 0',
  );
  const anneal = options.anneal ?? 'cos';
  if (anneal !== 'cos' && anneal !== 'linear') {
    throw new RangeError(`${where}: anneal must be 'cos' or 'linear', got ${String(anneal)}`);
  }
  const initial = maxLr / div;
  const min = initial / finalDiv;
  const phases = options.threePhase
    ? [
        { end: pct * total - 1, from: initial, to: maxLr },
        { end: 2 * pct * total - 2, from: maxLr, to: initial },
        { end: total - 1, from: initial, to: min },
      ]
    : [
        { end: pct * total - 1, from: initial, to: maxLr },
        { end: total - 1, from: maxLr, to: min },
      ];
  const curve =
    anneal === 'cos'
      ? (a: number, b: number, p: number) => b + ((a - b) / 2) * (Math.cos(Math.PI * p) + 1)
      : (a: number, b: number, p: number) => (b - a) * p + a;
  return (step) => {
    if (step > total) {
      throw new RangeError(`${where}: step ${step} is past totalSteps = ${total}`);
    }
    let start = 0;
    for (const [i, ph] of phases.entries()) {
      if (step <= ph.end || i === phases.length - 1) {
        return curve(ph.from, ph.to, (step - start) / (ph.end - start));
      }
      start = ph.end;
    }
    return min;
  };
}
