/**
 * A catalogue of realistic single-line bugs, each applied to the WGSL kernel AND the CPU
 * reference together, so that GPU–reference parity cannot see it: only tests against an
 * outside authority (the PyTorch fixtures, the hand-derived goldens, the pinned defaults) can.
 * A bug in host code that both sides share (src/options: defaults, per-step scalars, initial
 * state) is one edit. `npm run bugs` (scripts/bugs/run.ts) applies each bug to a scratch copy
 * of the repository, runs the Node suite there and records which tests fail in
 * scripts/bugs/results.json; test/node/bugs.test.ts checks that every bug still applies
 * cleanly to the sources and that the record has every bug failing at least one test.
 */

/** One textual edit: `find` must occur exactly once in `file`, and becomes `replace`. */
export interface BugEdit {
  file: string;
  find: string;
  replace: string;
}

export interface Bug {
  /** Short kebab-case name, the key in scripts/bugs/results.json. */
  id: string;
  /** What the bug does, in the words of someone reviewing it. */
  desc: string;
  /** The edits: one per side (shader, reference), or one in host code both sides share. */
  edits: BugEdit[];
  /**
   * Test files run for this bug besides the default ones (scripts/bugs/run.ts's TESTS): the
   * fixture comparisons of the algorithms merged after the catalogue was first measured.
   */
  tests?: string[];
}

const ADAM_WGSL = 'shaders/adam.wgsl';
const ADAM_REF = 'src/reference/adam.ts';
const SGD_WGSL = 'shaders/sgd.wgsl';
const SGD_REF = 'src/reference/sgd.ts';
const RMS_WGSL = 'shaders/rmsprop.wgsl';
const RMS_REF = 'src/reference/rmsprop.ts';
const ADAGRAD_WGSL = 'shaders/adagrad.wgsl';
const ADAGRAD_REF = 'src/reference/adagrad.ts';
const SCALARS = 'src/options/scalars.ts';
const DEFAULTS = 'src/options/defaults.ts';
const H11A_TESTS = ['test/node/torchAdamaxAdadeltaLion.test.ts'];
const Q8 = 'src/options/q8.ts';
const Q8_WGSL = 'shaders/state_q8.wgsl';
const Q8_TESTS = ['test/node/q8.test.ts'];
const NADAM_RADAM_TESTS = [
  'test/node/torchNadamRadam.test.ts',
  'test/node/goldensNadamRadam.test.ts',
];

export const BUGS: Bug[] = [
  {
    id: 'amsgrad-max-ignored-eps-inside',
    desc: "AMSGrad's running max is kept but not used on the epsInsideSqrt path",
    edits: [
      {
        file: ADAM_WGSL,
        find: 'denom = sqrt(v / u.bias_correction2 + u.eps);',
        replace: 'denom = sqrt(exp_avg_sq / u.bias_correction2 + u.eps);',
      },
      {
        file: ADAM_REF,
        find: '? sqrt(add(div(v, u.bias_correction2), u.eps))',
        replace: '? sqrt(add(div(s, u.bias_correction2), u.eps))',
      },
    ],
  },
  {
    id: 'amsgrad-max-ignored',
    desc: "AMSGrad's running max is kept but not used (ε outside the root)",
    edits: [
      {
        file: ADAM_WGSL,
        find: 'denom = sqrt(v) / u.bias_correction2_sqrt + u.eps;',
        replace: 'denom = sqrt(exp_avg_sq) / u.bias_correction2_sqrt + u.eps;',
      },
      {
        file: ADAM_REF,
        find: ': add(div(sqrt(v), u.bias_correction2_sqrt), u.eps);',
        replace: ': add(div(sqrt(s), u.bias_correction2_sqrt), u.eps);',
      },
    ],
  },
  {
    id: 'rmsprop-default-alpha',
    desc: "RMSprop's default alpha is 0.9 (Keras's rho) instead of PyTorch's 0.99",
    edits: [{ file: DEFAULTS, find: 'alpha: 0.99,', replace: 'alpha: 0.9,' }],
  },
  {
    id: 'clip-norm-eps-dropped',
    desc: "clip_grad_norm_'s coefficient is maxNorm / norm, without the + 1e-6",
    edits: [
      {
        file: 'shaders/gradnorm.wgsl',
        find: 'control.coef = min(1.0, control.max_norm / (norm + 1e-6));',
        replace: 'control.coef = min(1.0, control.max_norm / norm);',
      },
      {
        file: 'src/reference/clip.ts',
        find: 'div(f32(maxNorm), add(norm, f32(1e-6)))',
        replace: 'div(f32(maxNorm), norm)',
      },
    ],
  },
  {
    id: 'nesterov-momentum-factor',
    desc: 'Nesterov adds the buffer without the momentum factor: g + buf',
    edits: [
      { file: SGD_WGSL, find: 'g = g + u.momentum * buf;', replace: 'g = g + buf;' },
      {
        file: SGD_REF,
        find: 'if (flags.nesterov) g = add(g, mul(u.momentum, buf));',
        replace: 'if (flags.nesterov) g = add(g, buf);',
      },
    ],
  },
  {
    id: 'centered-rmsprop-sign',
    desc: 'Centered RMSprop adds grad_avg² instead of subtracting it',
    edits: [
      {
        file: RMS_WGSL,
        find: 'v = square_avg - grad_avg * grad_avg;',
        replace: 'v = square_avg + grad_avg * grad_avg;',
      },
      { file: RMS_REF, find: 'v = sub(sq, mul(ga, ga));', replace: 'v = add(sq, mul(ga, ga));' },
    ],
  },
  {
    id: 'rmsprop-momentum-alpha',
    desc: "RMSprop's momentum buffer decays by alpha instead of momentum",
    edits: [
      {
        file: RMS_WGSL,
        find: 'let buf = s.s1 * u.momentum + g / avg;',
        replace: 'let buf = s.s1 * u.alpha + g / avg;',
      },
      {
        file: RMS_REF,
        find: 'const buf = add(mul(momentumBuffer[i] as number, u.momentum), div(g, avg));',
        replace: 'const buf = add(mul(momentumBuffer[i] as number, u.alpha), div(g, avg));',
      },
    ],
  },
  {
    id: 'adagrad-lr-decay-off-by-one',
    desc: "Adagrad's lr decay counts from step 1: clr = lr / (1 + step·lrDecay)",
    edits: [
      {
        file: SCALARS,
        find: 'clr: o.lr / (1 + (step - 1) * o.lrDecay)',
        replace: 'clr: o.lr / (1 + step * o.lrDecay)',
      },
    ],
  },
  {
    id: 'adam-no-bias-correction1',
    desc: "Adam's step size drops the first moment's bias correction",
    edits: [
      { file: SCALARS, find: 'step_size: o.lr / biasCorrection1,', replace: 'step_size: o.lr,' },
    ],
  },
  {
    id: 'adam-bias-correction2-unsquared',
    desc: 'Adam divides sqrt(v) by bias_correction2 instead of its square root',
    edits: [
      {
        file: SCALARS,
        find: 'step_size: o.lr / biasCorrection1,\n    bias_correction2: biasCorrection2,\n    bias_correction2_sqrt: Math.sqrt(biasCorrection2),',
        replace:
          'step_size: o.lr / biasCorrection1,\n    bias_correction2: biasCorrection2,\n    bias_correction2_sqrt: biasCorrection2,',
      },
    ],
  },
  {
    id: 'adamw-decay-without-lr',
    desc: "AdamW's decoupled decay forgets the lr: p·(1 − wd)",
    edits: [
      {
        file: SCALARS,
        find: 'beta2 ** step;\n  return {\n    weight_decay: o.weightDecay,\n    decay_factor: 1 - o.lr * o.weightDecay,',
        replace:
          'beta2 ** step;\n  return {\n    weight_decay: o.weightDecay,\n    decay_factor: 1 - o.weightDecay,',
      },
    ],
  },
  {
    id: 'adamw-coupled-decay',
    desc: 'AdamW adds L2 decay to the gradient as well as decaying the param',
    edits: [
      {
        file: ADAM_WGSL,
        find: '    p = p * u.decay_factor;\n',
        replace: '    p = p * u.decay_factor;\n    g = l2(g, p, u.weight_decay);\n',
      },
      {
        file: ADAM_REF,
        find: 'if (flags.decoupled) p = mul(p, u.decay_factor);',
        replace:
          'if (flags.decoupled) (p = mul(p, u.decay_factor)), (g = l2(g, p, u.weight_decay));',
      },
    ],
  },
  {
    id: 'sgd-dampening-first-step',
    desc: 'SGD applies dampening when it creates the momentum buffer (PyTorch copies g)',
    edits: [
      { file: SGD_WGSL, find: '      buf = g;', replace: '      buf = u.one_minus_dampening * g;' },
      {
        file: SGD_REF,
        find: 'if (u.first_step !== 0) buf = g;',
        replace: 'if (u.first_step !== 0) buf = mul(u.one_minus_dampening, g);',
      },
    ],
  },
  {
    id: 'sgd-dampening-ignored',
    desc: 'SGD ignores dampening after the first step',
    edits: [
      {
        file: SGD_WGSL,
        find: 'buf = s.s0 * u.momentum + u.one_minus_dampening * g;',
        replace: 'buf = s.s0 * u.momentum + g;',
      },
      {
        file: SGD_REF,
        find: 'mul(u.one_minus_dampening, g));',
        replace: 'g);',
      },
    ],
  },
  {
    id: 'l2-sign-flipped',
    desc: 'L2 weight decay subtracts wd·p from the gradient instead of adding it',
    edits: [
      { file: 'shaders/common.wgsl', find: 'return g + wd * p;', replace: 'return g - wd * p;' },
      {
        file: 'src/reference/f32.ts',
        find: 'return wd !== 0 ? add(g, mul(wd, p)) : g;',
        replace: 'return wd !== 0 ? sub(g, mul(wd, p)) : g;',
      },
    ],
  },
  {
    id: 'maximize-ignored-adam',
    desc: 'maximize is ignored by Adam and AdamW (the kernel never sets the MAXIMIZE override)',
    edits: [
      { file: ADAM_REF, find: 'if (flags.maximize) g = -g;', replace: '' },
      {
        file: 'src/kernels/adam.ts',
        find: 'MAXIMIZE: Number(o.maximize),',
        replace: 'MAXIMIZE: 0,',
      },
    ],
  },
  {
    id: 'adagrad-eps-inside-default',
    desc: 'Adagrad puts ε inside the root on the PyTorch path too',
    edits: [
      {
        file: ADAGRAD_WGSL,
        find: 'std_dev = sqrt(sum) + u.eps;',
        replace: 'std_dev = sqrt(sum + u.eps);',
      },
      {
        file: ADAGRAD_REF,
        find: ': add(sqrt(s), u.eps);',
        replace: ': sqrt(add(s, u.eps));',
      },
    ],
  },
  {
    id: 'adagrad-initial-accumulator-ignored',
    desc: "Adagrad's sum starts at 0 whatever initialAccumulatorValue says",
    edits: [
      {
        file: 'src/options/validate.ts',
        find: "? (o as unknown as Resolved<OptionsByAlgorithm['adagrad']>).initialAccumulatorValue",
        replace: '? 0',
      },
    ],
  },
  {
    id: 'adam-default-beta2',
    desc: "Adam's default beta2 is 0.99 instead of 0.999",
    edits: [
      {
        file: DEFAULTS,
        find: 'betas: [0.9, 0.999],\n    eps: 1e-8,\n    weightDecay: 0,\n    amsgrad: false,',
        replace: 'betas: [0.9, 0.99],\n    eps: 1e-8,\n    weightDecay: 0,\n    amsgrad: false,',
      },
    ],
  },
  {
    id: 'adagrad-default-eps',
    desc: "Adagrad's default ε is 1e-8 instead of PyTorch's 1e-10",
    edits: [{ file: DEFAULTS, find: 'eps: 1e-10,', replace: 'eps: 1e-8,' }],
  },
  {
    id: 'rmsprop-eps-inside-default',
    desc: 'RMSprop puts ε inside the root on the PyTorch path too',
    edits: [
      { file: RMS_WGSL, find: 'avg = sqrt(v) + u.eps;', replace: 'avg = sqrt(v + u.eps);' },
      {
        file: RMS_REF,
        find: ': add(sqrt(v), u.eps);',
        replace: ': sqrt(add(v, u.eps));',
      },
    ],
  },
  {
    id: 'clip-value-one-sided',
    desc: 'clip_grad_value_ clamps only from above',
    edits: [
      {
        file: 'shaders/common.wgsl',
        find: 'out = clamp(out, vec4<f32>(-control.clip_value), vec4<f32>(control.clip_value));',
        replace: 'out = min(out, vec4<f32>(control.clip_value));',
      },
      {
        file: 'src/reference/clip.ts',
        find: 'if (v !== null) y = Math.min(Math.max(y, -v), v);',
        replace: 'if (v !== null) y = Math.min(y, v);',
      },
    ],
  },
  {
    id: 'cosine-annealing-full-period',
    desc: 'cosineAnnealing runs a full cosine period over tMax instead of half of one',
    edits: [
      {
        file: 'src/schedules/cosine.ts',
        find: 'Math.cos((Math.PI * step) / tMax)',
        replace: 'Math.cos((2 * Math.PI * step) / tMax)',
      },
    ],
  },
  {
    id: 'step-decay-off-by-one',
    desc: 'stepDecay decays one step early: floor((step + 1) / stepSize)',
    edits: [
      {
        file: 'src/schedules/decay.ts',
        find: 'gamma ** Math.floor(step / stepSize)',
        replace: 'gamma ** Math.floor((step + 1) / stepSize)',
      },
    ],
  },
  {
    id: 'adam-eps-before-bias-correction',
    desc: 'Adam adds ε before dividing by √bias_correction2: (√v + ε) / √bc2',
    edits: [
      {
        file: ADAM_WGSL,
        find: 'denom = sqrt(v) / u.bias_correction2_sqrt + u.eps;',
        replace: 'denom = (sqrt(v) + u.eps) / u.bias_correction2_sqrt;',
      },
      {
        file: ADAM_REF,
        find: ': add(div(sqrt(v), u.bias_correction2_sqrt), u.eps);',
        replace: ': div(add(sqrt(v), u.eps), u.bias_correction2_sqrt);',
      },
    ],
  },
  {
    id: 'adam-first-moment-beta2',
    desc: "Adam's first moment is averaged with 1 − beta2 instead of 1 − beta1",
    edits: [
      {
        file: ADAM_WGSL,
        find: 'let exp_avg = torch_lerp(s.s0, g, u.one_minus_beta1);',
        replace: 'let exp_avg = torch_lerp(s.s0, g, u.one_minus_beta2);',
      },
      {
        file: ADAM_REF,
        find: 'const m = torchLerp(expAvg[i] as number, g, u.one_minus_beta1);',
        replace: 'const m = torchLerp(expAvg[i] as number, g, u.one_minus_beta2);',
      },
    ],
  },
  {
    id: 'centered-grad-avg-weight',
    desc: "Centered RMSprop's grad_avg is averaged with alpha instead of 1 − alpha",
    edits: [
      {
        file: RMS_WGSL,
        find: 'grad_avg = torch_lerp(s.s1, g, u.one_minus_alpha);',
        replace: 'grad_avg = torch_lerp(s.s1, g, u.alpha);',
      },
      {
        file: RMS_REF,
        find: 'const ga = torchLerp(gradAvg[i] as number, g, u.one_minus_alpha);',
        replace: 'const ga = torchLerp(gradAvg[i] as number, g, u.alpha);',
      },
    ],
  },
  {
    id: 'adagrad-weight-decay-ignored',
    desc: 'Adagrad ignores weightDecay',
    edits: [
      { file: ADAGRAD_WGSL, find: 'g = l2(g, p, u.weight_decay);', replace: '' },
      { file: ADAGRAD_REF, find: 'g = l2(g, p, u.weight_decay);', replace: '' },
    ],
  },
  {
    id: 'rmsprop-default-eps',
    desc: "RMSprop's default ε is 1e-6 instead of 1e-8",
    edits: [
      {
        file: DEFAULTS,
        find: 'eps: 1e-8,\n    weightDecay: 0,\n    momentum: 0,',
        replace: 'eps: 1e-6,\n    weightDecay: 0,\n    momentum: 0,',
      },
    ],
  },
  {
    id: 'clip-norm-without-sqrt',
    desc: 'clip_grad_norm_ uses the sum of squares as the norm',
    edits: [
      {
        file: 'shaders/gradnorm.wgsl',
        find: 'let norm = sqrt(total);',
        replace: 'let norm = total;',
      },
      {
        file: 'src/reference/clip.ts',
        find: 'const norm = f32(Math.sqrt(sum));',
        replace: 'const norm = f32(sum);',
      },
    ],
  },
  {
    id: 'linear-warmup-one-step-ahead',
    desc: 'linearWarmup runs one step ahead: min(totalIters, step + 1)',
    edits: [
      {
        file: 'src/schedules/warmup.ts',
        find: 'Math.min(totalIters, step)',
        replace: 'Math.min(totalIters, step + 1)',
      },
    ],
  },
  {
    id: 'adamax-abs-dropped',
    desc: "Adamax's infinity norm takes max(β2·u, g + ε) without |g|",
    edits: [
      {
        file: 'shaders/adamax.wgsl',
        find: 'max(s.s1 * u.beta2, abs(g) + u.eps)',
        replace: 'max(s.s1 * u.beta2, g + u.eps)',
      },
      {
        file: 'src/reference/adamax.ts',
        find: 'add(Math.abs(g), u.eps)',
        replace: 'add(g, u.eps)',
      },
    ],
    tests: H11A_TESTS,
  },
  {
    id: 'lion-update-uses-beta2',
    desc: "Lion's update direction interpolates with β2 (the momentum's) instead of β1",
    edits: [
      {
        file: 'shaders/lion.wgsl',
        find: 'let c = s.s0 * u.beta1 + u.one_minus_beta1 * g;',
        replace: 'let c = s.s0 * u.beta2 + u.one_minus_beta2 * g;',
      },
      {
        file: 'src/reference/lion.ts',
        find: 'const c = add(mul(m, u.beta1), mul(u.one_minus_beta1, g));',
        replace: 'const c = add(mul(m, u.beta2), mul(u.one_minus_beta2, g));',
      },
    ],
    tests: H11A_TESTS,
  },
  {
    id: 'adadelta-acc-delta-eps-dropped',
    desc: "Adadelta's numerator is sqrt(acc_delta) without + ε (it never leaves zero)",
    edits: [
      {
        file: 'shaders/adadelta.wgsl',
        find: 'let delta = sqrt(s.s1 + u.eps) / std_dev * g;',
        replace: 'let delta = sqrt(s.s1) / std_dev * g;',
      },
      {
        file: 'src/reference/adadelta.ts',
        find: 'div(sqrt(add(acc, u.eps)), stdDev)',
        replace: 'div(sqrt(acc), stdDev)',
      },
    ],
    tests: H11A_TESTS,
  },
  {
    id: 'radam-unrectified-no-bias-correction',
    desc: "RAdam's unrectified (SGD) branch steps with exp_avg, not exp_avg / bias_correction1",
    edits: [
      {
        file: 'shaders/radam.wgsl',
        find: '    p = p - m * u.lr;',
        replace: '    p = p - exp_avg * u.lr;',
      },
      {
        file: 'src/reference/radam.ts',
        find: 'p = sub(p, mul(m, u.lr));',
        replace: 'p = sub(p, mul(ea, u.lr));',
      },
    ],
    tests: NADAM_RADAM_TESTS,
  },
  {
    id: 'radam-rectify-threshold',
    desc: "RAdam rectifies from rho_t > 4 instead of torch's rho_t > 5 (host scalars)",
    edits: [
      {
        file: SCALARS,
        find: 'const rectified = rhoT > 5;',
        replace: 'const rectified = rhoT > 4;',
      },
    ],
    tests: NADAM_RADAM_TESTS,
  },
  {
    id: 'nadam-default-momentum-decay',
    desc: "NAdam's default momentumDecay is 4e-2 instead of torch's 4e-3",
    edits: [{ file: DEFAULTS, find: 'momentumDecay: 4e-3,', replace: 'momentumDecay: 4e-2,' }],
    tests: NADAM_RADAM_TESTS,
  },
  {
    id: 'lamb-trust-ratio-inverted',
    desc: "LAMB's trust ratio is ‖update‖ / ‖param‖ instead of ‖param‖ / ‖update‖",
    edits: [
      {
        file: 'shaders/lamb.wgsl',
        find: 'return param_norm / update_norm;',
        replace: 'return update_norm / param_norm;',
      },
      {
        file: 'src/reference/lamb.ts',
        find: 'return div(paramNorm, updateNorm);',
        replace: 'return div(updateNorm, paramNorm);',
      },
    ],
    tests: ['test/node/lamb.test.ts'],
  },
  {
    id: 'schedulefree-y-lerp-swapped',
    desc: 'Schedule-Free interpolates y from z towards x instead of from x towards z',
    edits: [
      {
        file: 'shaders/schedulefree.wgsl',
        find: 'var y = torch_lerp(p_in, z, u.ckp1);',
        replace: 'var y = torch_lerp(z, p_in, u.ckp1);',
      },
      {
        file: 'src/reference/scheduleFree.ts',
        find: 'let y = torchLerp(p, zi, u.ckp1);',
        replace: 'let y = torchLerp(zi, p, u.ckp1);',
      },
    ],
    tests: ['test/node/scheduleFree.test.ts'],
  },
  {
    id: 'q8-ties-round-down',
    desc: 'The 8-bit quantiser sends a value exactly on a midpoint to the lower entry (> for >=)',
    edits: [
      {
        file: Q8_WGSL,
        find: 'return select(v >= t, v > t, up);',
        replace: 'return select(v > t, v > t, up);',
      },
      { file: Q8, find: 'if (x >= Math.fround(', replace: 'if (x > Math.fround(' },
    ],
    tests: Q8_TESTS,
  },
  {
    id: 'q8-adadelta-square-avg-nearest',
    desc: "Adadelta's 8-bit square_avg rounds to nearest like every other array, not up",
    edits: [{ file: Q8, find: "  adadelta: ['square_avg'],\n", replace: '  adadelta: [],\n' }],
    tests: [...Q8_TESTS, 'test/node/state8Adadelta.test.ts'],
  },
  {
    id: 'q8-zero-code-128',
    desc: "0 is stored as signed code 128 (the smallest positive entry) instead of 127 (the map's 0)",
    edits: [
      {
        file: Q8_WGSL,
        find: 'return select(0u, 127u, signed);',
        replace: 'return select(0u, 128u, signed);',
      },
      {
        file: Q8,
        find: 'if (x === 0) return signed ? SIGNED_ZERO : 0;',
        replace: 'if (x === 0) return signed ? SIGNED_ZERO + 1 : 0;',
      },
    ],
    tests: Q8_TESTS,
  },
  {
    id: 'q8-signed-map-swapped',
    desc: 'First moments use the unsigned 8-bit map and second moments the signed one',
    edits: [
      {
        file: Q8,
        find: 'return Q8_SIGNED_STATES.includes(name);',
        replace: 'return !Q8_SIGNED_STATES.includes(name);',
      },
    ],
    tests: Q8_TESTS,
  },
  {
    id: 'q8-no-subnormal-flush',
    desc: 'The 8-bit quantiser keeps subnormals, so codes depend on whether a device flushes them',
    edits: [
      {
        file: Q8_WGSL,
        find: 'return select(x, 0.0, (bitcast<u32>(x) & 0x7fffffffu) < 0x00800000u);',
        replace: 'return x;',
      },
      {
        file: Q8,
        find: 'return absBits(x) < MIN_NORMAL_BITS ? 0 : Math.fround(x);',
        replace: 'return Math.fround(x);',
      },
    ],
    tests: Q8_TESTS,
  },
  {
    id: 'q8-thresholds-at-upper-entry',
    desc: 'The 8-bit decision thresholds are the upper map entries, not the midpoints (rounds down)',
    edits: [
      {
        file: Q8,
        find: 'mids[k] = ((map[k] as number) + (map[k + 1] as number)) / 2;',
        replace: 'mids[k] = map[k + 1] as number;',
      },
    ],
    tests: Q8_TESTS,
  },
];
