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
  grid_x: number;
  param_off: number;
  grad_off: number;
  state_off: number;
  state_stride: number;
}

export const GEOMETRY_FIELDS = [
  'n',
  'head',
  'body4',
  'grid_x',
  'param_off',
  'grad_off',
  'state_off',
  'state_stride',
] as const satisfies readonly (keyof Geometry)[];

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

/** Binding plan for one view of a user tensor (param or grad). */
export interface ViewPlan {
  /** The vec4 binding's range, or null when the body is empty (a dummy is bound instead). */
  vec4: ByteRange | null;
  /** The scalar binding's range: from the aligned base to the tensor's end. */
  scalar: ByteRange;
  /** Element offset of the tensor inside both bindings. */
  elementOffset: number;
}

export interface TensorGeometry {
  geometry: Geometry;
  param: ViewPlan;
  grad: ViewPlan;
  workgroups: [number, number];
}

/** Binding offsets must be multiples of this (and of 16, for vec4 indexing). */
export function bindingAlignment(limits: GeometryLimits): number {
  return Math.max(limits.minStorageBufferOffsetAlignment, 16);
}

function view(byteOffset: number, length: number, align: number): ViewPlan {
  const base = Math.floor(byteOffset / align) * align;
  const end = byteOffset + 4 * length;
  return {
    vec4: null,
    scalar: { offset: base, size: end - base },
    elementOffset: (byteOffset - base) / 4,
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
 * Plans one tensor's dispatch. `paramOffset`/`gradOffset` are byte offsets (multiples of 4).
 * The vec4 body is used only when param and grad have the same alignment modulo 16 bytes;
 * state is always placed to match the param (see `placeState`).
 */
export function planTensor(
  length: number,
  paramOffset: number,
  gradOffset: number,
  state: StatePlacement,
  limits: GeometryLimits,
  workgroupSize: number,
): TensorGeometry {
  const align = bindingAlignment(limits);
  const param = view(paramOffset, length, align);
  const grad = view(gradOffset, length, align);
  const residue = param.elementOffset % 4;
  const head = Math.min(length, (4 - residue) % 4);
  const coAligned = residue === grad.elementOffset % 4 && residue === state.stateOff % 4;
  const body4 = coAligned ? Math.floor((length - head) / 4) : 0;
  if (body4 > 0) {
    param.vec4 = { offset: param.scalar.offset, size: Math.floor(param.scalar.size / 16) * 16 };
    grad.vec4 = { offset: grad.scalar.offset, size: Math.floor(grad.scalar.size / 16) * 16 };
  }
  const threads = body4 + (length - 4 * body4);
  const workgroups = grid(
    Math.ceil(threads / workgroupSize),
    limits.maxComputeWorkgroupsPerDimension,
  );
  return {
    geometry: {
      n: length,
      head,
      body4,
      grid_x: workgroups[0],
      param_off: param.elementOffset,
      grad_off: grad.elementOffset,
      state_off: state.stateOff,
      state_stride: state.stride,
    },
    param,
    grad,
    workgroups,
  };
}

/**
 * Places `count` state arrays of `length` elements for a param at byte offset `paramOffset`:
 * the first array starts at the same residue modulo 4 elements as the param, and the stride
 * is a multiple of 4 so every array keeps that residue. Returns the placement and the region's
 * size in bytes.
 */
export function placeState(
  length: number,
  paramOffset: number,
  count: number,
): StatePlacement & { bytes: number } {
  const stateOff = (paramOffset / 4) % 4;
  const stride = Math.ceil((stateOff + length) / 4) * 4;
  return { stateOff, stride, bytes: 4 * stride * Math.max(count, 1) };
}
