import type { ParamGroupInput } from '../options/groups.ts';
import type {
  AdadeltaOptions,
  AdagradOptions,
  AdamaxOptions,
  AdamOptions,
  AdamWOptions,
  LionOptions,
  NAdamOptions,
  RAdamOptions,
  LambOptions,
  RMSpropOptions,
  SGDOptions,
} from '../options/types.ts';
import { ReferenceOptimizer, type ReferenceOptions } from './optimizer.ts';

type Params<O> = readonly Float32Array[] | readonly ParamGroupInput<Float32Array, O>[];

/** CPU twin of `SGD`. */
export class SGDReference extends ReferenceOptimizer<'sgd'> {
  constructor(params: Params<SGDOptions>, options?: SGDOptions & ReferenceOptions) {
    super('sgd', params, options);
  }
}

/** CPU twin of `Adagrad`. */
export class AdagradReference extends ReferenceOptimizer<'adagrad'> {
  constructor(params: Params<AdagradOptions>, options?: AdagradOptions & ReferenceOptions) {
    super('adagrad', params, options);
  }
}

/** CPU twin of `RMSprop`. */
export class RMSpropReference extends ReferenceOptimizer<'rmsprop'> {
  constructor(params: Params<RMSpropOptions>, options?: RMSpropOptions & ReferenceOptions) {
    super('rmsprop', params, options);
  }
}

/** CPU twin of `Adam`. */
export class AdamReference extends ReferenceOptimizer<'adam'> {
  constructor(params: Params<AdamOptions>, options?: AdamOptions & ReferenceOptions) {
    super('adam', params, options);
  }
}

/** CPU twin of `AdamW`. */
export class AdamWReference extends ReferenceOptimizer<'adamw'> {
  constructor(params: Params<AdamWOptions>, options?: AdamWOptions & ReferenceOptions) {
    super('adamw', params, options);
  }
}

/** CPU twin of `Adamax`. */
export class AdamaxReference extends ReferenceOptimizer<'adamax'> {
  constructor(params: Params<AdamaxOptions>, options?: AdamaxOptions & ReferenceOptions) {
    super('adamax', params, options);
  }
}

/** CPU twin of `Adadelta`. */
export class AdadeltaReference extends ReferenceOptimizer<'adadelta'> {
  constructor(params: Params<AdadeltaOptions>, options?: AdadeltaOptions & ReferenceOptions) {
    super('adadelta', params, options);
  }
}

/** CPU twin of `Lion`. */
export class LionReference extends ReferenceOptimizer<'lion'> {
  constructor(params: Params<LionOptions>, options?: LionOptions & ReferenceOptions) {
    super('lion', params, options);
  }
}

/** CPU twin of `NAdam`. */
export class NAdamReference extends ReferenceOptimizer<'nadam'> {
  constructor(params: Params<NAdamOptions>, options?: NAdamOptions & ReferenceOptions) {
    super('nadam', params, options);
  }
}

/** CPU twin of `RAdam`. */
export class RAdamReference extends ReferenceOptimizer<'radam'> {
  constructor(params: Params<RAdamOptions>, options?: RAdamOptions & ReferenceOptions) {
    super('radam', params, options);
  }
}

/** CPU twin of `LAMB`. */
export class LAMBReference extends ReferenceOptimizer<'lamb'> {
  constructor(params: Params<LambOptions>, options?: LambOptions & ReferenceOptions) {
    super('lamb', params, options);
  }
}
