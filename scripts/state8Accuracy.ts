/**
 * `npx tsx scripts/state8Accuracy.ts [quadratic|mlp]`: runs docs/state8.md's accuracy
 * comparisons (test/state8Problems.ts, f32 against 'q8' state on the CPU reference) and prints
 * each row as the docs table shows it, with the initial loss.
 */
import { ACCURACY_CASES, mlpRun, quadraticRun } from '../test/state8Problems.ts';

const which = process.argv[2] ?? 'quadratic';
if (which !== 'quadratic' && which !== 'mlp') {
  throw new Error(`expected "quadratic" or "mlp", got ${JSON.stringify(which)}`);
}
const e = (x: number) => x.toExponential(1);
for (const c of ACCURACY_CASES) {
  const r = which === 'mlp' ? mlpRun(c) : quadraticRun(c);
  const cells =
    which === 'mlp'
      ? [r.f32.toFixed(4), r.q8.toFixed(4), `${(100 * (r.q8 / r.f32 - 1)).toFixed(2)} %`]
      : [e(r.f32), e(r.q8), (r.q8 / r.f32).toPrecision(2)];
  console.log(
    `| ${[c.label, ...cells, e(r.maxAbs)].join(' | ')} | (initial ${r.initial.toPrecision(4)})`,
  );
}
