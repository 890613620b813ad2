import { Adam, ParamArena } from 'webgpu-optim';

/**
 * Times Adam on your device as the benchmark does where the adapter has no timestamp queries:
 * many steps, one wait at the end. Returns ms per step and the bandwidth it implies under the
 * benchmark's bytes model (Adam: 28 B per parameter; read param, grad, exp_avg, exp_avg_sq,
 * write param, exp_avg, exp_avg_sq).
 */
export async function timeAdamStep(device: GPUDevice, parameters = 1 << 20, steps = 20) {
  const arena = new ParamArena(device, [parameters]);
  const opt = new Adam(device, arena.params);
  opt.step(arena.grads); // warm-up: the first step creates the bind groups
  await device.queue.onSubmittedWorkDone();

  const start = performance.now();
  for (let i = 0; i < steps; i++) opt.step(arena.grads); // each submits on device.queue
  await device.queue.onSubmittedWorkDone();
  const msPerStep = (performance.now() - start) / steps;

  await opt.checkErrors();
  opt.destroy();
  arena.destroy();
  return { msPerStep, gbPerSecond: (28 * parameters) / (msPerStep * 1e6) };
}
