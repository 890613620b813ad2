/** The dispatch paths and passes `npm run bench:breakdown` times (see breakdown.ts). No WebGPU or WGSL import: the Node script reads them too. */
export const BREAKDOWN_VARIANTS = [
  'single',
  'arena',
  'rows, ×4',
  'rows',
  'separate, gathered',
  'separate, per tensor',
] as const;
export type BreakdownVariant = (typeof BREAKDOWN_VARIANTS)[number];

/** A variant's name on the command line: `rows, ×4` → `rows-x4`, `separate, gathered` → `separate-gathered`. */
export function variantSlug(v: BreakdownVariant): string {
  return v.replace('×', 'x').replace(/[, ]+/g, '-');
}

/** The passes of a step with a per-tensor reduction, by their pipelines' label parts. */
export const BREAKDOWN_PASSES = ['tensor_sums', 'tensor_finalize', 'pipeline'] as const;
export type BreakdownPass = (typeof BREAKDOWN_PASSES)[number];
