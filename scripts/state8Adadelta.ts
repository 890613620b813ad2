/**
 * `npx tsx scripts/state8Adadelta.ts [quadratic|illConditioned|logistic|mlp|options]`:
 * docs/state8.md's table of the ways to quantise Adadelta's state (test/state8Adadelta.ts):
 * the final loss of each candidate on each problem, seed and learning rate, and its ratio to
 * f32 state's (`options`: other ε, ρ and weight decay on the quadratic, for three of them).
 */
import {
  CANDIDATES,
  RULE,
  logisticProblem,
  quadraticProblem,
  trainAdadelta,
  type Candidate,
} from '../test/state8Adadelta.ts';
import { mlpProblem, type Problem } from '../test/state8Problems.ts';

interface Row {
  label: string;
  problem: () => Problem;
  lrs: number[];
}

const FAMILIES: Record<string, Row[]> = {
  quadratic: [2024, 1, 2].map((s) => ({
    label: `quadratic [0.1, 10], seed ${s}`,
    problem: () => quadraticProblem(s),
    lrs: [1, 0.3, 0.1],
  })),
  illConditioned: [2024, 3].map((s) => ({
    label: `quadratic [0.01, 100], seed ${s}`,
    problem: () => quadraticProblem(s, 0.01, 100),
    lrs: [1, 0.1, 0.01],
  })),
  logistic: [5, 6].map((s) => ({
    label: `logistic regression, seed ${s}`,
    problem: () => logisticProblem(s),
    lrs: [1, 0.1],
  })),
  mlp: [
    [11, 7],
    [12, 8],
  ].map(([s, o]) => ({
    label: `auto-mpg MLP, seeds ${s}/${o}`,
    problem: () => mlpProblem(s, o),
    lrs: [1, 0.1],
  })),
};

/** Other ε, ρ and weight decay on the first quadratic at lr 1: f32, nearest, the rule. */
function others(): void {
  const problem = quadraticProblem(2024);
  const shown = [CANDIDATES[0], CANDIDATES[1], RULE] as Candidate[];
  console.log(`| options (lr 1) | ${shown.map((c) => c.label).join(' | ')} |`);
  for (const o of [
    { eps: 1e-8 },
    { eps: 1e-4 },
    { rho: 0.5 },
    { rho: 0.95 },
    { weightDecay: 0.01 },
  ]) {
    const losses = shown.map((c) => trainAdadelta(problem, 1, c, o).toPrecision(3));
    console.log(`| ${JSON.stringify(o)} | ${losses.join(' | ')} |`);
  }
}

const which = process.argv[2];
if (which === 'options') {
  others();
  process.exit(0);
}
if (which !== undefined && !(which in FAMILIES)) {
  throw new Error(
    `expected one of ${Object.keys(FAMILIES).join(', ')}, got ${JSON.stringify(which)}`,
  );
}
console.log(`| problem | lr | ${CANDIDATES.map((c) => c.label).join(' | ')} |`);
for (const row of which ? (FAMILIES[which] as Row[]) : Object.values(FAMILIES).flat()) {
  const problem = row.problem();
  for (const lr of row.lrs) {
    const losses = CANDIDATES.map((c) => trainAdadelta(problem, lr, c));
    const f32 = losses[0] as number;
    const cells = losses.map((l, i) =>
      i === 0 ? l.toPrecision(3) : `${l.toPrecision(3)} (${(l / f32).toPrecision(2)}×)`,
    );
    console.log(`| ${row.label} | ${lr} | ${cells.join(' | ')} |`);
  }
}
