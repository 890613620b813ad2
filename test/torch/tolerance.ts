/**
 * How far a float32 run may be from torch.optim's float32 run, in ULPs of each element's
 * running magnitude (param: max over the steps of |torch param|; state: of |torch state|).
 *
 * Both sides are float32 with correctly rounded +, −, ×, ÷ and sqrt, and the same formulas,
 * but torch 1.13's CPU kernels group some operations differently from our kernels:
 * - `param.add_(d_p, alpha=-lr)`, `buf.mul_(m).add_(g, alpha=1-dampening)` and `addcmul_` run
 *   as fused multiply-adds (`vec::fmadd`) on full AVX vectors and unfused on the scalar tail;
 * - Adam's first moment is `exp_avg.mul_(β1).add_(g, alpha=1-β1)`; ours is torch 2.x's
 *   `lerp_` (shaders/common.wgsl `torch_lerp`), which rounds differently;
 * - `max_norm / (total_norm + 1e-6)` is `reciprocal(total_norm + 1e-6) * max_norm` (Tensor's
 *   `__rtruediv__`), and the norm is a norm of per-tensor norms, where we sum squares in f64.
 * Each such regrouping is ≤ 1 ULP of the value it produces, and it is carried through the
 * 12 steps by the running averages (which shrink old errors by factors < 1). The bounds are
 * the measured maxima over every case of test/fixtures/torch/optim.json, rounded up to the
 * next whole ULP (measured param / state: SGD 5.42 / 3.01 (dampening 0.3 with weight decay;
 * momentum buffers compound the fused add), Adagrad 2.57 / 2.49, RMSprop 4.00 / 4.65
 * (3.998: the distinct-values case, alpha 0.95 with momentum 0.7), Adam 3.32 / 3.77,
 * AdamW 2.28 / 3.64; in test/fixtures/torch/h11a.json: Adamax 3.22 / 3.17 (torch 1.13's
 * mul_/add_ first moment against our lerp), Adadelta 2.49 / 4.55; NAdam and RAdam below).
 * A real bug (a wrong default, a dropped term, a
 * swapped branch) moves results by orders of magnitude more: the "+1e-6" of the clip
 * coefficient alone changes the tiny-gradient cases by a factor of about 2.
 */
import type { Algorithm } from '../../src/options/types.ts';
import type { TorchWorst } from './fixture.ts';

/** Allowed ULPs per algorithm for params (every step) and for the final state. */
export const TORCH_ULPS: Record<Algorithm, { param: number; state: number }> = {
  sgd: { param: 6, state: 4 },
  adagrad: { param: 3, state: 3 },
  rmsprop: { param: 4, state: 5 },
  adam: { param: 4, state: 4 },
  adamw: { param: 3, state: 4 },
  adamax: { param: 4, state: 4 },
  adadelta: { param: 3, state: 5 },
  // against a float64 run (no torch Lion): p takes 2 roundings (≤ 0.5 ULP each) per step that
  // f64 does not, so ≤ 12 ULP over the 12 steps; measured 7.05 / 2.06
  lion: { param: 12, state: 3 },
  // test/fixtures/torch/nadam_radam.json (a float32 transcription of torch 2.x, which uses
  // lerp_ as we do): measured NAdam 2.06 / 2.19, RAdam 2.38 / 2.13; the rest is addcmul_'s FMA.
  nadam: { param: 3, state: 3 },
  radam: { param: 3, state: 3 },
  // Against the float64 transcription of optax's lamb (scripts/fixtures/lamb.py), not a
  // float32 run: measured param / state 3.50 / 4.38 (f32 rounding of the moments over 12
  // steps, and of ‖p‖, ‖u‖ and the ratio, which the reference sums in f64 then rounds).
  lamb: { param: 4, state: 5 },
  // Our f32 against the float64 transcription of schedule_free v1.3 (h11d.json, through
  // train/eval switches; z in ULPs of the params' running max): measured 3.84 / 4.46.
  schedulefreeadamw: { param: 4, state: 5 },
};

/**
 * The same for the epsInsideSqrt cases, whose fixture is the float64 transcription of torch's
 * loop (exact up to 1e-10 relative as written): here the whole difference is our float32
 * rounding, ≤ 0.5 ULP per operation with ~10 operations per step, damped by the running
 * averages as above. Measured maxima over those 59 cases (param / state): Adagrad 3.01 / 2.27,
 * RMSprop 6.79 / 3.78 (centered with momentum and weight decay: the momentum buffer sums
 * g / avg terms, each rounded), Adam 2.84 / 4.38 (state: at the defaults with |g| ≤ 1e-4,
 * where v/bc2 + ε is dominated by ε), AdamW 6.18 / 4.38 (param: the distinct-values case,
 * weight decay 0.15 and betas (0.85, 0.98)); bounds rounded up to the next whole ULP.
 * Dropping AMSGrad's max on this path fails them (scripts/bugs/catalogue.ts,
 * amsgrad-max-ignored-eps-inside).
 */
export const TORCH_F64_ULPS: Partial<Record<Algorithm, { param: number; state: number }>> = {
  adagrad: { param: 4, state: 3 },
  rmsprop: { param: 7, state: 4 },
  adam: { param: 3, state: 5 },
  adamw: { param: 7, state: 5 },
};

/**
 * Allowed relative difference of the clip norm: torch takes the 2-norm of the per-tensor
 * 2-norms in float32, we sum the squares in f64 (the GPU in an f32 tree); measured 1.05e-7,
 * that is 1 ULP (2^-23 relative), so the bound is 2 ULP.
 */
export const TORCH_NORM_REL = 2 ** -22;

/** The failures of a set of measurements, one readable line each. */
export function torchFailures(results: TorchWorst[]): string[] {
  return results.flatMap((w) => {
    const bound =
      (w.precision === 'float64' ? TORCH_F64_ULPS[w.algorithm] : undefined) ??
      TORCH_ULPS[w.algorithm];
    const bad: string[] = [];
    if (!(w.paramUlps <= bound.param))
      bad.push(`${w.desc}: params ${w.paramUlps.toFixed(2)} ULP > ${bound.param} (${w.at})`);
    if (!(w.stateUlps <= bound.state))
      bad.push(`${w.desc}: state ${w.stateUlps.toFixed(2)} ULP > ${bound.state}`);
    if (w.nonFinite > 0) bad.push(`${w.desc}: ${w.nonFinite} non-finite values`);
    if (!(w.normRel <= TORCH_NORM_REL)) bad.push(`${w.desc}: clip norm off by ${w.normRel}`);
    if (w.missing.length > 0) bad.push(`${w.desc}: state ${w.missing.join(', ')}`);
    return bad;
  });
}
