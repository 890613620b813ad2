import { check, positiveInteger, type Schedule } from './types.ts';

/**
 * Step decay (PyTorch StepLR): lr = base · gamma^floor(step / stepSize). The seed notes'
 * "step decay".
 */
export function stepDecay(options: { stepSize: number; gamma?: number }): Schedule {
  const stepSize = check(
    'stepDecay',
    'stepSize',
    options.stepSize,
    positiveInteger,
    'a positive integer',
  );
  const gamma = check('stepDecay', 'gamma', options.gamma ?? 0.1, (v) => v > 0, '> 0');
  return (step, base) => base * gamma ** Math.floor(step / stepSize);
}

/** Exponential decay (PyTorch ExponentialLR): lr = base · gamma^step. */
export function exponentialDecay(options: { gamma: number }): Schedule {
  const gamma = check('exponentialDecay', 'gamma', options.gamma, (v) => v > 0, '> 0');
  return (step, base) => base * gamma ** step;
}

/**
 * Inverse-time ("1/t") decay (Keras InverseTimeDecay):
 * lr = base / (1 + decayRate · step / decaySteps), with step / decaySteps floored when
 * `staircase`.
 */
export function inverseTimeDecay(options: {
  decayRate: number;
  decaySteps?: number;
  staircase?: boolean;
}): Schedule {
  const rate = check('inverseTimeDecay', 'decayRate', options.decayRate, (v) => v >= 0, '>= 0');
  const steps = check(
    'inverseTimeDecay',
    'decaySteps',
    options.decaySteps ?? 1,
    (v) => v > 0,
    '> 0',
  );
  const staircase = options.staircase ?? false;
  return (step, base) => {
    const p = step / steps;
    return base / (1 + rate * (staircase ? Math.floor(p) : p));
  };
}
