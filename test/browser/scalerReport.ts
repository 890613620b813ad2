/**
 * The GradScaler run the GPU suites share (browser and Node): the cases, the poisoned steps,
 * and the check of suites/scaler.ts's results against the reference.
 */
import { GEOMETRY_LENGTHS, DEFAULT_CASES, FULL_CASES, type OptimizerCase } from '../cases.ts';
import type { Poison, ScalerResult } from './suites/scaler.ts';

/** Default and all-paths cases, clipping, and 16-bit state. */
export const SCALER_CASES: OptimizerCase[] = [
  ...DEFAULT_CASES,
  ...FULL_CASES,
  {
    desc: 'adam(clipGradNorm 0.5, clipGradValue 0.01)',
    algorithm: 'adam',
    options: { lr: 0.01, clipGradNorm: 0.5, clipGradValue: 0.01 },
  },
  // with 16-bit state a skipped step must not even re-round the stored moments
  { desc: 'adam(f16 state)', algorithm: 'adam', options: { stateDtype: 'f16' } },
  {
    desc: 'sgd(bf16 state, momentum)',
    algorithm: 'sgd',
    options: { lr: 0.05, momentum: 0.9, stateDtype: 'bf16' },
  },
  // the GPU carries weight_sum and lr_max: the poisoned first step must not start the average
  {
    desc: 'schedulefreeadamw(warmup 3, weight decay, r 0.5)',
    algorithm: 'schedulefreeadamw',
    options: { lr: 0.01, warmupSteps: 3, weightDecay: 0.05, r: 0.5 },
  },
];

const last = GEOMETRY_LENGTHS.length - 1;
/**
 * Step 0 (the very first: SGD's momentum and Adam's t = 1 must wait for the next clean step),
 * two in a row, and two late; the poisoned element is in a vec4 body, a scalar head or tail, or
 * a one-element tensor.
 */
export const SCALER_POISON: Poison[] = [
  { step: 0, tensor: 0, element: 0, value: 'nan' },
  { step: 3, tensor: last, element: (GEOMETRY_LENGTHS[last] as number) - 1, value: 'inf' },
  { step: 4, tensor: 5, element: 100, value: '-inf' },
  { step: 9, tensor: 3, element: 2, value: 'nan' },
  // in 'shared', tensor 4 (255 elements) starts 8 bytes past a 16-byte boundary: a scalar head
  { step: 10, tensor: 4, element: 0, value: 'inf' },
];
/** Steps per run: 5 poisoned, 7 clean. */
export const SCALER_STEPS = 12;

/**
 * Checks scalerRun's results against the reference; returns the failures as readable lines.
 * `path`: 'group' expects one update dispatch, 'tensor' one or two per tensor, 'gathered' one
 * update dispatch over grads in one buffer per tensor.
 */
export function scalerFailures(
  results: ScalerResult[],
  path: 'group' | 'tensor' | 'gathered',
): string[] {
  return results.flatMap((r) => {
    const out: string[] = [];
    const where = `${r.desc}`;
    if (!r.param.ok || !r.state.ok) {
      out.push(
        `${where}: GPU vs reference: param worst [${r.param.index}] gpu=${r.param.gpu} ref=${r.param.ref} (${r.param.ulps} ULP); state ${r.state.name}[${r.state.index}] gpu=${r.state.gpu} ref=${r.state.ref} (${r.state.ulps} ULP)`,
      );
    }
    out.push(...r.carriedMismatches.map((m) => `${where}: ${m}`));
    if (r.referenceMismatches !== 0)
      out.push(`${where}: references differ in ${r.referenceMismatches} elements`);
    for (const s of r.skipped) {
      if (s.changed.length > 0)
        out.push(`${where}: poisoned step ${s.step} changed ${s.changed.join(', ')}`);
      if (!s.foundInf) out.push(`${where}: foundInf() was false after poisoned step ${s.step}`);
    }
    if (r.lastFoundInf) out.push(`${where}: foundInf() true after a clean step`);
    if (r.gpuScale !== r.refScale)
      out.push(`${where}: scale ${r.gpuScale}, reference ${r.refScale}`);
    if (r.stepCounts.join() !== r.refStepCounts.join()) {
      out.push(
        `${where}: step counts ${r.stepCounts.join()} vs reference ${r.refStepCounts.join()}`,
      );
    }
    if (r.stepCounts.some((c) => c !== SCALER_STEPS - SCALER_POISON.length))
      out.push(`${where}: step counts ${r.stepCounts.join()}`);
    // LAMB: each update dispatch has its tensor_sums twin, plus one finalize
    const sums = r.desc.startsWith('lamb');
    const update = (
      path === 'tensor' ? [GEOMETRY_LENGTHS.length, 2 * GEOMETRY_LENGTHS.length] : [1, 1]
    ).map((n) => (sums ? 2 * n + 1 : n));
    if (
      r.dispatches.update < (update[0] as number) ||
      r.dispatches.update > (update[1] as number)
    ) {
      out.push(`${where}: ${r.dispatches.update} update dispatches`);
    }
    const clips = r.desc.includes('clipGradNorm') ? 1 : 0;
    // the check (fused with the norm) is one dispatch per grad buffer, + finalize for the norm
    const checks = path === 'group' ? 1 : GEOMETRY_LENGTHS.length;
    if (r.dispatches.clip !== checks + clips) {
      out.push(`${where}: ${r.dispatches.clip} check dispatches`);
    }
    // no prepare pass where no uniform field depends on the step count
    const prepare = ['rmsprop', 'adadelta', 'lion'].some((a) => r.desc.startsWith(a)) ? 0 : 1;
    if (r.dispatches.scaler !== prepare + 1)
      out.push(`${where}: ${r.dispatches.scaler} scaler dispatches`);
    if (Object.values(r.createdAfterFirstStep).some((n) => n !== 0)) {
      out.push(`${where}: later steps created ${JSON.stringify(r.createdAfterFirstStep)}`);
    }
    if (r.errors.length > 0) out.push(`${where}: ${r.errors.join(' | ')}`);
    return out;
  });
}
