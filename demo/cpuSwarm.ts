/**
 * The swarm on the CPU: webgpu-optim/reference's optimizers (the CPU twin of every kernel)
 * and the surfaces' f32 gradients. The page uses it when the browser has no WebGPU; the tests
 * use it to check the GPU swarm's trajectories.
 */
import { LRScheduler } from 'webgpu-optim';
import { ReferenceOptimizer } from 'webgpu-optim/reference';
import { lineLr, startPositions, type Frame, type Swarm, type SwarmConfig } from './swarm.ts';

interface CpuLine {
  params: Float32Array;
  grads: Float32Array;
  opt: { step(grads: Float32Array[]): void };
  sched: LRScheduler;
}

/** A swarm stepped by the reference optimizers. */
export function cpuSwarm(config: SwarmConfig): Swarm {
  const start = startPositions(config.surface, config.particles, config.seed);
  const lines: CpuLine[] = config.lines.map((line) => {
    const params = start.slice();
    const opt = new ReferenceOptimizer(
      line.algorithm,
      [params],
      line.options(lineLr(config, line.name), config.hyper) as never,
    );
    return {
      params,
      grads: new Float32Array(params.length),
      opt,
      sched: new LRScheduler(opt, config.schedule),
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
    advance(steps: number): Promise<Frame> {
      const path = lines.map(() => new Float32Array(2 * steps));
      for (let s = 0; s < steps; s++) {
        lines.forEach((l, k) => {
          const p = l.params;
          for (let i = 0; i < p.length; i += 2) {
            config.surface.gradient(p[i] as number, p[i + 1] as number, g);
            l.grads[i] = g[0] as number;
            l.grads[i + 1] = g[1] as number;
          }
          l.opt.step([l.grads]);
          l.sched.step();
          (path[k] as Float32Array).set(p.subarray(0, 2), 2 * s);
        });
      }
      step += steps;
      return Promise.resolve({ step, positions: lines.map((l) => l.params.slice()), path });
    },
    destroy() {},
  };
}
