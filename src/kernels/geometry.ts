/**
 * Dispatch geometry for one tensor: which byte ranges to bind, where the tensor's elements
 * sit inside them, how many are updated as vec4 and how many as scalars, and the grid.
 * Pure arithmetic (no WebGPU calls), so Node tests cover it.
 */

/** The fields of WGSL's `Geometry` struct (shaders/common.wgsl), in order. */
export interface Geometry {
  n: number;
  head: number;
  body4: number;
  param_off: number;
  grad_off: number;
  state_off: number;
  state_stride: number;
  param_split: number;
  grad_split: number;
  reserved0: number;
  reserved1: number;
  reserved2: number;
}

export const GEOMETRY_FIELDS = [
  'n',
  'head',
  'body4',
  'param_off',
  'grad_off',
  'state_off',
  'state_stride',
  'param_split',
  'grad_split',
  'reserved0',
  'reserved1',
  'reserved2',
] as const satisfies readonly (keyof Geometry)[];

/** `split` when the whole range is reachable through the vec4 binding. */
export const NO_SPLIT = 0xffffffff;

/** A byte range to bind. */
export interface ByteRange {
  offset: number;
  size: number;
}

/** The limits geometry depends on (a subset of GPUSupportedLimits). */
export interface GeometryLimits {
  minStorageBufferOffsetAlignment: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupsPerDimension: number;
}

/** Where a tensor's state arrays were placed: element offset and stride inside its region. */
export interface StatePlacement {
  stateOff: number;
  stride: number;
}

/** A byte range of a user buffer: a param or a grad. */
export interface UserRange {
  /** Byte offset, a multiple of 4. */
  offset: number;
  length: number;
  /** Size of the whole buffer in bytes. */
  bufferSize: number;
}

/**
 * How one user buffer is bound: `vec4` covers [base, split) and `scalar` covers [split, end).
 * Either may be null (a dummy is bound instead). They never overlap, as WebGPU requires of
 * writable bindings of one buffer in a dispatch.
 */
export interface BindingPlan {
  base: number;
  vec4: ByteRange | null;
  scalar: ByteRange | null;
  /** Elements from `base` reachable through `vec4`; NO_SPLIT when `scalar` is null. */
  split: number;
}

export interface TensorGeometry {
  geometry: Geometry;
  param: BindingPlan;
  /** null when the grad is read through the param's binding (same buffer). */
  grad: BindingPlan | null;
  /**
   * The dispatches: `body` (the vec4 body), `tail` (the scalar head and tail) and `both` (one
   * dispatch for a small tensor that has both), each a grid or null when not used.
   */
  body: [number, number] | null;
  tail: [number, number] | null;
  both: [number, number] | null;
}

/**
 * Tensors with fewer vec4s than this that also have scalars take one combined dispatch; the
 * second dispatch would cost more than the branch (SwiftShader: ~20 µs a dispatch).
 */
export const COMBINE_BELOW_VEC4 = 1 << 14;

/** Binding offsets must be multiples of this (and of 16, for vec4 indexing). */
export function bindingAlignment(limits: GeometryLimits): number {
  return Math.max(limits.minStorageBufferOffsetAlignment, 16);
}

/**
 * Plans the bindings that cover `ranges` (one or two ranges of the same buffer). The vec4
 * binding runs to the end of the last 16-byte slot the ranges touch when the buffer is that
 * long. Otherwise (the range ends in a partial slot at the very end of the buffer) it stops at
 * an aligned boundary and a scalar binding covers the rest.
 */
export function planBinding(ranges: readonly UserRange[], align: number): BindingPlan {
  const start = Math.min(...ranges.map((r) => r.offset));
  const end = Math.max(...ranges.map((r) => r.offset + 4 * r.length));
  const bufferSize = (ranges[0] as UserRange).bufferSize;
  const base = Math.floor(start / align) * align;
  const end16 = base + Math.ceil((end - base) / 16) * 16;
  if (end16 <= bufferSize) {
    return { base, vec4: { offset: base, size: end16 - base }, scalar: null, split: NO_SPLIT };
  }
  const boundary = Math.floor((base + Math.floor((end - base) / 16) * 16) / align) * align;
  return {
    base,
    vec4: boundary > base ? { offset: base, size: boundary - base } : null,
    scalar: { offset: boundary, size: end - boundary },
    split: (boundary - base) / 4,
  };
}

/** Splits a workgroup count into a 1-D or 2-D grid that respects the per-dimension limit. */
export function grid(workgroups: number, maxPerDimension: number): [number, number] {
  if (workgroups <= maxPerDimension) return [Math.max(workgroups, 1), 1];
  const y = Math.ceil(workgroups / maxPerDimension);
  if (y > maxPerDimension) {
    throw new RangeError(`${workgroups} workgroups do not fit a ${maxPerDimension}² grid`);
  }
  return [maxPerDimension, y];
}

/**
 * Plans one tensor's dispatch. When `sameBuffer`, param and grad share one binding. The vec4
 * body is used only when param, grad and state have the same alignment modulo 16 bytes and
 * only as far as the vec4 bindings reach; state is always placed to match the param (see
 * `placeState`).
 */
export function planTensor(
  param: UserRange,
  grad: UserRange,
  sameBuffer: boolean,
  state: StatePlacement,
  limits: GeometryLimits,
  workgroupSize: number,
  shared?: { param: BindingPlan; grad: BindingPlan },
): TensorGeometry {
  const align = bindingAlignment(limits);
  const n = param.length;
  const pPlan = shared?.param ?? planBinding(sameBuffer ? [param, grad] : [param], align);
  const gPlan = shared?.grad ?? (sameBuffer ? pPlan : planBinding([grad], align));
  const paramOff = (param.offset - pPlan.base) / 4;
  const gradOff = (grad.offset - gPlan.base) / 4;
  const residue = paramOff % 4;
  const head = Math.min(n, (4 - residue) % 4);
  let body4 = 0;
  if (residue === gradOff % 4 && residue === state.stateOff % 4) {
    const reach = (split: number, off: number) =>
      split === NO_SPLIT ? Infinity : Math.floor((split - off - head) / 4);
    body4 = Math.max(
      0,
      Math.min(
        Math.floor((n - head) / 4),
        reach(pPlan.split, paramOff),
        reach(gPlan.split, gradOff),
      ),
    );
  }
  const scalars = n - 4 * body4;
  const max = limits.maxComputeWorkgroupsPerDimension;
  return {
    geometry: {
      n,
      head,
      body4,
      param_off: paramOff,
      grad_off: gradOff,
      state_off: state.stateOff,
      state_stride: state.stride,
      param_split: pPlan.split,
      grad_split: gPlan.split,
      reserved0: 0,
      reserved1: 0,
      reserved2: 0,
    },
    param: pPlan,
    grad: sameBuffer ? null : gPlan,
    ...dispatches(body4, scalars, workgroupSize, max),
  };
}

function dispatches(
  body4: number,
  scalars: number,
  workgroupSize: number,
  max: number,
): Pick<TensorGeometry, 'body' | 'tail' | 'both'> {
  const g = (threads: number) => grid(Math.ceil(threads / workgroupSize), max);
  if (body4 > 0 && scalars > 0 && body4 < COMBINE_BELOW_VEC4) {
    return { body: null, tail: null, both: g(body4 + scalars) };
  }
  return {
    body: body4 > 0 ? g(body4) : null,
    tail: scalars > 0 ? g(scalars) : null,
    both: null,
  };
}

/**
 * Places `count` state arrays of `length` elements for a param at byte offset `paramOffset`:
 * the first array starts at the same residue modulo 4 elements as the param, and the stride
 * is a multiple of 4 so every array keeps that residue (and every 4-element group holds one
 * array's elements or padding). Returns the placement and the region's size in bytes, with
 * `bytesPerElement` 4 (f32 state) or 2 (f16, bf16).
 */
export function placeState(
  length: number,
  paramOffset: number,
  count: number,
  bytesPerElement: 2 | 4 = 4,
): StatePlacement & { bytes: number } {
  const stateOff = (paramOffset / 4) % 4;
  const stride = Math.ceil((stateOff + length) / 4) * 4;
  return { stateOff, stride, bytes: bytesPerElement * stride * Math.max(count, 1) };
}

/**
 * vec4s per body thread for large tensors in a MULTI dispatch: amortizes the per-thread tensor
 * lookup (measured on SwiftShader: model scenario 144 → 100 ms per Adam step).
 */
export const MULTI_ITEMS = 8;

/** One dispatch for a whole param group: each tensor's geometry and its first workgroup. */
export interface GroupGeometry {
  param: BindingPlan;
  /** null when the grads share the params' buffer. */
  grad: BindingPlan | null;
  /**
   * Per tensor: geometry (relative to the shared bindings), with `reserved0` = its first
   * workgroup, `reserved1` = how many of its workgroups run the vec4 body (the rest run the
   * scalars) and `reserved2` = vec4s per body thread.
   */
  tensors: Geometry[];
  /** Whether any tensor has scalars (otherwise the body-only pipeline serves the group). */
  scalars: boolean;
  /** Workgroups the group needs (the grid may hold a few more, which exit at once). */
  workgroups: number;
  grid: [number, number];
}

/**
 * Plans one dispatch over every tensor of a group whose params lie in one buffer and whose
 * grads lie in one buffer at the same relative layout. Workgroups are dealt out tensor by
 * tensor, body workgroups then scalar workgroups, so each workgroup runs one code path; the kernel finds its tensor by a
 * binary search over the first-workgroup column. `states[i]` is tensor i's state placement
 * relative to the group's state binding.
 */
export function planGroup(
  params: readonly UserRange[],
  grads: readonly UserRange[],
  sameBuffer: boolean,
  states: readonly StatePlacement[],
  limits: GeometryLimits,
  workgroupSize: number,
): GroupGeometry {
  const align = bindingAlignment(limits);
  const param = planBinding(sameBuffer ? [...params, ...grads] : params, align);
  const grad = sameBuffer ? param : planBinding(grads, align);
  let first = 0;
  let scalars = false;
  const tensors = params.map((p, i) => {
    const t = planTensor(
      p,
      grads[i] as UserRange,
      sameBuffer,
      states[i] as StatePlacement,
      limits,
      workgroupSize,
      {
        param,
        grad,
      },
    );
    const { body4, n } = t.geometry;
    const rest = n - 4 * body4;
    const items = body4 >= MULTI_ITEMS * workgroupSize ? MULTI_ITEMS : 1;
    // Body-only workgroups, then the scalars; a small tensor with scalars runs both together.
    const combined = rest > 0 && items === 1;
    const bodyGroups = combined ? 0 : Math.ceil(body4 / (items * workgroupSize));
    const tailGroups = combined
      ? Math.ceil((body4 + rest) / workgroupSize)
      : Math.ceil(rest / workgroupSize);
    const geometry = { ...t.geometry, reserved0: first, reserved1: bodyGroups, reserved2: items };
    first += bodyGroups + tailGroups;
    if (tailGroups > 0) scalars = true;
    return geometry;
  });
  return {
    param,
    grad: sameBuffer ? null : grad,
    tensors,
    scalars,
    workgroups: first,
    grid: grid(first, limits.maxComputeWorkgroupsPerDimension),
  };
}
