/**
 * Which measurements not to quote. A row is unreliable when a spread ((max − min) / median of
 * its repetitions) is over 25 %, or when it is physically impossible: more GB/s than the
 * roofline measured in the same run allows, or a feature variant faster than plain Adam by
 * more than the bytes it saves allow (every variant runs Adam's update; at equal efficiency its
 * time scales with the bytes it moves, so its ratio cannot fall below bytes / Adam's bytes).
 * "Impossible" allows for the noise: half the sum of the two spreads involved.
 * Pure functions; the page attaches the flags to each row of the result.
 */

/** Spreads above this fraction make a row unreliable. */
export const SPREAD_LIMIT = 0.25;

export type FlagCode = 'spread' | 'peer-spread' | 'above-roofline' | 'below-bytes-floor';

/** Why a row must not be quoted. */
export interface Flag {
  code: FlagCode;
  reason: string;
}

/** What the flags need of a measurement: its spread and how many repetitions it had. */
export interface Spread {
  spread: number;
  samples: number;
}

const pct = (f: number) => `${(100 * f).toFixed(0)}%`;

/** The relative uncertainty of a ratio of two medians whose spreads are `a` and `b`. */
export function ratioNoise(a: number, b: number): number {
  return (Math.max(a, 0) + Math.max(b, 0)) / 2;
}

/**
 * A flag when `s` (the measurement of `who`: "ours", "ours host", "TF.js", ...) has at least
 * two repetitions and a spread over `limit`. One repetition has no spread to judge.
 */
export function spreadFlag(who: string, s: Spread, limit = SPREAD_LIMIT): Flag | null {
  if (s.samples < 2 || !(s.spread > limit)) return null;
  // A spread just over the limit would print as the limit itself: show a decimal then.
  const shown = pct(s.spread) === pct(limit) ? `${(100 * s.spread).toFixed(1)}%` : pct(s.spread);
  return {
    code: who.startsWith('ours') ? 'spread' : 'peer-spread',
    reason: `${who} spread ${shown} > ${pct(limit)}`,
  };
}

/**
 * A flag when `gbps` (spread `spread`) exceeds the roofline `roofGbps` (spread `roofSpread`)
 * by more than the noise.
 */
export function rooflineFlag(
  gbps: number,
  spread: number,
  roofGbps: number,
  roofSpread: number,
): Flag | null {
  if (!(roofGbps > 0) || !(gbps > roofGbps * (1 + ratioNoise(spread, roofSpread)))) return null;
  return {
    code: 'above-roofline',
    reason: `${gbps.toFixed(2)} GB/s is above the ${roofGbps.toFixed(2)} GB/s roofline`,
  };
}

/**
 * A flag when a variant moving `bytes` per parameter ran at `ratio` × the time of a baseline
 * moving `baseBytes`, below the floor bytes / baseBytes by more than the noise.
 */
export function bytesFloorFlag(
  ratio: number,
  bytes: number,
  baseBytes: number,
  spread: number,
  baseSpread: number,
): Flag | null {
  const floor = bytes / baseBytes;
  if (!(ratio * (1 + ratioNoise(spread, baseSpread)) < floor)) return null;
  return {
    code: 'below-bytes-floor',
    reason: `${ratio.toFixed(2)}× is faster than its ${bytes} B against ${baseBytes} B allow (≥ ${floor.toFixed(2)}×)`,
  };
}

/** The non-null flags of a list. */
export function flags(...candidates: (Flag | null)[]): Flag[] {
  return candidates.filter((f): f is Flag => f !== null);
}

/** The short text a table shows for a row's flags ("" when it is reliable). */
export function flagText(list: readonly Flag[]): string {
  return list.map((f) => f.reason).join('; ');
}

/** The roofline as the flags see it: the better median and that measurement's spread. */
export interface RooflineBound {
  gbps: number;
  spread: number;
}

/** What rowFlags reads of a result row. */
export interface FlaggedRow {
  gbps: number;
  ours: { gpuMs: Spread };
  /** The separate-buffers measurement of the same row, when there is one. */
  separate?: { ours: { gpuMs: Spread } } | null;
  tfjs: { wallMs: Spread } | null;
  plainJs: Spread | null;
  reference: Spread | null;
}

/** The flags of one row of the main table (ours against the peers). */
export function rowFlags(row: FlaggedRow, roofline: RooflineBound): Flag[] {
  return flags(
    spreadFlag('ours', row.ours.gpuMs),
    row.separate ? spreadFlag('ours separate', row.separate.ours.gpuMs) : null,
    row.tfjs && spreadFlag('TF.js', row.tfjs.wallMs),
    row.plainJs && spreadFlag('plain JS', row.plainJs),
    row.reference && spreadFlag('CPU ref', row.reference),
    rooflineFlag(row.gbps, row.ours.gpuMs.spread, roofline.gbps, roofline.spread),
  );
}

/** What featureFlags reads of a feature-cost row; the first row is the plain baseline. */
export interface FlaggedFeature extends Spread {
  bytesPerParam: number;
  gbps: number;
  /** ms per step against the first row's. */
  ratio: number;
}

/** The flags of each feature-cost row (the baseline gets only spread and roofline flags). */
export function featureFlags(rows: readonly FlaggedFeature[], roofline: RooflineBound): Flag[][] {
  const base = rows[0];
  return rows.map((r, i) =>
    flags(
      spreadFlag('ours', r),
      rooflineFlag(r.gbps, r.spread, roofline.gbps, roofline.spread),
      base && i > 0
        ? bytesFloorFlag(r.ratio, r.bytesPerParam, base.bytesPerParam, r.spread, base.spread)
        : null,
    ),
  );
}
