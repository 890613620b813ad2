import type { ParityResult } from './suites/parity.ts';
import type { RoundTripResult } from './suites/roundtrip.ts';

/** A one-line account of a parity result, for assertion messages. */
export function describeResult(r: ParityResult): string {
  const p = r.param;
  const s = r.state;
  return (
    `${r.desc}: param worst tensor ${p.tensor} element ${p.index} gpu=${p.gpu} ref=${p.ref} ` +
    `(${p.ulps.toFixed(1)} ULP, allowed ${p.allowedUlps}); state worst ${s.name}[${s.tensor}][${s.index}] ` +
    `gpu=${s.gpu} ref=${s.ref} (${s.ulps.toFixed(1)} ULP); errors: ${r.errors.join(' | ') || 'none'}`
  );
}

/** Checks every parity result; returns the failures as readable lines. */
/**
 * `path`: 'group' expects one dispatch for the whole param group (params in one buffer, grads
 * in one buffer at the same relative layout); 'tensor' expects one or two per tensor.
 */
export function parityFailures(
  results: ParityResult[],
  tensors: number,
  steps: number,
  path: 'group' | 'tensor' = 'tensor',
): string[] {
  const zero = { buffers: 0, bindGroups: 0, pipelines: 0, shaderModules: 0 };
  return results.flatMap((r) => {
    const problems: string[] = [];
    if (!r.param.ok || !r.state.ok || r.errors.length > 0) problems.push(describeResult(r));
    if (JSON.stringify(r.createdAfterFirstStep) !== JSON.stringify(zero)) {
      problems.push(
        `${r.desc}: steps 2..${steps} created ${JSON.stringify(r.createdAfterFirstStep)}`,
      );
    }
    // one vec4-body dispatch and/or one scalar-tail dispatch per tensor; with tensor sums
    // (LAMB) each twice (tensor_sums and the update), plus one finalize
    const [lo, hi] = (path === 'group' ? [1, 1] : [tensors, 2 * tensors]).map((n) =>
      r.tensorSums ? 2 * n + 1 : n,
    ) as [number, number];
    if (r.dispatches < lo || r.dispatches > hi) {
      problems.push(`${r.desc}: ${r.dispatches} dispatches for ${tensors} tensors`);
    }
    if (r.stepCounts.some((c) => c !== steps))
      problems.push(`${r.desc}: step counts ${r.stepCounts.join(',')}`);
    // a flat run updates the padding between tensors: zero grads must leave it zero
    if (r.paddingNonZero > 0)
      problems.push(`${r.desc}: ${r.paddingNonZero} padding elements became non-zero`);
    return problems;
  });
}

/**
 * The stateDict round trips that differ from the uninterrupted run, or whose scalers differ
 * (with a GradScaler), or that reported errors; `steps` is the expected final step count.
 */
export function roundTripFailures(results: RoundTripResult[], steps: number): string[] {
  return results.flatMap((r) => {
    const problems: string[] = [];
    if (r.paramMismatches > 0) problems.push(`${r.desc}: ${r.paramMismatches} params differ`);
    if (r.stateMismatches.length > 0)
      problems.push(`${r.desc}: ${r.stateMismatches.join(', ')} differ`);
    if (r.errors.length > 0) problems.push(`${r.desc}: ${r.errors.join(' | ')}`);
    if (r.scalers && r.scalers[0] !== r.scalers[1])
      problems.push(`${r.desc}: scalers ${r.scalers[0]} and ${r.scalers[1]}`);
    if (r.stepCounts.some((c) => c !== steps))
      problems.push(`${r.desc}: step counts ${r.stepCounts.join(',')}`);
    return problems;
  });
}

/**
 * Results that are not bitwise equal to the reference. LAMB's params are left out: its trust
 * ratio divides norms the GPU sums in f32 trees and the reference in f64 (its state is
 * bitwise, and `lambUlps` bounds its params).
 */
export function bitMismatches(results: ParityResult[]): string[] {
  return results
    .filter((r) => (r.tensorSums ? 0 : r.bitMismatches.param) + r.bitMismatches.state > 0)
    .map((r) => `${r.desc}: ${JSON.stringify(r.bitMismatches)}`);
}

/**
 * LAMB's params beyond 8 ULP of their running magnitude (measured on SwiftShader, headless
 * Chrome and Dawn: at most 6 over 10 steps, lengths 1…4097, every layout, f32/f16/bf16
 * state, workgroup sizes 33 to 256; 6.1 over 4 steps of 100 003 elements): a few ULP of the
 * trust ratio, carried into p − lr·ratio·u.
 */
export function lambUlps(results: ParityResult[]): string[] {
  return results
    .filter((r) => r.tensorSums && r.param.ulps > 8)
    .map((r) => `${r.desc}: params ${r.param.ulps} ULP at ${r.param.index}`);
}
