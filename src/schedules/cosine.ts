import type { Schedule } from './types.ts';
import {
  NON_NEGATIVE,
  POSITIVE_INTEGER,
  checkNumber,
  defineSchedule,
  readOptions,
} from './validate.ts';

/** Options of {@link cosineAnnealing}. */
export interface CosineAnnealingOptions {
  /** Steps from the base lr down to `etaMin` (half a cosine period); a positive integer. */
  tMax: number;
  /** The lowest lr, an absolute lr (not a factor), the same for every group; >= 0. Default 0. */
  etaMin?: number;
}

/**
 * Cosine annealing (PyTorch CosineAnnealingLR, its closed form):
 * lr = etaMin + (base − etaMin) · (1 + cos(π · step / tMax)) / 2.
 * Past `tMax` the cosine rises again, as PyTorch's closed form does; to hold the lr at
 * `etaMin`, stop at `tMax` or follow it with another schedule in {@link sequential}.
 */
export function cosineAnnealing(options: CosineAnnealingOptions): Schedule {
  const where = 'cosineAnnealing';
  const o = readOptions(where, options, ['tMax', 'etaMin']);
  const tMax = checkNumber(where, 'tMax', o.tMax, POSITIVE_INTEGER);
  const etaMin = checkNumber(where, 'etaMin', o.etaMin ?? 0, NON_NEGATIVE);
  return defineSchedule(
    where,
    (step, base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * step) / tMax))) / 2,
  );
}
