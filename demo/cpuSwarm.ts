/**
 * The swarm on the CPU: webgpu-optim/reference's optimizers (the CPU twin of every kernel)
 * and the surfaces' f32 gradients. The page uses it when the browser has no WebGPU; the tests
 * use it to check the GPU swarm's trajectories.
 */
import { LRScheduler } from 'webgpu-optim';
import { ReferenceOptimizer } from 'webgpu-optim/reference';
import {
  attempt,
  lineLr,
  startPositions,
  type Frame,
  type Swarm,
  type SwarmConfig,
} from './swarm.ts';

interface CpuLine {
  params: Float32Array;
  grads: Float32Array;
  /** The optimizer and its scheduler; null when the line's options were rejected. */
  stepper: { opt: { step(grads: Float32Array[]): void }; sched: LRScheduler } | null;
  error: string | null;
}

/** A swarm stepped by the reference optimizers. */
export function cpuSwarm(config: SwarmConfig): Swarm {
  const start = startPositions(config.surface, config.particles, config.seed);
  const lines: CpuLine[] = config.lines.map((line) => {
    const params = start.slice();
    const made = attempt(() => {
      const opt = new ReferenceOptimizer(
        line.algorithm,
        [params],
        line.options(lineLr(config, line.name), config.hyper) as never,
      );
      return { opt, sched: new LRScheduler(opt, config.schedule) };
    });
    return {
      params,
      grads: new Float32Array(params.length),
      stepper: made.value,
      error: made.error,
    };
  });
  const g = new Float32Array(2);
  let step = 0;
  const initial: Frame = {
    step: 0,
    positions: lines.map((l) => l.params.slice()),
    path: lines.map(() => new Float32Array(0)),
  };
  return {
    backend: 'cpu',
    initial,
    errors: lines.map((l) => l.error),
    advance(steps: number): Promise<Frame> {
      const path = lines.map((l) => new Float32Array(l.stepper ? 2 * steps : 0));
      for (let s = 0; s < steps; s++) {
        lines.forEach((l, k) => {
          if (!l.stepper) return;
          const p = l.params;
          for (let i = 0; i < p.length; i += 2) {
            config.surface.gradient(p[i] as number, p[i + 1] as number, g);
            l.grads[i] = g[0] as number;
            l.grads[i + 1] = g[1] as number;
          }
          l.stepper.opt.step([l.grads]);
          l.stepper.sched.step();
          (path[k] as Float32Array).set(p.subarray(0, 2), 2 * s);
        });
      }
      step += steps;
      return Promise.resolve({ step, positions: lines.map((l) => l.params.slice()), path });
    },
    destroy() {},
  };
}
