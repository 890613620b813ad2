/**
 * The auto-mpg comparison of examples/autompg/, as the page shows it: the committed run
 * (examples/results/autompg.json: 1000 epochs, TF.js gradients on WebGPU, webgpu-optim's
 * steps) and the problem rebuilt from that file's rows, for a live run.
 */
import results from '../examples/results/autompg.json';
import { standardisedInputs, targets, type Row } from '../examples/autompg/data.ts';
import type { Curve, Problem } from '../examples/autompg/experiment.ts';
import type { AutoMpgResults } from '../examples/autompg/results.ts';

/** The committed run. */
export const COMMITTED = results as unknown as AutoMpgResults;

/** The committed run's GPU curves, one per optimizer. */
export function committedCurves(): Curve[] {
  return COMMITTED.optimizers.map((o) => ({ name: o.name, losses: o.losses }));
}

/** The problem every optimizer trains on, from the committed file's rows and init. */
export function problem(): Problem {
  const rows = COMMITTED.data.rows as Row[];
  return {
    x: Array.from(standardisedInputs(rows, COMMITTED.standardisation)),
    y: Array.from(targets(rows)),
    weight: COMMITTED.init.weight,
    bias: COMMITTED.init.bias,
  };
}
