/**
 * The run's plan: which size "big" gets and how many steps and repetitions each measurement
 * runs, so that `npm run bench` fits about 3 minutes and `--quick` about 80 s on the device the
 * calibration measured; `--full` is the long fixed run. Pure: costModel.ts prices each
 * measurement, this module fits them to the budget and says how long the run should take.
 */
import { BENCH_ALGORITHMS, bytesPerParam, type BenchKey } from './algorithms.ts';
import {
  REFERENCE_FACTOR,
  cpuCost,
  oursCost,
  rooflineCost,
  tfjsCost,
  type Calibration,
  type Cost,
} from './costModel.ts';
import { FEATURE_VARIANTS, featureBytes } from './featureVariants.ts';
import type { RepPlan } from './repPlan.ts';
import { TINY_TENSORS, big, model, parameterCount, tiny, type Scenario } from './scenarios.ts';

export type Mode = 'quick' | 'default' | 'full';
type ScenarioName = Scenario['name'];

/** Repetition bounds of one kind of measurement, and how long a repetition should last. */
export interface RepBounds {
  minReps: number;
  reps: number;
  /** Steps per repetition: enough for `targetRepMs`, at most `maxSteps`; or exactly `steps`. */
  targetRepMs: number;
  maxSteps: number;
  steps?: number;
}

export interface ModeSettings {
  /** Seconds the whole run should take (null: no budget). */
  budgetS: number | null;
  /** Sizes big may take, largest first; the planner takes the largest that fits. */
  bigLog2: number[];
  ours: RepBounds;
  tfjs: RepBounds;
  cpu: RepBounds;
  rooflineReps: number;
}

const box = (minReps: number, reps: number, targetRepMs: number, maxSteps: number) => ({
  minReps,
  reps,
  targetRepMs,
  maxSteps,
});
const fixed = (steps: number, reps: number): RepBounds => ({
  minReps: reps,
  reps,
  targetRepMs: 0,
  maxSteps: steps,
  steps,
});

export const MODES: Record<Mode, ModeSettings> = {
  quick: {
    budgetS: 80,
    bigLog2: [24, 23, 22, 21, 20],
    ours: box(3, 5, 50, 100),
    tfjs: box(2, 3, 100, 10),
    cpu: box(1, 2, 100, 5),
    rooflineReps: 3,
  },
  default: {
    budgetS: 180,
    bigLog2: [24, 23, 22, 21, 20],
    ours: box(3, 7, 50, 100),
    tfjs: box(3, 5, 100, 10),
    cpu: box(2, 3, 100, 5),
    rooflineReps: 5,
  },
  full: {
    budgetS: null,
    bigLog2: [24],
    ours: fixed(20, 7),
    tfjs: fixed(5, 3),
    cpu: fixed(2, 3),
    rooflineReps: 7,
  },
};

/** Seconds the run spends after the last measurement (results, files, closing Chrome). */
export const CLOSING_S = 6;
/** The share of the remaining budget the plan fills (the cost model is rough). */
export const FILL = 0.85;
/** A measurement stops early once another repetition would end past this × its planned time. */
export const BOX_SLACK = 1.1;

/** What to run: the command line's choices. */
export interface PlanRequest {
  mode: Mode;
  algorithms: BenchKey[];
  scenarios: ScenarioName[];
  peers: { tfjs: boolean; plainJs: boolean; reference: boolean };
  /** Scenario of the feature-cost rows (absent: skipped). */
  featureCosts?: ScenarioName;
  tinyScaling: number[];
  /** --steps and --reps: fixed for our measurements. */
  steps?: number;
  reps?: number;
  /** Seconds spent before planning (start-up and calibration). */
  elapsedS: number;
}

/** One measurement's plan, with its estimated ms (set-up, warm-up and repetitions). */
export interface UnitPlan extends RepPlan {
  estMs: number;
}

export interface BenchPlan {
  mode: Mode;
  budgetS: number | null;
  bigLog2: number;
  /** Where the feature costs run: the request's scenario, or big when that does not fit. */
  featureCosts?: ScenarioName;
  /** Whether the peers were cut to one repetition at least (no spread) to fit. */
  fewestPeerReps: boolean;
  /**
   * By key: roofline/<scenario>, ours|tfjs|plainJs|reference/<scenario>/<algorithm>,
   * scaling/ours|tfjs/<tensors>, feature/<variant index>.
   */
  units: Record<string, UnitPlan>;
  /** Seconds the whole run should take, start-up included. */
  estimateS: number;
}

/**
 * Whether the tiny-scaling point of `count` tensors reuses the tiny scenario's Adam row (the
 * same measurement) instead of being measured again.
 */
export function scalingReusesTiny(
  count: number,
  req: Pick<PlanRequest, 'scenarios' | 'algorithms'>,
): boolean {
  return (
    count === TINY_TENSORS && req.scenarios.includes('tiny') && req.algorithms.includes('adam')
  );
}

/** One way to size the run; the planner tries them in order until one fits. */
interface Lever {
  bigLog2: number;
  featureCosts?: ScenarioName;
  /** TF.js and the CPU peers at one repetition at least. */
  fewestPeerReps: boolean;
}

function levers(req: PlanRequest, m: ModeSettings): Lever[] {
  const f = req.featureCosts ? { featureCosts: req.featureCosts } : {};
  const out: Lever[] = m.bigLog2.map((bigLog2) => ({ bigLog2, ...f, fewestPeerReps: false }));
  if (m.budgetS === null) return out;
  const smallest = m.bigLog2[m.bigLog2.length - 1] as number;
  if (req.featureCosts && req.featureCosts !== 'big')
    out.push({ bigLog2: smallest, featureCosts: 'big', fewestPeerReps: false });
  out.push({ ...(out[out.length - 1] as Lever), fewestPeerReps: true });
  return out;
}

type Tier = 'ours' | 'tfjs' | 'cpu';
interface Priced {
  key: string;
  tier: Tier;
  cost: Cost;
  bounds: RepBounds;
}

function sized(name: ScenarioName, bigLog2: number, tinyCount?: number): Scenario {
  return name === 'big' ? big(bigLog2) : name === 'model' ? model() : tiny(tinyCount);
}

/** Every measurement the request asks for, priced, in the order the page runs them. */
export function pricedUnits(req: PlanRequest, c: Calibration, lever: Lever): Priced[] {
  const m = MODES[req.mode];
  const { bigLog2 } = lever;
  const fewest = (b: RepBounds): RepBounds => (lever.fewestPeerReps ? { ...b, minReps: 1 } : b);
  const tfjsBounds = fewest(m.tfjs);
  const cpuBounds = fewest(m.cpu);
  const ours: RepBounds = {
    ...m.ours,
    ...(req.steps !== undefined ? { steps: req.steps } : {}),
    ...(req.reps !== undefined ? { minReps: req.reps, reps: req.reps } : {}),
  };
  const out: Priced[] = [];
  const add = (key: string, tier: Tier, cost: Cost, bounds: RepBounds) =>
    out.push({ key, tier, cost, bounds });
  for (const name of req.scenarios) {
    const s = sized(name, bigLog2);
    const params = parameterCount(s);
    const roof = m.rooflineReps;
    add(`roofline/${name}`, 'ours', rooflineCost(c, params), fixed(1, roof));
    for (const alg of BENCH_ALGORITHMS.filter((a) => req.algorithms.includes(a.key))) {
      const bpp = bytesPerParam(alg.name, alg.options);
      add(`ours/${name}/${alg.key}`, 'ours', oursCost(c, params, bpp), ours);
      // The separate-buffers column (runBench.ts) on the many-tensor scenarios.
      if (name !== 'big')
        add(`separate/${name}/${alg.key}`, 'ours', oursCost(c, params, bpp), ours);
      if (req.peers.tfjs && alg.tfjs)
        add(
          `tfjs/${name}/${alg.key}`,
          'tfjs',
          tfjsCost(c, params, s.tensors.length, alg.tfjsOps),
          tfjsBounds,
        );
      if (req.peers.plainJs)
        add(`plainJs/${name}/${alg.key}`, 'cpu', cpuCost(c, params, bpp), cpuBounds);
      if (req.peers.reference)
        add(
          `reference/${name}/${alg.key}`,
          'cpu',
          cpuCost(c, params, bpp, REFERENCE_FACTOR),
          cpuBounds,
        );
    }
  }
  for (const count of req.tinyScaling) {
    if (scalingReusesTiny(count, req)) continue;
    const params = parameterCount(tiny(count));
    add(`scaling/ours/${count}`, 'ours', oursCost(c, params, 28), ours);
    if (req.peers.tfjs)
      add(`scaling/tfjs/${count}`, 'tfjs', tfjsCost(c, params, count, 14), tfjsBounds);
  }
  if (lever.featureCosts) {
    const params = parameterCount(sized(lever.featureCosts, bigLog2));
    FEATURE_VARIANTS.forEach((v, i) => {
      // Extra passes, 16-bit rounding and 8-bit quantisation cost more than their bytes on
      // some devices (featureVariants.ts, planFactor).
      const extra = v.planFactor ?? (i === 0 ? 1 : 2);
      add(`feature/${i}`, 'ours', oursCost(c, params, extra * featureBytes(v)), ours);
    });
  }
  return out;
}

function stepsFor(b: RepBounds, stepMs: number): number {
  if (b.steps !== undefined) return b.steps;
  return Math.min(b.maxSteps, Math.max(1, Math.ceil(b.targetRepMs / Math.max(stepMs, 1e-6))));
}

const repMs = (u: UnitPlan, p: Priced) => u.steps * p.cost.stepMs;
const unitMs = (u: UnitPlan, p: Priced) => p.cost.fixedMs + u.reps * repMs(u, p);

/**
 * Adds repetitions, one per measurement per pass, cheapest first, ours before TF.js before the
 * CPU peers, while the total stays within `availableMs`. Returns the new total.
 */
function grow(priced: Priced[], units: UnitPlan[], total: number, availableMs: number): number {
  for (const tier of ['ours', 'tfjs', 'cpu'] as const) {
    const order = priced
      .map((_, i) => i)
      .filter((i) => priced[i]?.tier === tier)
      .sort((a, b) => (units[a]?.estMs ?? 0) - (units[b]?.estMs ?? 0));
    let grew = true;
    while (grew) {
      grew = false;
      for (const i of order) {
        const u = units[i] as UnitPlan;
        const p = priced[i] as Priced;
        const more = repMs(u, p);
        if (u.reps < p.bounds.reps && total + more <= availableMs) {
          u.reps++;
          u.estMs += more;
          total += more;
          grew = true;
        }
      }
    }
  }
  return total;
}

/**
 * Fits the request to its mode's budget: the largest big that fits with every measurement at
 * its fewest repetitions (if even 2^20 does not, the feature costs move from model to big,
 * then the peers drop to one repetition at least), then more repetitions while the estimate
 * stays within the budget (grow). Each measurement is time-boxed to BOX_SLACK × its planned
 * repetitions' time, so a busier machine than calibrated costs repetitions, not minutes.
 */
export function planBench(req: PlanRequest, c: Calibration): BenchPlan {
  const m = MODES[req.mode];
  const availableMs =
    m.budgetS === null ? Infinity : FILL * 1000 * (m.budgetS - req.elapsedS - CLOSING_S);
  let priced: Priced[] = [];
  let units: UnitPlan[] = [];
  let chosen = levers(req, m)[0] as Lever;
  for (const lever of levers(req, m)) {
    chosen = lever;
    priced = pricedUnits(req, c, lever);
    units = priced.map((p) => {
      const u: UnitPlan = {
        steps: stepsFor(p.bounds, p.cost.stepMs),
        reps: p.bounds.minReps,
        estMs: 0,
      };
      return { ...u, estMs: unitMs(u, p) };
    });
    if (units.reduce((a, u) => a + u.estMs, 0) <= availableMs) break;
  }
  const total = grow(
    priced,
    units,
    units.reduce((a, u) => a + u.estMs, 0),
    availableMs,
  );
  const out: Record<string, UnitPlan> = {};
  priced.forEach((p, i) => {
    const u = units[i] as UnitPlan;
    const boxed = m.budgetS !== null && p.bounds.minReps < p.bounds.reps;
    out[p.key] = {
      steps: u.steps,
      reps: boxed ? p.bounds.reps : u.reps,
      minReps: boxed ? p.bounds.minReps : u.reps,
      ...(boxed ? { budgetMs: BOX_SLACK * u.reps * repMs(u, p) } : {}),
      estMs: u.estMs,
    };
  });
  return {
    mode: req.mode,
    budgetS: m.budgetS,
    bigLog2: chosen.bigLog2,
    ...(chosen.featureCosts ? { featureCosts: chosen.featureCosts } : {}),
    fewestPeerReps: chosen.fewestPeerReps,
    units: out,
    estimateS: req.elapsedS + total / 1000 + CLOSING_S,
  };
}
