/**
 * How webgpu-optim/tfjs should hand TF.js's gradients to the kernels, measured: 'copy' (into
 * one grad buffer with copyBufferToBuffer; bind groups fixed) against 'bind' (TF.js's buffers
 * bound directly; new bind groups whenever TF.js hands out other buffers), with tf.train.adam
 * for scale. Each step makes fresh gradient tensors with one TF.js op each, as backprop does,
 * and disposes them, so TF.js's buffer pool behaves as in training.
 */
import { countOurBindGroups } from './bindGroupCounter.ts';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { createTfjsOptimizer } from '../src/adapters/tfjs/index.ts';

/** One row of the result. */
export interface TfjsAdapterRow {
  scenario: string;
  mode: 'copy' | 'bind' | 'tf.train.adam';
  /** Host ms per applyGradients call (median over repetitions). */
  hostMs: number;
  /** Wall ms per step including making the gradients (median over repetitions). */
  wallMs: number;
  /** Our bind groups made per step in steady state. */
  bindGroupsPerStep: number;
}

const SCENARIOS: Record<string, number[][]> = {
  // auto-mpg-sized MLP: 9 -> 64 -> 64 -> 1
  mlp: [[9, 64], [64], [64, 64], [64], [64, 1], [1]],
  // wider: 4 layers of 512 x 512
  wide: [[512, 512], [512], [512, 512], [512], [512, 512], [512], [512, 512], [512]],
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Runs every scenario × mode: `steps` steps per repetition, `reps` repetitions. */
export async function benchTfjsAdapter(steps: number, reps: number): Promise<TfjsAdapterRow[]> {
  if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js could not start WebGPU');
  await tf.ready();
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  const ourBindGroups = countOurBindGroups(device);
  const rows: TfjsAdapterRow[] = [];
  for (const [scenario, shapes] of Object.entries(SCENARIOS)) {
    for (const mode of ['copy', 'bind', 'tf.train.adam'] as const) {
      const vars = shapes.map((s, i) =>
        tf.variable(tf.randomUniform(s, -1, 1), true, `bench_${scenario}_${mode}_${i}`),
      );
      const bases = shapes.map((s) => tf.randomUniform(s, -1, 1));
      const opt =
        mode === 'tf.train.adam'
          ? tf.train.adam(1e-3, 0.9, 0.999, 1e-7)
          : createTfjsOptimizer('adam', { lr: 1e-3, eps: 1e-7 }, { gradTransfer: mode });
      const step = (): number => {
        const grads = bases.map((b) => tf.mul(b, 1));
        const h0 = performance.now();
        opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i] as tf.Tensor })));
        const h = performance.now() - h0;
        tf.dispose(grads);
        return h;
      };
      const sync = async () => {
        await (vars[vars.length - 1] as tf.Variable).data();
      };
      for (let i = 0; i < 3; i++) step(); // warm up: pipelines, pools
      await sync();
      const host: number[] = [];
      const wall: number[] = [];
      const b0 = ourBindGroups();
      for (let r = 0; r < reps; r++) {
        let h = 0;
        const t0 = performance.now();
        for (let i = 0; i < steps; i++) h += step();
        await sync();
        wall.push((performance.now() - t0) / steps);
        host.push(h / steps);
      }
      rows.push({
        scenario,
        mode,
        hostMs: median(host),
        wallMs: median(wall),
        bindGroupsPerStep: mode === 'tf.train.adam' ? 0 : (ourBindGroups() - b0) / (steps * reps),
      });
      opt.dispose();
      tf.dispose([...vars, ...bases]);
    }
  }
  return rows;
}
