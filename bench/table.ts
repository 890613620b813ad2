/** The results as text rows (the terminal table and the page's table share this). */
import type { BenchResult } from './types.ts';

const f = (v: number | null | undefined, digits = 2) =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);

export const COLUMNS = [
  'scenario',
  'algorithm',
  'ms/step',
  'spread',
  'Mparams/s',
  'GB/s',
  '% roofline',
  '% copy kernel',
  'dispatches',
  'host ms',
  'TF.js ms',
  'TF.js disp.',
  '× TF.js',
  '× plain JS',
  '× CPU ref',
] as const;

export function tableRows(result: BenchResult): string[][] {
  return result.scenarios.flatMap((s) =>
    s.rows.map((r) => [
      s.name,
      r.algorithm,
      f(r.msPerStep, 3),
      `${f(100 * r.ours.gpuMs.spread, 0)}%`,
      f(r.paramsPerSec / 1e6, 1),
      f(r.gbps),
      f(r.percentOfRoofline, 0),
      f(r.percentOfCopyKernel, 0),
      f(r.ours.dispatches, 0),
      f(r.ours.hostMs.median, 3),
      f(r.tfjs?.wallMs.median, 2),
      f(r.tfjs?.dispatches, 0),
      f(r.speedup.tfjs, 1),
      f(r.speedup.plainJs, 1),
      f(r.speedup.reference, 1),
    ]),
  );
}

/** A plain-text table with right-aligned columns. */
export function textTable(header: readonly string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
