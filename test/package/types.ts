/**
 * Type-checked against the installed tarball's declarations only (see README.md here). The
 * `@ts-expect-error` lines fail the check if an internal becomes visible again.
 */
import {
  Adam,
  AdamW,
  GradScaler,
  LRScheduler,
  Optimizer,
  ParamArena,
  cosineAnnealing,
  createOptimizer,
  deserializeStateDict,
  serializeStateDict,
  type AdamOptions,
  type HostOptions,
  type StateDict,
  type TensorRef,
} from 'webgpu-optim';
import {
  AdamReference,
  GradScalerReference,
  adamKernel,
  adamScalars,
  roundToF16,
  type ReferenceOptions,
} from 'webgpu-optim/reference';
// @ts-expect-error -- dist/ internals are not exported (package.json "exports")
import type { KernelSpec } from 'webgpu-optim/dist/kernels/spec.js';

export type Unused = KernelSpec<unknown>;

export async function train(device: GPUDevice, params: TensorRef[], grads: TensorRef[]) {
  const options: AdamOptions & HostOptions = { lr: 1e-3, betas: [0.9, 0.999], amsgrad: true };
  const scaler = new GradScaler(device, { initScale: 1024 });
  const opt = new Adam(device, params, { ...options, gradScaler: scaler });
  const scheduler = new LRScheduler(opt, cosineAnnealing({ tMax: 10 }));
  opt.step(grads);
  scheduler.step();
  const loss: GPUBufferBinding = scaler.scaleBinding();
  const scale: number = await scaler.getScale();
  const dict: StateDict = await opt.stateDict();
  opt.loadStateDict(deserializeStateDict(serializeStateDict(dict)));

  // @ts-expect-error -- internal: the optimizer attaches its scaler
  scaler.attach('x', device);
  // @ts-expect-error -- internal: the optimizer detaches its scaler on destroy()
  scaler.detach();
  // @ts-expect-error -- internal: loadStateDict restores the scaler
  scaler.load(await scaler.state());
  // @ts-expect-error -- the base class's constructor is protected: use SGD, Adam, ... or createOptimizer
  new Optimizer(undefined as never);

  const base: Optimizer<'adamw'> = createOptimizer('adamw', device, params, { weightDecay: 0 });
  const arena = new ParamArena(device, [4, { name: 'bias', length: 3 }]);
  const adamw = new AdamW(device, arena.params);
  adamw.step(arena.grads);
  opt.destroy();
  base.destroy();
  adamw.destroy();
  arena.destroy();
  scaler.destroy();
  return { loss, scale, lr: scheduler.getLastLr() };
}

export function reference(): Float32Array {
  const w = new Float32Array([1, 2, 3]);
  const scaler = new GradScalerReference({ initScale: 8 });
  const options: ReferenceOptions = { gradScaler: scaler, stateDtype: 'f16' };
  const ref = new AdamReference([w], { lr: 0.1, ...options });
  ref.step([new Float32Array([0.5, -0.5, 2])]);
  // @ts-expect-error -- internal: the reference optimizer unscales through its scaler
  scaler.unscale([w]);
  // @ts-expect-error -- internal: the reference optimizer attaches its scaler
  scaler.attach('x');
  const group = ref.paramGroups[0];
  if (!group) throw new Error('no param group');
  const scalars = adamScalars(group, 1);
  void adamKernel;
  return new Float32Array([roundToF16(w[0] ?? 0), scalars.step_size, scaler.scale]);
}
