/**
 * What `npm run bench` says before it starts (the calibration, the plan and how long it should
 * take) and when it ends. Pure string building.
 */
import type { Calibration } from './costModel.ts';
import { MODES, type BenchPlan, type PlanRequest } from './plan.ts';

/** "45 s", "2 min 50 s", "22 min". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 90) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  return m >= 10 || rest === 0 ? `${Math.round(s / 60)} min` : `${m} min ${rest} s`;
}

/** One line: what the probe measured. */
export function describeCalibration(c: Calibration): string {
  return (
    `calibration (${(c.probeMs / 1000).toFixed(1)} s): vec4 copy kernel ${c.kernelGBps.toFixed(2)} GB/s, ` +
    `copyBufferToBuffer ${c.copyGBps.toFixed(2)} GB/s, submit round trip ${c.submitMs.toFixed(2)} ms, ` +
    `plain JS Adam loop ${c.cpuGBps.toFixed(2)} GB/s` +
    (c.tfOpMs === null ? '' : `, TF.js op ${c.tfOpMs.toFixed(2)} ms`)
  );
}

/** The fewest and most repetitions of the plan's measurements whose key starts with a prefix. */
function repRange(plan: BenchPlan, prefixes: string[]): string | null {
  const units = Object.entries(plan.units)
    .filter(([k]) => prefixes.some((p) => k.startsWith(p)))
    .map(([, u]) => u);
  if (units.length === 0) return null;
  const lo = Math.min(...units.map((u) => u.minReps ?? u.reps));
  const hi = Math.max(...units.map((u) => u.reps));
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
}

/** Lines: what will run, at what size and repetitions, and about how long it will take. */
export function describePlan(plan: BenchPlan, req: PlanRequest): string[] {
  const peers = [
    req.peers.tfjs && 'TF.js',
    req.peers.plainJs && 'plain JS loop',
    req.peers.reference && 'CPU reference',
  ].filter(Boolean);
  const lines = [
    `plan (${plan.mode}${plan.budgetS === null ? ', no time budget' : `, budget ${duration(plan.budgetS)}`}): ` +
      `${req.scenarios.join(', ')} × ${req.algorithms.join(', ')}; peers: ${peers.join(', ') || 'none'}` +
      (plan.featureCosts ? `; feature costs on ${plan.featureCosts}` : '') +
      (req.tinyScaling.length ? `; tiny scaling ${req.tinyScaling.join(', ')} tensors` : ''),
  ];
  const largest = MODES[plan.mode].bigLog2[0] as number;
  if (req.scenarios.includes('big'))
    lines.push(
      `big: one tensor of 2^${plan.bigLog2} parameters` +
        (plan.bigLog2 < largest
          ? ` (2^${largest} does not fit the budget on this device; --full runs it)`
          : ''),
    );
  if (req.featureCosts && plan.featureCosts !== req.featureCosts)
    lines.push(
      `feature costs: on big (2^${plan.bigLog2}) instead of ${req.featureCosts}, which does not fit the budget on this device`,
    );
  if (plan.fewestPeerReps)
    lines.push(
      'peers: down to one repetition (no spread to judge) to fit the budget on this device',
    );
  const reps = [
    ['ours', repRange(plan, ['ours/', 'feature/', 'scaling/ours/'])],
    ['TF.js', repRange(plan, ['tfjs/', 'scaling/tfjs/'])],
    ['CPU peers', repRange(plan, ['plainJs/', 'reference/'])],
  ].filter(([, r]) => r !== null);
  lines.push(
    `repetitions: ${reps.map(([who, r]) => `${who} ${r}`).join(', ')}` +
      (plan.budgetS === null
        ? ''
        : ' (each measurement stops at its fewest once it runs past its share of the time)'),
  );
  lines.push(
    `expected: about ${duration(plan.estimateS)}` +
      (plan.budgetS !== null && plan.estimateS > plan.budgetS * 1.1
        ? ` — over the budget even at the smallest sizes; drop peers (--no-tfjs, --no-cpu) or scenarios to shorten it`
        : ''),
  );
  return lines;
}
