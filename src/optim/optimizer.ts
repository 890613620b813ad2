import { bindingAlignment, type GeometryLimits } from '../kernels/geometry.ts';
import { getPipeline } from '../kernels/pipelineCache.ts';
import type { KernelSpec } from '../kernels/spec.ts';
import { packScalars } from '../kernels/uniforms.ts';
import { BufferUsage } from '../kernels/usage.ts';
import {
  acceptStateDict,
  normalizeParamGroups,
  revalidateGroup,
  type ParamGroup,
  type ParamGroupInput,
} from '../options/groups.ts';
import {
  composeStateDict,
  savedParamGroups,
  type AttachedScheduler,
  type StateDict,
  type StateDtype,
  type TensorState,
} from '../options/stateDict.ts';
import { withStateDtype } from '../kernels/stateCode.ts';
import { checkStateDtype, epsAtStateScale, guardEps } from '../options/half.ts';
import { advanceGroup } from '../options/scheduleFree.ts';
import type { Algorithm, OptionsByAlgorithm, Resolved, StateName } from '../options/types.ts';
import { initialStateValue, scratchStateNames, stateNames } from '../options/validate.ts';
import {
  Binder,
  DUMMY_SLOTS,
  tableLayout,
  type BoundStep,
  type Copy,
  type Dispatch,
  type Gathered,
} from './binder.ts';
import { GradClipper } from './gradClipper.ts';
import { GradScaler, toState } from './gradScaler.ts';
import type { GradScalerState } from '../options/scaler.ts';
import { ScalerSteps, type PrepareInputs } from './scalerSteps.ts';
import { carriedScalar, groupCarried, type CarriedScalar } from '../options/carried.ts';
import { radamRhoInf } from '../options/scaler.ts';
import { checkClip, type ClipOptions } from '../options/clip.ts';
import { readControl } from '../kernels/control.ts';
import { ErrorChannel, type OptimizerError } from './errors.ts';
import { writeNow, writeStaged, type SideWrite } from './sideWrites.ts';
import { StateStore } from './stateStore.ts';
import { GATHER_BELOW, planGather } from './gather.ts';
import { ownsPadding, registerOwnedPadding } from './ownedPadding.ts';
import { planRuns } from './runs.ts';
import { StepRing } from './stepRing.ts';
import { loadedQuantized } from '../options/q8Recover.ts';
import { Q8Store } from './q8Store.ts';
import { bindQ8Tensor, q8Variant } from './q8Binder.ts';
import {
  checkMin8bitSize,
  dequantize,
  Q8_REFUSED,
  q8Blocks,
  q8Signed,
  type Quantized,
} from '../options/q8.ts';
import { TensorSums, planTensorSums, slotsFit, withGathered } from './tensorSums.ts';
import {
  checkNoOverlap,
  checkNotCpuList,
  checkTensorRef,
  type CheckedRef,
  type TensorRef,
} from './tensorRef.ts';

/** Constructor options that are not hyperparameters. */
export interface HostOptions extends ClipOptions {
  /**
   * Threads per workgroup (the WG_SIZE override), default 256. Each thread updates one vec4
   * (or one scalar at the ends).
   */
  workgroupSize?: number;
  /**
   * Receives every error WebGPU reports asynchronously for the optimizer's work. Without it,
   * such errors are kept: `checkErrors()` rejects with them and the next `step()` throws.
   */
  onError?: (error: OptimizerError) => void;
  /**
   * Dynamic loss scaling (torch.amp.GradScaler) with no readback: each step unscales the
   * grads, skips itself on the GPU when any is inf or NaN, and updates the scale. One
   * GradScaler serves one optimizer.
   */
  gradScaler?: GradScaler;
  /**
   * How the state arrays (momentum_buffer, sum, square_avg, grad_avg, exp_avg, exp_avg_sq,
   * max_exp_avg_sq, exp_inf, ...) are stored: 'f32' (default), 'f16' / 'bf16' for half the
   * memory (rounded to nearest even), or 'q8': block-wise dynamic 8-bit codes, about a quarter
   * (src/options/q8.ts; tensors below `min8bitSize` stay f32). The maths stays f32. Fixed at
   * construction.
   */
  stateDtype?: StateDtype;
  /**
   * Tensors shorter than this many elements, in a param group whose params lie in several
   * buffers, are gathered: each step copies them into one range of buffers the optimizer owns,
   * updates them in one dispatch and copies the params back (their buffers need COPY_SRC and
   * COPY_DST usage, the grads' COPY_SRC; others take a dispatch each). Default 65536; 0 turns
   * gathering off. Fixed at construction.
   */
  gatherBelow?: number;
  /**
   * With stateDtype 'q8': tensors shorter than this many elements keep f32 state (bitsandbytes'
   * `min_8bit_size`). Default 4096; 0 quantises every tensor. Fixed at construction.
   */
  min8bitSize?: number;
}

/**
 * Scalars for a step: from the resolved options, the 1-based step count and the tensor's
 * carried scalar before the step (src/options/carried.ts; 1 for algorithms without one).
 * @internal
 */
export type ScalarsFn<A extends Algorithm> = (
  o: Resolved<OptionsByAlgorithm[A]>,
  step: number,
  carried: number,
) => object;

/**
 * The host side shared by every algorithm: validates options and tensors, owns the state
 * buffers and the uniform, keeps step counts and param groups, records one compute pass per
 * step and saves and loads state. Subclasses only name their kernel and scalars.
 */
export class Optimizer<A extends Algorithm> {
  /** Param groups. `lr` and the other numbers may be changed between steps. */
  readonly paramGroups: ParamGroup<TensorRef, OptionsByAlgorithm[A]>[];
  /** The device given at construction; every buffer and pipeline of the optimizer is on it. */
  readonly device: GPUDevice;
  /** The algorithm's name: 'sgd', 'adam', 'lion', ... (the `Algorithm` union). */
  readonly algorithm: A;
  /** How the state arrays are stored (HostOptions.stateDtype). */
  readonly stateDtype: StateDtype;
  private scheduler: AttachedScheduler | null = null;
  /**
   * Update dispatches recorded by the last step(), with a kernel's per-tensor sums and
   * finalize dispatches (LAMB: 3 per step on a ParamArena).
   */
  lastStepDispatches = 0;
  /**
   * Dispatches of the last step()'s pass over the gradients before the update: the
   * clipGradNorm norm and the GradScaler's inf/NaN check, fused (0 without either).
   */
  lastClipDispatches = 0;
  /** GradScaler dispatches of the last step() besides the check: prepare and update_scale. */
  lastScalerDispatches = 0;
  /** The GradScaler given at construction, or null. */
  readonly gradScaler: GradScaler | null;

  private readonly where: string;
  private readonly label: string;
  private readonly spec: KernelSpec<Resolved<OptionsByAlgorithm[A]>>;
  private readonly scalars: ScalarsFn<A>;
  private readonly frozen: Resolved<OptionsByAlgorithm[A]>[];
  private readonly refs: CheckedRef[];
  private readonly groupOf: number[];
  private readonly steps: number[];
  /** Per tensor, the carried scalar (NAdam's mu_product) as the host counts steps. */
  private readonly carried: number[];
  private readonly carry: CarriedScalar | null;
  private readonly store: StateStore;
  /** Storage type of the StateStore's arrays: stateDtype, or f32 for a 'q8' optimizer. */
  private readonly storeDtype: StateDtype;
  /** The 8-bit state of a 'q8' optimizer's large tensors, or null. */
  private readonly q8: Q8Store | null = null;
  /** Per tensor, whether its state is stored in 8 bits. */
  private readonly isQ8: boolean[];
  /** The kernel with 8-bit state, for the Q8Store's tensors. */
  private readonly q8Spec: KernelSpec<Resolved<OptionsByAlgorithm[A]>>;
  /** Shadow buffers of gathered runs (src/optim/gather.ts), or null. */
  private gathered: Gathered | null = null;
  private readonly uniform: GPUBuffer;
  private readonly uniformData: DataView<ArrayBuffer>;
  /** Per-step data of steps recorded into a caller's encoder (src/optim/stepRing.ts). */
  private readonly ring: StepRing;
  private readonly slot: number;
  private readonly dummy: GPUBuffer;
  private readonly table: GPUBuffer;
  private readonly binder: Binder<Resolved<OptionsByAlgorithm[A]>>;
  private readonly clipper: GradClipper;
  private readonly scalerSteps: ScalerSteps | null = null;
  /** The per-tensor reduction (LAMB's trust ratio), or null. */
  private readonly sums: TensorSums | null = null;
  private readonly limits: GeometryLimits;
  private readonly workgroupSize: number;
  private readonly errors: ErrorChannel;
  /**
   * Kernels of passes besides the step (submitParamPass), whose pipelines each binding
   * compiles with the step's, so that no later call creates one.
   * @internal
   */
  protected readonly passKernels: KernelSpec<Resolved<OptionsByAlgorithm[A]>>[] = [];
  /** Per tensor, the state arrays a state dict holds (the first ones of its region). */
  private readonly publicNames: StateName[][];
  /** The grads the bind groups were made for, and the step's dispatches. */
  private bound: ({ grads: CheckedRef[] } & BoundStep) | null = null;
  private destroyed = false;
  /** The last ring sequence number reported as unsubmitted (each is reported once). */
  private reportedSeq = 0;

  /**
   * For the classes of this package only (SGD, Adam, Lion and the others): construct one
   * of those, or call `createOptimizer`. The parameter types `never` keep the internal
   * signature below (kernel spec, scalar function) out of the published types.
   */
  protected constructor(internal: never, ...more: never[]);
  /** @internal */
  protected constructor(
    algorithm: A,
    displayName: string,
    spec: KernelSpec<Resolved<OptionsByAlgorithm[A]>>,
    scalars: ScalarsFn<A>,
    device: GPUDevice,
    params: readonly TensorRef[] | readonly ParamGroupInput<TensorRef, OptionsByAlgorithm[A]>[],
    options: (OptionsByAlgorithm[A] & HostOptions) | undefined,
  );
  protected constructor(
    algorithm: A,
    displayName: string,
    spec: KernelSpec<Resolved<OptionsByAlgorithm[A]>>,
    scalars: ScalarsFn<A>,
    device: GPUDevice,
    params: readonly TensorRef[] | readonly ParamGroupInput<TensorRef, OptionsByAlgorithm[A]>[],
    options: (OptionsByAlgorithm[A] & HostOptions) | undefined,
  ) {
    this.where = displayName;
    this.label = `webgpu-optim/${algorithm}`;
    this.algorithm = algorithm;
    if (
      typeof device !== 'object' ||
      device === null ||
      typeof device.createBuffer !== 'function'
    ) {
      throw new TypeError(`${displayName}: device must be a GPUDevice, got ${String(device)}`);
    }
    this.device = device;
    const {
      workgroupSize = 256,
      onError,
      clipGradNorm,
      clipGradValue,
      gradScaler,
      stateDtype,
      gatherBelow = GATHER_BELOW,
      min8bitSize,
      ...hyper
    } = (options ?? {}) as OptionsByAlgorithm[A] & HostOptions;
    if (typeof gatherBelow !== 'number' || !Number.isInteger(gatherBelow) || gatherBelow < 0) {
      throw new RangeError(
        `${displayName}: gatherBelow must be a non-negative integer, got ${String(gatherBelow)}`,
      );
    }
    if (gradScaler !== undefined && !(gradScaler instanceof GradScaler)) {
      throw new TypeError(
        `${displayName}: gradScaler must be a GradScaler, got ${gradScaler === null ? 'null' : typeof gradScaler}`,
      );
    }
    const dtype = checkStateDtype(stateDtype, displayName);
    const min8 = checkMin8bitSize(min8bitSize, displayName);
    if (dtype === 'q8' && Q8_REFUSED[algorithm]) {
      throw new RangeError(
        `${displayName}: stateDtype "q8" is not available: ${Q8_REFUSED[algorithm]}`,
      );
    }
    this.stateDtype = dtype;
    // The StateStore's tensors: f32 in a 'q8' optimizer (the 8-bit ones live in the Q8Store).
    this.storeDtype = dtype === 'q8' ? 'f32' : dtype;
    this.spec = withStateDtype(spec, this.storeDtype);
    // ε is raised to the storage type's floor (see guardEps) before the uniform is written.
    this.scalars = (o, step, carried) =>
      guardEps(scalars(o, step, carried), dtype, epsAtStateScale(algorithm, o));
    const maxWg = device.limits.maxComputeInvocationsPerWorkgroup;
    if (
      !Number.isInteger(workgroupSize) ||
      workgroupSize < 1 ||
      workgroupSize > Math.min(maxWg, device.limits.maxComputeWorkgroupSizeX)
    ) {
      throw new RangeError(
        `${displayName}: workgroupSize must be an integer in [1, ${maxWg}], got ${String(workgroupSize)}`,
      );
    }
    if (onError !== undefined && typeof onError !== 'function') {
      throw new TypeError(`${displayName}: onError must be a function, got ${typeof onError}`);
    }
    this.workgroupSize = workgroupSize;
    const clip = checkClip({ clipGradNorm, clipGradValue }, displayName);
    this.errors = new ErrorChannel(displayName, onError);
    this.limits = device.limits;
    checkNotCpuList(params, 'params', displayName);
    this.paramGroups = normalizeParamGroups(
      algorithm,
      params,
      hyper as OptionsByAlgorithm[A],
      displayName,
    );
    this.frozen = this.paramGroups.map((g) => {
      const { params: _p, ...rest } = g;
      return rest as unknown as Resolved<OptionsByAlgorithm[A]>;
    });
    this.groupOf = this.paramGroups.flatMap((g, gi) => g.params.map(() => gi));
    let k = 0;
    this.refs = this.paramGroups.flatMap((g) =>
      g.params.map((p) => checkTensorRef(p, `params[${k++}]`, displayName)),
    );
    checkNoOverlap(this.refs, displayName);
    for (const r of this.refs) this.checkBindable(r);
    this.steps = this.refs.map(() => 0);
    this.carry = carriedScalar(algorithm);
    this.carried = this.refs.map(() => this.carry?.initial ?? 1);
    gradScaler?.attach(displayName, device);
    this.gradScaler = gradScaler ?? null;

    this.publicNames = this.refs.map((_, i) =>
      stateNames(
        algorithm,
        this.frozen[this.groupOf[i] as number] as Resolved<OptionsByAlgorithm[A]>,
      ),
    );
    const requests = this.refs.map((r, i) => {
      const o = this.frozen[this.groupOf[i] as number] as Resolved<OptionsByAlgorithm[A]>;
      const names = [...(this.publicNames[i] as StateName[]), ...scratchStateNames(algorithm)];
      return {
        length: r.length,
        paramOffset: r.offset,
        names,
        initial: names.map((n) => initialStateValue(algorithm, n, o)),
      };
    });
    this.isQ8 = requests.map(
      (r) => dtype === 'q8' && r.names.length > 0 && r.length >= Math.max(min8, 1),
    );
    this.q8Spec = withStateDtype(spec, 'q8');
    const storeRequests = requests.map((r, i) =>
      this.isQ8[i] ? { ...r, names: [], initial: [] } : r,
    );
    // The per-tensor reduction's limits, checked before anything is created.
    const sumsPlan = spec.tensorSums
      ? planTensorSums(
          this.refs.map((r) => r.length),
          workgroupSize,
          this.limits.maxStorageBufferBindingSize,
          displayName,
          this.refs.map((r, i) => (this.isQ8[i] ? q8Blocks(r.length) : null)),
        )
      : null;
    this.errors.open(device);
    try {
      // Compile the common pipelines now, so the first step only binds.
      for (const o of this.frozen) getPipeline(device, this.spec, o, workgroupSize);
      // The Binder's groups: every tensor but the 8-bit ones (bound by bindQ8Tensor).
      const groups = this.paramGroups.map(() => [] as number[]);
      this.groupOf.forEach((gi, i) => {
        if (!this.isQ8[i]) groups[gi]?.push(i);
      });
      if (this.isQ8.some(Boolean)) {
        this.q8 = new Q8Store(
          device,
          this.label,
          requests.map((r, i) => (this.isQ8[i] ? r : null)),
          Math.min(this.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize),
          displayName,
        );
        this.isQ8.forEach((q, i) => {
          if (!q) return;
          const gi = this.groupOf[i] as number;
          const variant = q8Variant(algorithm, requests[i]?.names ?? [], false, {
            clip: { norm: clip.maxNorm !== null, value: clip.value !== null },
            scaler: gradScaler !== undefined,
          });
          getPipeline(device, this.q8Spec, this.frozen[gi] as never, workgroupSize, variant);
          if (spec.tensorSums) {
            const sumsVariant = { ...variant, entry: 'tensor_sums_q8' } as const;
            getPipeline(device, this.q8Spec, this.frozen[gi] as never, workgroupSize, sumsVariant);
          }
        });
      }
      const table = tableLayout(
        groups,
        this.refs.map((r) => r.length),
        workgroupSize,
        bindingAlignment(this.limits),
        spec.tensorSums === true,
      );
      this.table = device.createBuffer({
        label: `${this.label}/tensor-table`,
        size: table.size,
        usage: BufferUsage.STORAGE | BufferUsage.COPY_DST,
      });
      const maxRun = Math.floor(
        Math.min(this.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize) / 16,
      );
      const align = bindingAlignment(this.limits);
      // Elements a run's state can hold within one binding (4 f32 arrays at most).
      const runs = spec.flatRuns
        ? planRuns(
            this.refs.map((r) => ({ ...r, padded: ownsPadding(r) })),
            groups,
            maxRun,
          )
        : [];
      const planned = spec.flatRuns
        ? planGather(
            this.refs,
            groups,
            new Set(runs.flatMap((r) => r.indices)),
            gatherBelow,
            align,
            maxRun,
          )
        : null;
      // LAMB: a gathered tensor takes a second slot of the per-tensor ratios (tensorSums.ts);
      // past their limit nothing is gathered.
      const gathered = planned?.runs.reduce((n, r) => n + r.indices.length, 0) ?? 0;
      const gather = sumsPlan && !slotsFit(this.refs.length, gathered) ? null : planned;
      this.store = new StateStore(
        device,
        this.label,
        storeRequests,
        device.limits,
        displayName,
        this.storeDtype,
        [...runs, ...(gather?.runs ?? [])],
      );
      if (gather && gather.size > 0) {
        const shadow = (role: string) =>
          device.createBuffer({
            label: `${this.label}/gathered-${role}`,
            size: Math.ceil(gather.size / 16) * 16,
            usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
          });
        this.gathered = {
          params: shadow('params'),
          grads: shadow('grads'),
          offsets: gather.offsets,
          runs: gather.runs,
        };
        for (const b of [this.gathered.params, this.gathered.grads]) {
          registerOwnedPadding(
            b,
            gather.offsets.flatMap((offset, i) =>
              offset === null ? [] : [{ offset, length: (this.refs[i] as CheckedRef).length }],
            ),
          );
        }
      }
      this.slot = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
      this.uniform = device.createBuffer({
        label: `${this.label}/uniforms`,
        size: this.slot * this.refs.length,
        // STORAGE too with a scaler: its prepare pass writes the step-dependent fields.
        usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST | (gradScaler ? BufferUsage.STORAGE : 0),
      });
      this.uniformData = new DataView(new ArrayBuffer(this.slot * this.refs.length));
      this.ring = new StepRing(device, this.label, this.uniformData.byteLength);
      // Bound where a slot has nothing to bind; one aligned range per slot so that no two
      // writable bindings overlap.
      this.dummy = device.createBuffer({
        label: `${this.label}/dummy`,
        size: DUMMY_SLOTS * bindingAlignment(this.limits),
        usage: BufferUsage.STORAGE,
      });
      this.clipper = new GradClipper(
        device,
        this.label,
        this.limits,
        clip.maxNorm,
        clip.value,
        gradScaler?.buffer ?? null,
      );
      if (gradScaler) {
        this.scalerSteps = new ScalerSteps(
          device,
          this.label,
          algorithm,
          spec.layout,
          this.slot,
          gradScaler.buffer,
          this.uniform,
          this.refs.length,
          this.paramGroups.length,
        );
        this.writeGroupCarried();
      }
      if (sumsPlan) {
        this.sums = new TensorSums(
          device,
          this.label,
          withGathered(
            sumsPlan,
            this.refs.map((r) => r.length),
            (gather?.runs ?? []).map((r) => r.indices),
            workgroupSize,
          ),
          workgroupSize,
          this.spec as KernelSpec<never>,
          this.frozen[0],
        );
      }
      this.binder = new Binder({
        device,
        label: this.label,
        where: displayName,
        spec: this.spec,
        limits: this.limits,
        workgroupSize,
        store: this.store,
        uniform: this.uniform,
        uniformData: this.uniformData,
        slot: this.slot,
        dummy: this.dummy,
        table: this.table,
        tableOffsets: table.offsets,
        mapOffsets: table.mapOffsets,
        sumsOffsets: table.sumsOffsets,
        groups,
        options: this.frozen,
        control: this.clipper.control,
        clip: { norm: clip.maxNorm !== null, value: clip.value !== null },
        scaler: gradScaler !== undefined,
        runs: [...runs, ...(gather?.runs ?? [])],
        gather: this.gathered,
        sums: this.sums,
      });
    } catch (e) {
      // A failed construction frees what it allocated before the failure (a field not yet
      // assigned is undefined) and leaves the scaler free for another optimizer.
      this.releasePartial();
      gradScaler?.detach();
      throw e;
    } finally {
      this.errors.close(device, 'construction');
    }
  }

  /**
   * Bytes of GPU memory the optimizer's state arrays take, from the sizes of the buffers it
   * allocated for them (StateStore slabs and, with 'q8', the 8-bit regions: codes and absmax).
   */
  get stateBytes(): number {
    return this.store.buffers.reduce((a, b) => a + b.size, 0) + (this.q8?.stateBytes ?? 0);
  }

  /** Whether tensor `i`'s state is stored in 8 bits (stateDtype 'q8' and min8bitSize). */
  isQuantized(i: number): boolean {
    return this.isQ8[i] ?? false;
  }

  /** Number of tensors, over all param groups. */
  get tensorCount(): number {
    return this.refs.length;
  }

  /**
   * How many steps each tensor has taken (PyTorch's per-param `step`). With a gradScaler this
   * counts step() calls: the count of steps actually taken lives on the GPU, and
   * `await stateDict()` reads it.
   */
  get stepCounts(): readonly number[] {
    return this.steps;
  }

  /**
   * One optimizer step. `grads[i]` is the gradient of the i-th tensor in param-group order.
   * Without `encoder` the step is submitted on `device.queue`; with one, it is recorded into
   * it as one compute pass and the caller submits. Any number of steps may be recorded before
   * their encoders are submitted (in order): each runs with the lr, options and grad views it
   * was called with, bitwise as if stepped one at a time (src/optim/stepRing.ts). Never waits
   * on the GPU. After the first step with a given set of grad views, a step creates no
   * pipeline, bind group or buffer, except the step ring's: allocated by the first recorded
   * step, grown when more steps are pending than it has slots, and one staging buffer for a
   * recorded step that rebinds grads or changes betas while others are pending.
   */
  step(grads: readonly TensorRef[], encoder?: GPUCommandEncoder): void {
    if (this.destroyed) throw new Error(`${this.where}: step() called after destroy()`);
    this.checkScaler('step()');
    this.errors.throwPending();
    checkNotCpuList(grads, 'grads', `${this.where}: step`);
    if (!Array.isArray(grads))
      throw new TypeError(`${this.where}: step: grads must be an array of TensorRef`);
    if (grads.length !== this.refs.length) {
      throw new RangeError(
        `${this.where}: step: grads has ${grads.length} tensors but params has ${this.refs.length}`,
      );
    }
    const resolved = this.paramGroups.map((g, gi) =>
      revalidateGroup(
        this.algorithm,
        g,
        this.frozen[gi] as Resolved<OptionsByAlgorithm[A]>,
        `${this.where}: paramGroups[${gi}]`,
      ),
    );
    const device = this.device;
    this.errors.open(device);
    let operation = `step ${(this.steps[0] ?? 0) + 1}`;
    const writes: SideWrite[] = [];
    const write = (w: SideWrite) => writes.push(w);
    const retired: GPUBuffer[] = [];
    try {
      if (!this.sameGrads(grads)) {
        operation += ' (creating bind groups)';
        this.bound = this.bind(grads, write, retired);
      }
      const bound = this.bound as BoundStep;
      const cache = new Map<string, object>();
      this.steps.forEach((_, i) => {
        const step = (this.steps[i] as number) + 1;
        const gi = this.groupOf[i] as number;
        const carried = this.carried[i] as number;
        const key = `${gi}:${step}:${carried}`;
        let s = cache.get(key);
        if (!s) {
          s = this.scalars(resolved[gi] as Resolved<OptionsByAlgorithm[A]>, step, carried);
          cache.set(key, s);
        }
        packScalars(
          this.uniformData,
          i * this.slot,
          this.spec.layout,
          this.sums ? { ...s, ...this.sums.fields(i) } : s,
        );
        this.scalerSteps?.writeInputs(
          this.uniformData,
          i,
          gi,
          prepareInputs(this.algorithm, resolved[gi] as Record<string, unknown>),
          write,
        );
      });
      const ring = this.ring;
      let own: GPUCommandEncoder;
      let fence: (() => void) | null = null;
      if (!encoder) {
        // Ordered after every earlier submit and before ours: no ring needed.
        writeNow(device, writes);
        device.queue.writeBuffer(
          this.uniform,
          0,
          this.uniformData.buffer,
          0,
          this.uniformData.byteLength,
        );
        ring.retire(retired);
        own = device.createCommandEncoder({ label: `${this.label}/step-encoder` });
      } else {
        own = encoder;
        // Steps recorded earlier and not yet known to have run may read the old contents.
        const ahead = ring.held > 0;
        const recorded = ring.record(encoder, this.uniformData.buffer, this.uniform);
        fence = recorded.fence;
        if (ahead) {
          const staging = writeStaged(device, encoder, writes, this.label);
          if (staging) retired.push(staging);
        } else {
          writeNow(device, writes);
        }
        ring.retire(retired, recorded.seq);
      }
      copy(own, bound.gatherIn);
      const pass = own.beginComputePass({ label: `${this.label}/step-pass` });
      const normDispatches = this.clipper.record(pass);
      const prepared = this.scalerSteps?.recordPrepare(pass) ?? 0;
      // With tensor sums: the sums pass, the finalize dispatch, then the update.
      const firstUpdate = bound.dispatches.findIndex((d) => d.rank >= 0);
      const split = firstUpdate < 0 ? bound.dispatches.length : firstUpdate;
      this.lastStepDispatches =
        record(pass, bound.dispatches.slice(0, split)) +
        (this.sums?.record(pass) ?? 0) +
        record(pass, bound.dispatches.slice(split));
      this.lastClipDispatches = normDispatches;
      this.lastScalerDispatches = prepared + (this.scalerSteps?.recordEnd(pass) ?? 0);
      pass.end();
      copy(own, bound.scatterOut);
      if (fence) fence();
      else {
        device.queue.submit([own.finish({ label: `${this.label}/step-commands` })]);
        this.checkOrder(`step ${(this.steps[0] ?? 0) + 1}`, 'step() without an encoder');
      }
      // With a scaler the GPU advances ScheduleFreeAdamW's weightSum and lrMax (groupCarried).
      if (!this.scalerSteps) {
        this.paramGroups.forEach((g, gi) => {
          const first = this.groupOf.indexOf(gi);
          advanceGroup(
            this.algorithm,
            g,
            resolved[gi] as object,
            (this.steps[first] as number) + 1,
          );
        });
      }
      for (let i = 0; i < this.steps.length; i++) {
        const taken = (this.steps[i] as number) + 1;
        this.steps[i] = taken;
        if (this.carry) {
          const o = resolved[this.groupOf[i] as number] as object;
          this.carried[i] = this.carry.next(o, taken, this.carried[i] as number);
        }
      }
      ring.poll();
    } finally {
      this.errors.close(device, operation);
    }
  }

  /**
   * The global L2 norm of the last step's gradients, before clipping, read back from the GPU
   * (clipGradNorm only). Never needed by step() itself.
   */
  async gradNorm(): Promise<number> {
    if (this.destroyed) throw new Error(`${this.where}: gradNorm() called after destroy()`);
    this.checkScaler('gradNorm()');
    if (this.clipper.maxNorm === null) {
      throw new Error(`${this.where}: gradNorm() needs the clipGradNorm option`);
    }
    return this.clipper.norm();
  }

  /**
   * Resolves when WebGPU has answered for all work issued so far; rejects with the oldest
   * undelivered asynchronous error (see `HostOptions.onError`).
   */
  checkErrors(): Promise<void> {
    return this.errors.settle();
  }

  /** A host copy of the state: step counts and every state array, under PyTorch's names. */
  async stateDict(): Promise<StateDict> {
    if (this.destroyed) throw new Error(`${this.where}: stateDict() called after destroy()`);
    this.checkScaler('stateDict()');
    // Everything but the arrays is taken now, so the dict is one consistent snapshot.
    const steps = [...this.steps];
    const carriedNow = [...this.carried];
    const groups = savedParamGroups(this.paramGroups);
    const scheduler = this.scheduler?.stateDict();
    this.errors.open(this.device);
    let arrays: Float32Array[][];
    let quantized: (Quantized[] | null)[] = [];
    let scaled: { steps: number[]; scaler: GradScalerState; carried?: number[] } | undefined;
    try {
      // Every copy is submitted before the first await, so they read one moment in the queue.
      const pending = this.store.read(this.label);
      const pendingQ8 = this.q8?.read(this.label);
      const scaler = this.gradScaler;
      const taken = this.scalerSteps?.read();
      const carriedOnGpu =
        this.carry || groupCarried(this.algorithm) ? this.scalerSteps?.readCarried() : undefined;
      const control = scaler ? readControl(this.device, scaler.buffer, this.label) : undefined;
      // Submitted after the copies: a recorded step whose fence it finds unset had not run
      // before them, so the arrays would miss a step the host counts already.
      const unsubmitted = this.ring.unsubmitted();
      this.errors.close(this.device, 'stateDict readback');
      // Awaited last; marked handled now so that an earlier rejection leaves none unhandled.
      void unsubmitted.catch(() => undefined);
      arrays = await pending;
      quantized = pendingQ8 ? await pendingQ8 : [];
      if (scaler && taken && control) {
        scaled = {
          steps: await taken,
          scaler: toState(await control, scaler),
          ...(carriedOnGpu ? { carried: await carriedOnGpu } : {}),
        };
      }
      const late = await unsubmitted;
      if (late.length > 0) {
        throw new Error(
          `${this.where}: stateDict() was called before ${late.length} step(s) recorded into an encoder were submitted, so it cannot read a consistent state; submit the encoders of recorded steps before calling stateDict()`,
        );
      }
    } catch (e) {
      await this.errors.settle();
      throw e;
    }
    await this.errors.settle();
    const counts = scaled?.steps ?? steps;
    const carried = (this.carry ? scaled?.carried : undefined) ?? carriedNow;
    const onGpu = groupCarried(this.algorithm);
    if (onGpu && scaled?.carried) {
      const values = scaled.carried;
      const width = values.length / this.refs.length;
      groups.forEach((g, gi) => {
        const first = this.groupOf.indexOf(gi) * width;
        Object.assign(g, onGpu.fromGpu(values.slice(first, first + width)));
      });
    }
    const state = this.publicNames.map((names, i) => {
      const out: TensorState = { step: counts[i] as number };
      if (this.carry) out[this.carry.name] = carried[i] as number;
      const q = quantized[i];
      if (q) {
        // 8-bit state: the values it reads back as, and the codes and absmax themselves.
        const raw: Partial<Record<StateName, Quantized>> = {};
        names.forEach((name, j) => {
          raw[name] = q[j] as Quantized;
          out[name] = dequantize(q[j] as Quantized, q8Signed(name));
        });
        out.q8 = raw;
        return out;
      }
      names.forEach((name, j) => {
        out[name] = (arrays[i] as Float32Array[])[j] as Float32Array;
      });
      return out;
    });
    return composeStateDict(
      this.algorithm,
      state,
      groups,
      scheduler,
      this.stateDtype,
      scaled?.scaler,
    );
  }

  /**
   * Called by LRScheduler: `stateDict()` then saves the scheduler's position and
   * `loadStateDict()` restores it.
   */
  attachScheduler(scheduler: AttachedScheduler): void {
    this.scheduler = scheduler;
  }

  /**
   * Restores state saved by `stateDict()` (of this class, another instance, or the CPU
   * reference): step counts, every state array, and the param groups' options. Rejects a
   * dict made for another algorithm, another number of tensors or other lengths.
   */
  loadStateDict(dict: StateDict): void {
    if (this.destroyed) throw new Error(`${this.where}: loadStateDict() called after destroy()`);
    this.checkScaler('loadStateDict()');
    acceptStateDict(
      dict,
      {
        algorithm: this.algorithm,
        lengths: this.refs.map((r) => r.length),
        names: this.publicNames,
        paramGroups: this.paramGroups,
        frozen: this.frozen,
        scheduler: this.scheduler,
        gradScaler: this.gradScaler,
        stateDtype: this.stateDtype,
      },
      `${this.where}: loadStateDict`,
    );
    this.errors.open(this.device);
    try {
      this.scalerSteps?.write(dict.state.map((s) => s.step));
      const carry = this.carry;
      if (carry) {
        dict.state.forEach((s, i) => (this.carried[i] = s[carry.name] as number));
        this.scalerSteps?.writeCarried(this.carried);
      }
      this.writeGroupCarried();
      // Steps may now differ within a group, which decides the dispatch path: rebind.
      this.bound = null;
      dict.state.forEach((s, i) => {
        this.steps[i] = s.step;
        this.publicNames[i]?.forEach((name, j) => {
          if (!this.isQ8[i]) {
            this.store.write(i, j, s[name] as Float32Array);
            return;
          }
          this.q8?.write(i, j, loadedQuantized(s, this.algorithm, name));
        });
      });
      this.checkOrder('loadStateDict', 'loadStateDict()');
    } finally {
      this.errors.close(this.device, 'loadStateDict');
    }
  }

  /**
   * Points the optimizer at other param views of the same lengths, in the same order, keeping
   * every state array and step count. For runtimes that move a tensor to a new buffer (TF.js's
   * `Variable.assign`); the next step makes new bind groups, later steps none.
   */
  rebindParams(params: readonly TensorRef[]): void {
    if (this.destroyed) throw new Error(`${this.where}: rebindParams() called after destroy()`);
    if (!Array.isArray(params) || params.length !== this.refs.length) {
      throw new RangeError(
        `${this.where}: rebindParams: params must be an array of ${this.refs.length} TensorRef, got ${Array.isArray(params) ? `${params.length}` : typeof params}`,
      );
    }
    const checked = params.map((p, i) => checkTensorRef(p, `params[${i}]`, this.where));
    checked.forEach((r, i) => {
      const was = (this.refs[i] as CheckedRef).length;
      if (r.length !== was) {
        throw new RangeError(
          `${this.where}: rebindParams: params[${i}].length is ${r.length} but was ${was}`,
        );
      }
      this.checkBindable(r);
    });
    checkNoOverlap(checked, this.where);
    checked.forEach((r, i) => (this.refs[i] = r));
    let k = 0;
    for (const g of this.paramGroups) {
      (g as { params: readonly TensorRef[] }).params = g.params.map(() => params[k++] as TensorRef);
    }
    this.bound = null;
  }

  /**
   * For algorithms with a pass besides the step (ScheduleFreeAdamW's train()/eval()): submits
   * one compute pass that runs the kernel `spec` (the optimizer's shader with other override
   * constants) over the params of the tensors `include` accepts, through the step's bind
   * groups, without clipping or scaler, after the scaler's `prepare` when there is one (its
   * fields overwrite `fill`'s). `fill(o, group)` gives the uniform's fields. The grads are not
   * read; before any step with bound grads, the params stand in for them.
   * @internal
   */
  protected submitParamPass(
    spec: KernelSpec<Resolved<OptionsByAlgorithm[A]>>,
    fill: (o: Resolved<OptionsByAlgorithm[A]>, group: number) => object,
    include: (tensor: number) => boolean,
    operation: string,
  ): void {
    if (this.destroyed) throw new Error(`${this.where}: ${operation}() called after destroy()`);
    this.errors.throwPending();
    if (!this.refs.some((_, i) => include(i))) return;
    const device = this.device;
    const kernel = withStateDtype(spec, this.stateDtype);
    const resolved = this.paramGroups.map((g, gi) =>
      revalidateGroup(
        this.algorithm,
        g,
        this.frozen[gi] as Resolved<OptionsByAlgorithm[A]>,
        `${this.where}: paramGroups[${gi}]`,
      ),
    );
    this.errors.open(device);
    try {
      const writes: SideWrite[] = [];
      const bound =
        this.bound ?? this.binder.bind(this.refs, this.refs, this.steps, (w) => writes.push(w));
      // the update dispatches only (not a sums pass, whose entry point is another)
      const chosen = bound.dispatches.filter(
        (d) => d.variant.entry === undefined && d.tensors.some(include),
      );
      if (chosen.length === 0) return;
      this.refs.forEach((_, i) => {
        const gi = this.groupOf[i] as number;
        packScalars(
          this.uniformData,
          i * this.slot,
          kernel.layout,
          fill(resolved[gi] as Resolved<OptionsByAlgorithm[A]>, gi),
        );
      });
      writeNow(device, writes);
      device.queue.writeBuffer(
        this.uniform,
        0,
        this.uniformData.buffer,
        0,
        this.uniformData.byteLength,
      );
      const encoder = device.createCommandEncoder({ label: `${this.label}/${operation}-encoder` });
      // Gathered runs (flat runs over shadow buffers) go through their copies, as in step().
      copy(encoder, bound.gatherIn);
      const pass = encoder.beginComputePass({ label: `${this.label}/${operation}-pass` });
      // With a scaler, the step-dependent fields from the GPU's count of steps taken first
      // (ScheduleFreeAdamW: first_step marks a tensor that has taken none, and so has no z).
      this.scalerSteps?.recordPrepare(pass);
      let current: GPUComputePipeline | null = null;
      const pipelines = this.passPipelines(kernel, chosen);
      for (const [k, d] of chosen.entries()) {
        const pipeline = pipelines[k] as GPUComputePipeline;
        if (pipeline !== current) pass.setPipeline(pipeline);
        current = pipeline;
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(d.grid[0], d.grid[1]);
      }
      pass.end();
      copy(encoder, bound.scatterOut);
      device.queue.submit([encoder.finish({ label: `${this.label}/${operation}-commands` })]);
      this.checkOrder(operation, `${operation}()`);
    } finally {
      this.errors.close(device, operation);
    }
  }

  /** The pipelines of `spec` for `dispatches`' variants, without clipping or scaler. */
  private passPipelines(
    spec: KernelSpec<Resolved<OptionsByAlgorithm[A]>>,
    dispatches: readonly Dispatch[],
  ): GPUComputePipeline[] {
    const kernel = withStateDtype(spec, this.stateDtype);
    return dispatches.map((d) =>
      getPipeline(
        this.device,
        kernel,
        this.frozen[d.group] as Resolved<OptionsByAlgorithm[A]>,
        this.workgroupSize,
        { ...d.variant, clipNorm: false, clipValue: false, scaler: false },
      ),
    );
  }

  /** Frees what a construction that threw had allocated: only the fields already assigned. */
  private releasePartial(): void {
    const made = this as unknown as {
      store?: StateStore;
      uniform?: GPUBuffer;
      dummy?: GPUBuffer;
      table?: GPUBuffer;
      gathered: Gathered | null;
      clipper?: GradClipper;
      scalerSteps: ScalerSteps | null;
      sums: TensorSums | null;
      q8: Q8Store | null;
      ring?: StepRing;
    };
    made.store?.destroy();
    made.uniform?.destroy();
    made.dummy?.destroy();
    made.table?.destroy();
    made.gathered?.params.destroy();
    made.gathered?.grads.destroy();
    made.clipper?.destroy();
    made.scalerSteps?.destroy();
    made.sums?.destroy();
    made.q8?.destroy();
    made.ring?.destroy();
  }

  /** Frees the buffers the optimizer created. Idempotent. Never touches params or grads. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.store.destroy();
    this.uniform.destroy();
    this.dummy.destroy();
    this.table.destroy();
    this.gathered?.params.destroy();
    this.gathered?.grads.destroy();
    this.clipper.destroy();
    this.scalerSteps?.destroy();
    this.sums?.destroy();
    this.q8?.destroy();
    this.ring.destroy();
    this.gradScaler?.detach();
    this.bound = null;
  }

  /**
   * Call right after putting work on the queue at the call (a plain step's submit, the
   * writes of loadStateDict) while recorded steps may be pending: reports through the error
   * channel (onError, checkErrors(), the next step()) when a step recorded earlier had not been
   * submitted by then, since it will run after that work instead of before it. Costs nothing
   * when no recorded step is pending.
   */
  private checkOrder(operation: string, what: string): void {
    // Nothing pending, or only steps already reported (an encoder never submitted): no check.
    if (this.ring.held === 0 || this.ring.newestHeld <= this.reportedSeq) return;
    const check = this.ring.unsubmitted().then((late) => {
      const fresh = late.filter((seq) => seq > this.reportedSeq);
      if (fresh.length === 0) return null;
      this.reportedSeq = Math.max(this.reportedSeq, ...fresh);
      return `${what} was called before ${fresh.length} step(s) recorded earlier into an encoder were submitted, so they run after it instead of before it and the result is not that of stepping in order; submit the encoders of recorded steps before calling ${what}`;
    });
    this.errors.watch(check, operation);
  }

  /** With a scaler: writes the GPU's per-tensor copies of the groupCarried group values. */
  private writeGroupCarried(): void {
    const onGpu = groupCarried(this.algorithm);
    if (!onGpu || !this.scalerSteps) return;
    this.scalerSteps.writeCarried(
      this.groupOf.flatMap((gi) =>
        onGpu.toGpu(this.paramGroups[gi] as unknown as Record<string, unknown>),
      ),
    );
  }

  /** The scaler's buffer is bound by every step: refuse to use a destroyed one. */
  private checkScaler(what: string): void {
    if (this.gradScaler?.destroyed) {
      throw new Error(`${this.where}: ${what} called after its gradScaler was destroyed`);
    }
  }

  private checkBindable(r: CheckedRef): void {
    const max = this.limits.maxStorageBufferBindingSize;
    const align = Math.max(this.limits.minStorageBufferOffsetAlignment, 16);
    const span = Math.ceil((r.end - Math.floor(r.offset / align) * align) / 16) * 16;
    if (span > max) {
      throw new RangeError(
        `${this.where}: ${r.name} spans ${span} bytes, more than this device's maxStorageBufferBindingSize (${max}); split the tensor`,
      );
    }
  }

  private sameGrads(grads: readonly TensorRef[]): boolean {
    const bound = this.bound;
    if (!bound) return false;
    return grads.every((g, i) => {
      const b = bound.grads[i] as CheckedRef;
      return g.buffer === b.buffer && (g.offset ?? 0) === b.offset && g.length === b.length;
    });
  }

  private bind(
    grads: readonly TensorRef[],
    write: (w: SideWrite) => void,
    retired: GPUBuffer[],
  ): { grads: CheckedRef[] } & BoundStep {
    const checked = grads.map((g, i) => checkTensorRef(g, `grads[${i}]`, this.where));
    checked.forEach((g, i) => {
      const p = this.refs[i] as CheckedRef;
      if (g.length !== p.length) {
        throw new RangeError(
          `${this.where}: step: grads[${i}].length is ${g.length} but params[${i}].length is ${p.length}`,
        );
      }
      this.checkBindable(g);
    });
    checkNoOverlap([...this.refs, ...checked], this.where);
    const owned = new Set<GPUBuffer>([
      ...this.store.buffers,
      this.uniform,
      this.dummy,
      this.table,
      this.clipper.control,
      ...(this.scalerSteps?.buffers ?? []),
      ...(this.gathered ? [this.gathered.params, this.gathered.grads] : []),
      ...(this.sums?.buffers ?? []),
      ...(this.q8?.buffers ?? []),
    ]);
    for (const r of [...this.refs, ...checked]) {
      if (owned.has(r.buffer)) {
        throw new RangeError(`${this.where}: ${r.name} lies in a buffer the optimizer owns`);
      }
    }
    const bound = this.binder.bind(this.refs, checked, this.steps, write);
    const q8 = this.q8;
    if (q8) {
      const context = {
        device: this.device,
        label: this.label,
        spec: this.q8Spec,
        limits: this.device.limits,
        workgroupSize: this.workgroupSize,
        uniform: this.uniform,
        uniformData: this.uniformData,
        slot: this.slot,
        dummy: this.dummy,
        control: this.clipper.control,
        q8Table: q8.table,
        clip: { norm: this.clipper.maxNorm !== null, value: this.clipper.value !== null },
        scaler: this.gradScaler !== null,
        sums: this.sums,
      };
      q8.regions.forEach((region, i) => {
        if (!region) return;
        const gi = this.groupOf[i] as number;
        bound.dispatches.push(
          ...bindQ8Tensor(
            context,
            i,
            gi,
            this.frozen[gi] as Resolved<OptionsByAlgorithm[A]>,
            this.refs[i] as CheckedRef,
            checked[i] as CheckedRef,
            region,
          ),
        );
      });
      // Their tensor_sums_q8 dispatches go with the other sums, before every update (stable).
      bound.dispatches.sort((a, b) => a.rank - b.rank);
    }
    for (const spec of this.passKernels) this.passPipelines(spec, bound.dispatches);
    this.clipper.bind(checked, (b) => retired.push(...b));
    return { grads: checked, ...bound };
  }
}

/** What the scaler's prepare pass needs of a param group's resolved options. */
function prepareInputs(algorithm: Algorithm, o: Record<string, unknown>): PrepareInputs {
  const betas = o.betas as readonly [number, number] | undefined;
  return {
    // LAMB applies lr after the trust ratio: prepare computes 1 / (1 - beta1^t) (lr = 1).
    lr: algorithm === 'lamb' ? 1 : (o.lr as number),
    lrDecay: o.lrDecay as number | undefined,
    betas,
    ...(algorithm === 'nadam'
      ? { momentumDecay: o.momentumDecay as number, extra: betas?.[0] as number }
      : {}),
    ...(algorithm === 'radam' ? { extra: radamRhoInf(betas?.[1] as number) } : {}),
    ...(algorithm === 'schedulefreeadamw'
      ? {
          extra: betas?.[0] as number,
          scheduleFree: {
            warmupSteps: o.warmupSteps as number,
            r: o.r as number,
            weightLrPower: o.weightLrPower as number,
          },
        }
      : {}),
  };
}

/** Records a gathered run's copies (src/optim/gather.ts) into `encoder`. */
function copy(encoder: GPUCommandEncoder, copies: readonly Copy[]): void {
  for (const c of copies)
    encoder.copyBufferToBuffer(c.src, c.srcOffset, c.dst, c.dstOffset, c.size);
}

/** Records the step's dispatches into `pass`, setting each pipeline once per run. */
function record(pass: GPUComputePassEncoder, dispatches: readonly Dispatch[]): number {
  let current: GPUComputePipeline | null = null;
  for (const d of dispatches) {
    if (d.pipeline !== current) pass.setPipeline(d.pipeline);
    current = d.pipeline;
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.grid[0], d.grid[1]);
  }
  return dispatches.length;
}
