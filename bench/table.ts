/** The results as text rows (the terminal tables and the page's tables share these). */
import { flagText } from './reliability.ts';
import type { BenchResult } from './types.ts';

const f = (v: number | null | undefined, digits = 2) =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${f(100 * v, 0)}%`;

/** Marks an unreliable row's first cell. */
const mark = (cell: string, unreliable: boolean) => (unreliable ? `! ${cell}` : cell);

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
  '% big',
  'sep. ms',
  'sep. GB/s',
  'sep. % big',
  'sep. disp.',
  'host ms',
  'TF.js ms',
  'TF.js disp.',
  '× TF.js',
  '× TF.js sep.',
  '× plain JS',
  '× CPU ref',
  'flags',
] as const;

/**
 * GB/s as a percentage of the big scenario's for the same algorithm in the same run (the
 * many-tensor target: model and tiny at the bandwidth of one big tensor); null without big.
 */
export function percentOfBig(result: BenchResult, algorithm: string, gbps: number): number | null {
  const big = result.scenarios
    .find((s) => s.name === 'big')
    ?.rows.find((r) => r.algorithm === algorithm);
  return big ? (100 * gbps) / big.gbps : null;
}

export function tableRows(result: BenchResult): string[][] {
  return result.scenarios.flatMap((s) =>
    s.rows.map((r) => [
      mark(s.name, r.unreliable),
      r.algorithm,
      f(r.msPerStep, 3),
      pct(r.ours.gpuMs.spread),
      f(r.paramsPerSec / 1e6, 1),
      f(r.gbps),
      f(r.percentOfRoofline, 0),
      f(r.percentOfCopyKernel, 0),
      f(r.ours.dispatches, 0),
      f(percentOfBig(result, r.algorithm, r.gbps), 0),
      f(r.separate?.msPerStep, 3),
      f(r.separate?.gbps),
      f(r.separate && percentOfBig(result, r.algorithm, r.separate.gbps), 0),
      f(r.separate?.ours.dispatches, 0),
      f(r.ours.hostMs.median, 3),
      f(r.tfjs?.wallMs.median, 2),
      f(r.tfjs?.dispatches, 0),
      f(r.speedup.tfjs, 1),
      f(r.separate?.speedupTfjs, 1),
      f(r.speedup.plainJs, 1),
      f(r.speedup.reference, 1),
      flagText(r.flags),
    ]),
  );
}

export const FEATURE_COLUMNS = [
  'variant',
  'ms/step',
  'spread',
  'dispatches',
  'B/param',
  'GB/s',
  'vs Adam',
  'flags',
] as const;

export function featureRows(result: BenchResult): string[][] {
  return (result.featureCosts?.rows ?? []).map((r) => [
    mark(r.label, r.unreliable),
    f(r.msPerStep),
    pct(r.spread),
    String(r.dispatches),
    Number.isInteger(r.bytesPerParam) ? String(r.bytesPerParam) : f(r.bytesPerParam),
    f(r.gbps),
    `${f(r.ratio)}×`,
    flagText(r.flags),
  ]);
}

export const SCALING_COLUMNS = [
  'tensors',
  'ours host ms',
  'spread',
  'TF.js host ms',
  'spread',
  'ours dispatches',
  'TF.js dispatches',
  'flags',
] as const;

export function scalingRows(result: BenchResult): string[][] {
  return result.tinyScaling.map((p) => [
    mark(String(p.tensors), p.unreliable),
    f(p.oursHostMs, 3),
    pct(p.oursHostSpread),
    f(p.tfjsHostMs, 3),
    pct(p.tfjsHostSpread),
    String(p.oursDispatches),
    p.tfjsDispatches === null ? '—' : String(p.tfjsDispatches),
    flagText(p.flags),
  ]);
}

/** A plain-text table with right-aligned columns (the last, free text, left-aligned). */
export function textTable(header: readonly string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const last = header.length - 1;
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === last && header[last] === 'flags' ? c : c.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
