/**
 * The control block (binding 8 of every update kernel; `Control` in shaders/common.wgsl,
 * gradnorm.wgsl and gradscaler.wgsl): loss-scaler state first, so that a loss kernel can bind
 * the buffer at offset 0 and read the scale, then the clipping scalars.
 */
import { readBack } from './readback.ts';
import { BufferUsage } from './usage.ts';

/** Field name → byte offset, in WGSL order. */
export const CONTROL_FIELDS = {
  scale: { offset: 0, type: 'f32' },
  inv_scale: { offset: 4, type: 'f32' },
  found_inf: { offset: 8, type: 'u32' },
  growth_tracker: { offset: 12, type: 'u32' },
  norm: { offset: 16, type: 'f32' },
  coef: { offset: 20, type: 'f32' },
  clip_value: { offset: 24, type: 'f32' },
  max_norm: { offset: 28, type: 'f32' },
  growth_factor: { offset: 32, type: 'f32' },
  backoff_factor: { offset: 36, type: 'f32' },
  growth_interval: { offset: 40, type: 'u32' },
  last_found_inf: { offset: 44, type: 'u32' },
} as const;

export type ControlField = keyof typeof CONTROL_FIELDS;
export type ControlValues = Record<ControlField, number>;

export const CONTROL_BYTES = 48;

/** The clip fields are the bytes [CLIP_OFFSET, CLIP_OFFSET + 16). */
export const CLIP_OFFSET = 16;
export const F32_MAX = 3.4028234663852886e38;

/** Writes `values` into `view` at their offsets (little-endian). */
export function packControl(view: DataView, values: Partial<ControlValues>): void {
  for (const [name, v] of Object.entries(values) as [ControlField, number][]) {
    const f = CONTROL_FIELDS[name];
    if (f.type === 'u32') view.setUint32(f.offset, v, true);
    else view.setFloat32(f.offset, v, true);
  }
}

/** Reads every field from a copy of the block. */
export function unpackControl(view: DataView): ControlValues {
  const out = {} as ControlValues;
  for (const [name, f] of Object.entries(CONTROL_FIELDS) as [
    ControlField,
    { offset: number; type: string },
  ][]) {
    out[name] = f.type === 'u32' ? view.getUint32(f.offset, true) : view.getFloat32(f.offset, true);
  }
  return out;
}

/** The block's values before any step: scale 1, no clipping. */
export const CONTROL_DEFAULTS: ControlValues = {
  scale: 1,
  inv_scale: 1,
  found_inf: 0,
  growth_tracker: 0,
  norm: 0,
  coef: 1,
  clip_value: F32_MAX,
  max_norm: 0,
  growth_factor: 2,
  backoff_factor: 0.5,
  growth_interval: 2000,
  last_found_inf: 0,
};

/** Creates a control block holding `values` (the rest from CONTROL_DEFAULTS). */
export function createControl(
  device: GPUDevice,
  label: string,
  values: Partial<ControlValues>,
): GPUBuffer {
  const buffer = device.createBuffer({
    label,
    size: CONTROL_BYTES,
    usage: BufferUsage.STORAGE | BufferUsage.UNIFORM | BufferUsage.COPY_DST | BufferUsage.COPY_SRC,
    mappedAtCreation: true,
  });
  packControl(new DataView(buffer.getMappedRange()), { ...CONTROL_DEFAULTS, ...values });
  buffer.unmap();
  return buffer;
}

/** Copies the block to the host (submitted now; see readBack). */
export async function readControl(
  device: GPUDevice,
  control: GPUBuffer,
  label: string,
): Promise<ControlValues> {
  return unpackControl(
    new DataView(await readBack(device, control, CONTROL_BYTES, `${label}/control`)),
  );
}
