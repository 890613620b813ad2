import common from '../../shaders/common.wgsl?raw';
import lamb from '../../shaders/lamb.wgsl?raw';
import tensorSums from '../../shaders/tensor_sums.wgsl?raw';
import type { LambOptions, Resolved } from '../options/types.ts';
import type { KernelSpec } from './spec.ts';
import { kernelCode } from './stateCode.ts';
import { uniformLayout } from './uniforms.ts';

/** The uniform fields the tensor-sums passes need, written by the host with the scalars. */
export const SUMS_FIELDS = ['ratio_base', 'partial_base', 'sum_workgroups'] as const;

const layout = uniformLayout([
  { name: 'weight_decay', type: 'f32' },
  { name: 'one_minus_beta1', type: 'f32' },
  { name: 'beta2', type: 'f32' },
  { name: 'one_minus_beta2', type: 'f32' },
  { name: 'inv_bias_correction1', type: 'f32' },
  { name: 'bias_correction2', type: 'f32' },
  { name: 'bias_correction2_sqrt', type: 'f32' },
  { name: 'eps', type: 'f32' },
  { name: 'lr', type: 'f32' },
  ...SUMS_FIELDS.map((name) => ({ name, type: 'u32' as const })),
]);

const source = `${common}\n${lamb}\n${tensorSums}`;

/**
 * shaders/lamb.wgsl with shaders/tensor_sums.wgsl: uniform `LambUniforms`, override MAXIMIZE;
 * three entry points (tensor_sums, tensor_finalize, main).
 */
export const LAMB_KERNEL: KernelSpec<Resolved<LambOptions>> = {
  name: 'lamb',
  source,
  code: kernelCode('f32', source),
  stateDtype: 'f32',
  layout,
  tensorSums: true,
  // No flatRuns: the trust ratio is per tensor, and a flat run would sum several tensors (and
  // their padding) into one norm.
  constants: (o) => ({ MAXIMIZE: Number(o.maximize), NUM_STATES: 2 }),
};
