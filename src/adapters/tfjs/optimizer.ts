/**
 * A tf.Optimizer that runs this package's fused kernels on the GPUBuffers TF.js's WebGPU
 * backend owns: model.fit, model.trainOnBatch, optimizer.minimize and applyGradients all call
 * `applyGradients`, which updates every variable in place with one submit.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  createOptimizer,
  DEFAULTS,
  type Algorithm,
  type HostOptions,
  type OptionsByAlgorithm,
  type Optimizer as GpuOptimizer,
  type ScheduleFreeAdamW,
  type StateDict,
  type StateName,
  type TensorRef,
  type TensorState,
} from '../../index.ts';
import { checkClip } from '../../options/clip.ts';
import { checkStateDtype } from '../../options/half.ts';
import { checkMin8bitSize, Q8_REFUSED } from '../../options/q8.ts';
import { composeStateDict, savedParamGroups } from '../../options/stateDict.ts';
import { resolveOptions, stateNames } from '../../options/validate.ts';
import {
  checkActiveBackend,
  flushTf,
  gpuData,
  webGpuBackend,
  type TfTensorData,
} from './backend.ts';
import { GradArena } from './gradArena.ts';
import { namedGrads, type NamedTensor } from './gradients.ts';
import {
  fillState,
  attachQ8,
  readStateWeights,
  stateTensors,
  type KnownVariable,
  type StateArrays,
} from './weights.ts';

/** Host options the TF.js optimizer takes (the rest of HostOptions are chosen for you). */
export interface TfjsHostOptions extends Pick<
  HostOptions,
  'clipGradNorm' | 'clipGradValue' | 'gradScaler' | 'stateDtype' | 'min8bitSize' | 'onError'
> {
  /**
   * How each step hands TF.js's gradient buffers to the kernels: 'copy' (default) copies them
   * into one grad buffer the kernels stay bound to; 'bind' binds TF.js's buffers directly,
   * which makes new bind groups whenever TF.js hands out other buffers (usually every step).
   * See docs/tfjs.md for the measurements behind the default.
   */
  gradTransfer?: 'copy' | 'bind';
  /**
   * Whether applyGradients disposes the gradient tensors it is given once their step is
   * submitted (default true), so a loop of `variableGrads` + `applyGradients` leaks nothing.
   * `tf.train.*` optimizers leave them to the caller; pass false to reuse gradients after the
   * call. (minimize and model.fit dispose theirs either way; disposing twice is harmless.)
   */
  disposeGradients?: boolean;
}

const HOST_KEYS = [
  'clipGradNorm',
  'clipGradValue',
  'gradScaler',
  'stateDtype',
  'min8bitSize',
  'onError',
  'gradTransfer',
  'disposeGradients',
] as const;

const WHERE = 'TfjsOptimizer';

let registered = false;

/**
 * A `tf.Optimizer` running one of this package's algorithms (by name: 'sgd', 'adagrad',
 * 'rmsprop', 'adam', 'adamw', ...) with its options (PyTorch's names and defaults). It learns
 * its variables from the first applyGradients; every later call must give gradients for the
 * same variables (in any order and either form).
 */
export class TfjsOptimizer extends tf.Optimizer {
  /** The name TF.js serialization knows this class by. */
  static get className(): string {
    return 'WebgpuOptim';
  }

  /** The algorithm's name, as given to createTfjsOptimizer ('adam', 'sgd', ...). */
  readonly algorithm: Algorithm;
  private readonly options: OptionsByAlgorithm[Algorithm];
  private readonly host: TfjsHostOptions;
  private core: GpuOptimizer<Algorithm> | null = null;
  private arena: GradArena | null = null;
  private vars: KnownVariable[] = [];
  private index = new Map<string, number>();
  private pending: { step: number; arrays: StateArrays } | null = null;
  private disposed = false;
  /** ScheduleFreeAdamW: eval() was called last (train() or nothing: train mode). */
  private evalMode = false;

  constructor(
    algorithm: Algorithm,
    options?: OptionsByAlgorithm[Algorithm],
    hostOptions?: TfjsHostOptions,
  ) {
    super();
    if (typeof algorithm !== 'string' || !Object.hasOwn(DEFAULTS, algorithm)) {
      throw new TypeError(
        `createTfjsOptimizer: unknown algorithm ${JSON.stringify(algorithm)}; known: ${Object.keys(DEFAULTS).join(', ')}`,
      );
    }
    this.algorithm = algorithm;
    resolveOptions(algorithm, options, `createTfjsOptimizer(${algorithm})`);
    const host = hostOptions ?? {};
    if (typeof host !== 'object' || host === null) {
      throw new TypeError(
        `createTfjsOptimizer: hostOptions must be an object, got ${String(host)}`,
      );
    }
    for (const key of Object.keys(host)) {
      if (!(HOST_KEYS as readonly string[]).includes(key)) {
        throw new TypeError(
          `createTfjsOptimizer: unknown host option "${key}"; known: ${HOST_KEYS.join(', ')}`,
        );
      }
    }
    checkClip(host, 'createTfjsOptimizer');
    const dtype = checkStateDtype(host.stateDtype, 'createTfjsOptimizer');
    checkMin8bitSize(host.min8bitSize, 'createTfjsOptimizer');
    // Refused here rather than at the first applyGradients, where the optimizer is built.
    if (dtype === 'q8' && Q8_REFUSED[algorithm]) {
      throw new RangeError(
        `createTfjsOptimizer(${algorithm}): stateDtype "q8" is not available: ${Q8_REFUSED[algorithm]}`,
      );
    }
    if (
      host.gradTransfer !== undefined &&
      host.gradTransfer !== 'copy' &&
      host.gradTransfer !== 'bind'
    ) {
      throw new RangeError(
        `createTfjsOptimizer: gradTransfer must be "copy" or "bind", got ${JSON.stringify(host.gradTransfer)}`,
      );
    }
    if (host.disposeGradients !== undefined && typeof host.disposeGradients !== 'boolean') {
      throw new TypeError(
        `createTfjsOptimizer: disposeGradients must be a boolean, got ${typeof host.disposeGradients}`,
      );
    }
    checkActiveBackend('createTfjsOptimizer');
    // So that tf.loadLayersModel can rebuild the optimizer a saved model names.
    if (!registered) {
      tf.serialization.registerClass(TfjsOptimizer);
      registered = true;
    }
    this.options = { ...(options ?? {}) };
    this.host = { ...host };
  }

  /**
   * The webgpu-optim optimizer doing the work (param groups, `lr`, schedulers attach here), or
   * null before the first applyGradients.
   */
  get gpuOptimizer(): GpuOptimizer<Algorithm> | null {
    return this.core;
  }

  /** The variables this optimizer steps, in state order (empty before the first step). */
  get variableNames(): string[] {
    return this.vars.map((v) => v.name);
  }

  /** Updates the variables named in `variableGradients` with their gradients. */
  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    if (this.disposed) throw new Error(`${WHERE}: applyGradients() called after dispose()`);
    if (this.core ? (this.core as unknown as ScheduleFreeAdamW).mode === 'eval' : this.evalMode) {
      throw new Error(
        `${WHERE}: applyGradients() called in eval mode; call train() before training steps`,
      );
    }
    const grads = namedGrads(variableGradients, WHERE);
    const backend = webGpuBackend(WHERE);
    if (!this.core) this.build(grads, backend.device);
    const core = this.core as unknown as GpuOptimizer<Algorithm>;
    const order = this.order(grads);
    order.forEach((g, i) => {
      const v = this.vars[i] as KnownVariable;
      if (g.tensor.size !== v.length) {
        throw new RangeError(
          `${WHERE}: applyGradients: the gradient of "${v.name}" has ${g.tensor.size} elements, but the variable has ${v.length}`,
        );
      }
    });
    const datas = this.bindVariables(backend, core);
    const gradBuffers = order.map(
      (g, i) =>
        gpuData(
          backend,
          g.tensor,
          `the gradient of "${(this.vars[i] as KnownVariable).name}"`,
          WHERE,
        ).resource,
    );
    flushTf(backend);
    const device = backend.device;
    const encoder = device.createCommandEncoder({
      label: `webgpu-optim/${this.algorithm}/tfjs-step`,
    });
    if (this.arena) {
      this.arena.record(encoder, gradBuffers, WHERE);
      core.step(this.arena.views, encoder);
    } else {
      core.step(
        gradBuffers.map((buffer, i) => ({
          buffer,
          length: (this.vars[i] as KnownVariable).length,
        })),
        encoder,
      );
    }
    device.queue.submit([encoder.finish()]);
    // A read caches the values on the CPU; they are stale now.
    for (const d of datas) d.values = null;
    // Safe once submitted: TF.js reuses or destroys the buffers only for later work.
    if (this.host.disposeGradients !== false) for (const g of grads) g.tensor.dispose();
    this.incrementIterations();
  }

  /**
   * ScheduleFreeAdamW only: switches the variables to x, the average to evaluate and save
   * (ScheduleFreeAdamW.eval). Before the first applyGradients it only records the mode, as the
   * variables then have no z. applyGradients in eval mode throws, as the optimizer does.
   */
  eval(): void {
    this.switchMode('eval');
  }

  /** ScheduleFreeAdamW only: switches the variables back to y (ScheduleFreeAdamW.train). */
  train(): void {
    this.switchMode('train');
  }

  /** TF.js weights: `iter`, then `${variable}/${state}` per variable and state array. */
  override async getWeights(): Promise<NamedTensor[]> {
    if (this.disposed) throw new Error(`${WHERE}: getWeights() called after dispose()`);
    const iter = await this.saveIterations();
    if (!this.core) return [iter];
    const dict = await this.core.stateDict();
    return [iter, ...stateTensors(dict, this.vars, this.stateNames())];
  }

  /**
   * Restores weights saved by getWeights() (here or in another page). Before the first step
   * they are kept and loaded when the variables are known.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    if (this.disposed) throw new Error(`${WHERE}: setWeights() called after dispose()`);
    if (!Array.isArray(weightValues) || weightValues[0]?.name !== 'iter') {
      throw new TypeError(`${WHERE}: setWeights: weightValues must start with the "iter" weight`);
    }
    const rest = await this.extractIterations(weightValues);
    const step = this.iterations;
    const arrays = await readStateWeights(rest, WHERE);
    if (!this.core) {
      if (this.host.gradScaler) {
        throw new Error(
          `${WHERE}: setWeights before the first step is not supported with a gradScaler; use loadStateDict after one`,
        );
      }
      this.pending = { step, arrays };
      return;
    }
    const dict = await this.core.stateDict();
    fillState(dict.state, arrays, step, this.vars, this.stateNames(), WHERE);
    this.recoverQ8(dict.state);
    this.core.loadStateDict(dict);
  }

  /** With 'q8': the 8-bit codes behind the weights' values, so loading them is bitwise. */
  private recoverQ8(state: TensorState[]): void {
    const core = this.core;
    if (core?.stateDtype !== 'q8') return;
    attachQ8(state, (i) => core.isQuantized(i), this.algorithm, this.stateNames());
  }

  /** This package's state dict (see the README's "Saving and loading state"). */
  async stateDict(): Promise<StateDict> {
    return this.requireCore('stateDict()').stateDict();
  }

  /** Restores a dict from stateDict(); the step count becomes TF.js's `iterations` too. */
  loadStateDict(dict: StateDict): void {
    this.requireCore('loadStateDict()').loadStateDict(dict);
    this.iterations_ = dict.state[0]?.step ?? 0;
  }

  /** Algorithm, options and host options (less the GradScaler and onError, which are objects). */
  getConfig(): tf.serialization.ConfigDict {
    const { gradScaler: _s, onError: _e, ...host } = this.host;
    return JSON.parse(
      JSON.stringify({ algorithm: this.algorithm, options: this.options, hostOptions: host }),
    ) as tf.serialization.ConfigDict;
  }

  /** Rebuilds an optimizer from getConfig()'s output. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config.algorithm, config.options, config.hostOptions);
  }

  /** Frees the optimizer's GPU buffers (state, grad copies). Idempotent. */
  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    super.dispose();
    this.core?.destroy();
    this.arena?.destroy();
    this.core = null;
    this.arena = null;
  }

  private switchMode(mode: 'train' | 'eval'): void {
    if (this.disposed) throw new Error(`${WHERE}: ${mode}() called after dispose()`);
    if (this.algorithm !== 'schedulefreeadamw') {
      throw new TypeError(
        `${WHERE}: ${mode}() is for 'schedulefreeadamw' only; this optimizer runs '${this.algorithm}'`,
      );
    }
    if (this.core) {
      const core = this.core as unknown as ScheduleFreeAdamW;
      const backend = webGpuBackend(WHERE);
      const datas = this.bindVariables(backend, this.core);
      // TF.js's queued work (the forward pass that wrote the variables) runs first.
      flushTf(backend);
      if (mode === 'eval') core.eval();
      else core.train();
      for (const d of datas) d.values = null;
    }
    this.evalMode = mode === 'eval';
  }

  /**
   * Resolves the variables' current buffers (giving a variable data of its own when it
   * shares them) and points the optimizer at them when they moved.
   */
  private bindVariables(
    backend: ReturnType<typeof webGpuBackend>,
    core: GpuOptimizer<Algorithm>,
  ): TfTensorData[] {
    const vars = this.vars.map((v) => this.variable(v));
    const datas: TfTensorData[] = vars.map((v) => {
      let d = gpuData(backend, v, `variable "${v.name}"`, WHERE);
      // In-place updates would also change every tensor sharing the variable's data (after
      // tf.variable(t) or v.assign(t), t shares it): give the variable data of its own.
      if (d.refCount > 1) {
        const own = tf.tensor({ buffer: d.resource }, v.shape, 'float32');
        v.assign(own);
        own.dispose();
        d = gpuData(backend, v, `variable "${v.name}"`, WHERE);
      }
      return d;
    });
    const params: TensorRef[] = datas.map((d, i) => ({
      buffer: d.resource as GPUBuffer,
      length: (this.vars[i] as KnownVariable).length,
    }));
    if (params.some((p, i) => p.buffer !== (core.paramGroups[0]?.params[i] as TensorRef).buffer)) {
      core.rebindParams(params);
    }
    return datas;
  }

  private requireCore(what: string): GpuOptimizer<Algorithm> {
    if (this.disposed) throw new Error(`${WHERE}: ${what} called after dispose()`);
    if (!this.core) {
      throw new Error(
        `${WHERE}: ${what} needs a first applyGradients (the optimizer learns its variables from it)`,
      );
    }
    return this.core;
  }

  private stateNames(): StateName[] {
    const group = (this.core as GpuOptimizer<Algorithm>).paramGroups[0] as never;
    return stateNames(this.algorithm, group);
  }

  private variable(v: KnownVariable): tf.Variable {
    const found = tf.engine().registeredVariables[v.name];
    if (!found || found.isDisposed) {
      throw new Error(
        `${WHERE}: applyGradients: variable "${v.name}" is not registered (disposed?)`,
      );
    }
    if (found.size !== v.length) {
      throw new RangeError(
        `${WHERE}: applyGradients: variable "${v.name}" now has ${found.size} elements, it had ${v.length}`,
      );
    }
    return found;
  }

  /** `grads` in state order, or an error naming the variables that differ. */
  private order(grads: readonly NamedTensor[]): NamedTensor[] {
    const out: (NamedTensor | undefined)[] = this.vars.map(() => undefined);
    const unknown: string[] = [];
    for (const g of grads) {
      const i = this.index.get(g.name);
      if (i === undefined) unknown.push(g.name);
      else out[i] = g;
    }
    const missing = this.vars.filter((_, i) => !out[i]).map((v) => v.name);
    if (unknown.length > 0 || missing.length > 0) {
      throw new Error(
        `${WHERE}: applyGradients: this optimizer steps the variables of its first call (${this.variableNames.join(', ')}); ` +
          `${missing.length ? `no gradient for ${missing.join(', ')}` : ''}${missing.length && unknown.length ? '; ' : ''}` +
          `${unknown.length ? `unknown ${unknown.join(', ')}` : ''}. Create another optimizer for another set of variables (getWeights/setWeights carry state by name).`,
      );
    }
    return out as NamedTensor[];
  }

  private build(grads: readonly NamedTensor[], device: GPUDevice): void {
    this.vars = grads.map((g) => {
      const v = tf.engine().registeredVariables[g.name];
      if (!v) {
        throw new Error(
          `${WHERE}: applyGradients: no variable named "${g.name}" is registered with TF.js`,
        );
      }
      if (v.dtype !== 'float32') {
        throw new TypeError(
          `${WHERE}: applyGradients: variable "${g.name}" has dtype ${v.dtype}, expected float32`,
        );
      }
      return { name: g.name, shape: [...v.shape], length: v.size };
    });
    this.index = new Map(this.vars.map((v, i) => [v.name, i]));
    const backend = webGpuBackend(WHERE);
    const params = this.vars.map((v) => ({
      buffer: gpuData(backend, this.variable(v), `variable "${v.name}"`, WHERE).resource,
      length: v.length,
    }));
    const { gradTransfer = 'copy', disposeGradients: _d, ...host } = this.host;
    const arena =
      gradTransfer === 'copy'
        ? new GradArena(
            device,
            this.vars.map((v) => v.length),
            `webgpu-optim/${this.algorithm}/tfjs-grads`,
          )
        : null;
    try {
      this.core = createOptimizer(this.algorithm, device, params, {
        ...this.options,
        ...host,
      } as OptionsByAlgorithm[Algorithm] & HostOptions);
    } catch (e) {
      arena?.destroy();
      this.vars = [];
      this.index.clear();
      throw e;
    }
    this.arena = arena;
    if (this.pending) {
      const { step, arrays } = this.pending;
      this.pending = null;
      const state = this.vars.map(() => ({ step }));
      fillState(state, arrays, step, this.vars, this.stateNames(), WHERE);
      this.recoverQ8(state);
      this.core.loadStateDict(
        composeStateDict(
          this.algorithm,
          state,
          savedParamGroups(this.core.paramGroups),
          undefined,
          this.core.stateDtype,
        ),
      );
    }
  }
}

/**
 * A tf.Optimizer for model.compile / model.fit running this package's fused WebGPU kernels:
 * `createTfjsOptimizer('adam', { lr: 1e-3 })`. Options are this package's (PyTorch's names and
 * defaults); see docs/tfjs.md for the options that reproduce tf.train.*.
 */
export function createTfjsOptimizer<A extends Algorithm>(
  algorithm: A,
  options?: OptionsByAlgorithm[A],
  hostOptions?: TfjsHostOptions,
): TfjsOptimizer {
  return new TfjsOptimizer(algorithm, options, hostOptions);
}
