/**
 * The shape of examples/results/autompg.json: everything needed to replay the run elsewhere
 * (scripts/autompg_torch.py does) and the loss curves it produced.
 */
import type { Row, Standardisation } from './data.ts';
import type { OptimizerConfig } from './experiment.ts';

/** One optimizer's record: its options and its loss at every epoch on the GPU and the CPU. */
export type OptimizerResult = OptimizerConfig & {
  /** TF.js gradients (webgpu backend), webgpu-optim's step on the same device. */
  losses: number[];
  /** The CPU run: f32 gradients and webgpu-optim/reference's step. */
  reference: number[];
};

/** examples/results/autompg.json. */
export interface AutoMpgResults {
  description: string;
  data: {
    source: string;
    /** cars.json field names of the inputs, then the target. */
    columns: string[];
    /** The rows used, in file order: [Cylinders, Displacement, Weight_in_lbs, MPG]. */
    rows: Row[];
  };
  standardisation: Standardisation & { rule: string };
  init: { rule: string; seed: number; weight: number[]; bias: number };
  batchSize: number;
  epochs: number;
  loss: string;
  environment: { browser: string; adapter: string; tfjs: string };
  optimizers: OptimizerResult[];
}
