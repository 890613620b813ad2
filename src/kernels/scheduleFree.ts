import common from '../../shaders/common.wgsl?raw';
import scheduleFree from '../../shaders/schedulefree.wgsl?raw';
import type { Resolved, ScheduleFreeAdamWOptions } from '../options/types.ts';
import type { KernelSpec } from './spec.ts';
import { kernelCode } from './stateCode.ts';
import { uniformLayout } from './uniforms.ts';

/** The SF_MODE override: the step, or one of the param switches of eval() and train(). */
export type ScheduleFreeMode = 'step' | 'eval' | 'train';
const SF_MODES: Record<ScheduleFreeMode, number> = { step: 0, eval: 1, train: 2 };

/** shaders/schedulefree.wgsl as a step kernel (SF_MODE 0, two state arrays). */
export const SCHEDULE_FREE_KERNEL: KernelSpec<Resolved<ScheduleFreeAdamWOptions>> = {
  name: 'schedulefreeadamw',
  source: `${common}\n${scheduleFree}`,
  code: kernelCode('f32', `${common}\n${scheduleFree}`),
  stateDtype: 'f32',
  layout: uniformLayout([
    { name: 'weight_decay', type: 'f32' },
    { name: 'beta2', type: 'f32' },
    { name: 'one_minus_beta2', type: 'f32' },
    { name: 'bias_correction2', type: 'f32' },
    { name: 'eps', type: 'f32' },
    { name: 'lr', type: 'f32' },
    { name: 'ckp1', type: 'f32' },
    { name: 'y_coef', type: 'f32' },
    { name: 'first_step', type: 'u32' },
    { name: 'eval_weight', type: 'f32' },
    { name: 'train_weight', type: 'f32' },
  ]),
  constants: () => ({ SF_MODE: 0, NUM_STATES: 2 }),
  // Flat runs: a zero gradient with zero state and zero padding stays zero (z = p = 0,
  // g' = 0 / eps = 0, y = lerp(0, 0, ckp1) = 0), and the train()/eval() passes switch 0 to 0;
  // they reuse the step's bind groups, so they cover the same runs (gathered ones included).
  flatRuns: true,
};

/**
 * The same shader (and the same bind groups) as eval()'s or train()'s param switch: it reads
 * z and saved_y as well, so NUM_STATES is 3.
 */
export function scheduleFreeModeKernel(
  spec: KernelSpec<Resolved<ScheduleFreeAdamWOptions>>,
  mode: ScheduleFreeMode,
): KernelSpec<Resolved<ScheduleFreeAdamWOptions>> {
  return { ...spec, constants: () => ({ SF_MODE: SF_MODES[mode], NUM_STATES: 3 }) };
}
