import { check, positiveInteger, type Schedule } from './types.ts';

/**
 * Cosine annealing (PyTorch CosineAnnealingLR's closed form):
 * lr = etaMin + (base − etaMin) · (1 + cos(π · step / tMax)) / 2. `etaMin` is an absolute lr
 * (default 0). Past tMax the cosine continues, as PyTorch's closed form does.
 */
export function cosineAnnealing(options: { tMax: number; etaMin?: number }): Schedule {
  const tMax = check(
    'cosineAnnealing',
    'tMax',
    options.tMax,
    positiveInteger,
    'a positive integer',
  );
  const etaMin = check('cosineAnnealing', 'etaMin', options.etaMin ?? 0, (v) => v >= 0, '>= 0');
  return (step, base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * step) / tMax))) / 2;
}
