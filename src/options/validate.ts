import { DEFAULTS } from './defaults.ts';
import type { Algorithm, OptionsByAlgorithm, Resolved, StateName } from './types.ts';

function fail(where: string, message: string): never {
  throw new RangeError(`${where}: ${message}`);
}

function checkNumber(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${where}: ${name} must be a finite number, got ${String(value)}`);
  }
  return value;
}

function checkBoolean(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`${where}: ${name} must be a boolean, got ${String(value)}`);
  }
  return value;
}

/**
 * Fills in defaults and validates every option, with messages in PyTorch's style that name the
 * option and the value ("Invalid learning rate: -1"). Unknown option names are rejected so a
 * typo such as `weight_decay` does not pass silently.
 */
export function resolveOptions<A extends Algorithm>(
  algorithm: A,
  options: OptionsByAlgorithm[A] | undefined,
  where: string,
  extraKeys: readonly string[] = [],
): Resolved<OptionsByAlgorithm[A]> {
  const defaults = DEFAULTS[algorithm] as Record<string, unknown>;
  const given = (options ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(key in defaults) && !extraKeys.includes(key)) {
      throw new TypeError(
        `${where}: unknown option "${key}" for ${algorithm}; known options are ${Object.keys(defaults).join(', ')}`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(defaults)) {
    const value = given[key] === undefined ? def : given[key];
    if (typeof def === 'boolean') out[key] = checkBoolean(where, key, value);
    else if (typeof def === 'number') out[key] = checkNumber(where, key, value);
    else out[key] = value;
  }
  const o = out as Record<string, number | boolean | readonly number[]>;
  if ((o.lr as number) < 0) fail(where, `Invalid learning rate: ${String(o.lr)}`);
  if ((o.weightDecay as number) < 0)
    fail(where, `Invalid weightDecay value: ${String(o.weightDecay)}`);
  if ('eps' in o && (o.eps as number) <= 0)
    fail(where, `Invalid epsilon value: ${String(o.eps)} (must be > 0)`);
  if ('momentum' in o && (o.momentum as number) < 0) {
    fail(where, `Invalid momentum value: ${String(o.momentum)}`);
  }
  if (algorithm === 'sgd') {
    const d = o.dampening as number;
    if (d < 0 || d > 1) fail(where, `Invalid dampening value: ${d} (must be in [0, 1])`);
    if (o.nesterov === true && ((o.momentum as number) <= 0 || d !== 0)) {
      fail(
        where,
        `Nesterov momentum requires a momentum > 0 and zero dampening, got momentum=${String(o.momentum)}, dampening=${d}`,
      );
    }
  }
  if (algorithm === 'adagrad') {
    if ((o.lrDecay as number) < 0) fail(where, `Invalid lrDecay value: ${String(o.lrDecay)}`);
    if ((o.initialAccumulatorValue as number) < 0) {
      fail(where, `Invalid initialAccumulatorValue value: ${String(o.initialAccumulatorValue)}`);
    }
  }
  if (algorithm === 'rmsprop') {
    const a = o.alpha as number;
    if (!(a >= 0 && a < 1)) fail(where, `Invalid alpha value: ${a} (must be in [0, 1))`);
  }
  if (algorithm === 'adadelta') {
    const r = o.rho as number;
    if (!(r >= 0 && r <= 1)) fail(where, `Invalid rho value: ${r} (must be in [0, 1])`);
  }
  if (algorithm === 'nadam' && (o.momentumDecay as number) < 0) {
    fail(where, `Invalid momentumDecay value: ${String(o.momentumDecay)}`);
  }
  if (algorithm === 'schedulefreeadamw') {
    const w = o.warmupSteps as number;
    if (!Number.isInteger(w) || w < 0) {
      fail(where, `Invalid warmupSteps value: ${w} (must be an integer >= 0)`);
    }
    if ((o.weightSum as number) < 0) fail(where, `Invalid weightSum value: ${String(o.weightSum)}`);
  }
  if (
    algorithm === 'adam' ||
    algorithm === 'adamw' ||
    algorithm === 'adamax' ||
    algorithm === 'lion' ||
    algorithm === 'nadam' ||
    algorithm === 'radam' ||
    algorithm === 'lamb' ||
    algorithm === 'schedulefreeadamw'
  ) {
    // lion-pytorch allows β = 1 (no interpolation or no momentum decay); Adam's family does not
    const closed = algorithm === 'lion';
    const betas = o.betas;
    if (!Array.isArray(betas) || betas.length !== 2) {
      throw new TypeError(`${where}: betas must be a pair [beta1, beta2], got ${String(betas)}`);
    }
    betas.forEach((b: unknown, i) => {
      const v = checkNumber(where, `betas[${i}]`, b);
      if (!(v >= 0 && (closed ? v <= 1 : v < 1)))
        fail(
          where,
          `Invalid beta parameter at index ${i}: ${v} (must be in [0, 1${closed ? ']' : ')'})`,
        );
    });
    out.betas = [betas[0], betas[1]] as const;
  }
  return out as Resolved<OptionsByAlgorithm[A]>;
}

/** The per-tensor state arrays an optimizer keeps, in storage order (PyTorch's names). */
export function stateNames<A extends Algorithm>(
  algorithm: A,
  o: Resolved<OptionsByAlgorithm[A]>,
): StateName[] {
  switch (algorithm) {
    case 'sgd':
      return (o as unknown as Resolved<OptionsByAlgorithm['sgd']>).momentum > 0
        ? ['momentum_buffer']
        : [];
    case 'adagrad':
      return ['sum'];
    case 'rmsprop': {
      const r = o as unknown as Resolved<OptionsByAlgorithm['rmsprop']>;
      const names: StateName[] = ['square_avg'];
      if (r.momentum > 0) names.push('momentum_buffer');
      if (r.centered) names.push('grad_avg');
      return names;
    }
    case 'adamax':
      return ['exp_avg', 'exp_inf'];
    case 'adadelta':
      return ['square_avg', 'acc_delta'];
    case 'lion':
      return ['exp_avg'];
    case 'nadam':
    case 'radam':
    case 'lamb':
      return ['exp_avg', 'exp_avg_sq'];
    case 'schedulefreeadamw':
      return ['z', 'exp_avg_sq'];
    default: {
      const a = o as unknown as Resolved<OptionsByAlgorithm['adam']>;
      return a.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];
    }
  }
}

/**
 * Arrays an optimizer keeps on the GPU besides its state (after it, in storage order), never
 * in a state dict: ScheduleFreeAdamW's `saved_y`, the train-mode params eval() replaced, so
 * that train() restores them bitwise.
 */
export function scratchStateNames(algorithm: Algorithm): StateName[] {
  return algorithm === 'schedulefreeadamw' ? ['saved_y'] : [];
}

/** The value a state array starts at (AdaGrad's accumulator; every other state starts at 0). */
export function initialStateValue<A extends Algorithm>(
  algorithm: A,
  name: StateName,
  o: Resolved<OptionsByAlgorithm[A]>,
): number {
  return algorithm === 'adagrad' && name === 'sum'
    ? (o as unknown as Resolved<OptionsByAlgorithm['adagrad']>).initialAccumulatorValue
    : 0;
}
