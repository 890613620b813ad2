import common from '../../shaders/common.wgsl?raw';
import lamb from '../../shaders/lamb.wgsl?raw';
import tensorSums from '../../shaders/tensor_sums.wgsl?raw';
import type { LambOptions, Resolved } from '../options/types.ts';
import type { KernelSpec } from './spec.ts';
import { kernelCode } from './stateCode.ts';
import { uniformLayout } from './uniforms.ts';

/** The uniform fields the tensor-sums passes need, written by the host with the scalars. */
export const SUMS_FIELDS = ['ratio_base', 'partial_base', 'sum_workgroups', 'ratio_count'] as const;

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
  // A zero gradient with zero state gives u = (0 / eps)·c + wd·0 = 0 (eps > 0 is validated), so
  // the padding stays zero and adds 0 to both norms. The update runs a flat run as one row and
  // finds each element's tensor (lamb.wgsl, ratio_index); the sums pass still runs one row per
  // tensor (binder.ts), so no norm mixes two tensors.
  flatRuns: true,
  constants: (o) => ({ MAXIMIZE: Number(o.maximize), NUM_STATES: 2 }),
};
