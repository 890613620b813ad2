import { GEOMETRY_FIELDS, type Geometry } from './geometry.ts';

/** A scalar field of an algorithm's uniform struct, after the `geo: Geometry` member. */
export interface UniformField {
  name: string;
  type: 'f32' | 'u32';
}

/** Byte layout of one uniform struct: `geo: Geometry` (8 u32) then the scalar fields. */
export interface UniformLayout {
  fields: readonly UniformField[];
  /** Byte offset of each scalar field. */
  offsets: Readonly<Record<string, number>>;
  /** Size of the struct, rounded up to 16 bytes (WGSL uniform layout). */
  size: number;
}

export const GEOMETRY_BYTES = 4 * GEOMETRY_FIELDS.length;

export function uniformLayout(fields: readonly UniformField[]): UniformLayout {
  const offsets: Record<string, number> = {};
  fields.forEach((f, i) => {
    offsets[f.name] = GEOMETRY_BYTES + 4 * i;
  });
  const size = Math.ceil((GEOMETRY_BYTES + 4 * fields.length) / 16) * 16;
  return { fields, offsets, size };
}

/** Writes a Geometry into `view` at `byteOffset`. */
export function packGeometry(view: DataView, byteOffset: number, g: Geometry): void {
  GEOMETRY_FIELDS.forEach((name, i) => view.setUint32(byteOffset + 4 * i, g[name], true));
}

/**
 * Writes the scalar fields into `view` at `byteOffset` (the start of the struct). f32 fields
 * are rounded once from the host's f64 values, which is where PyTorch rounds its Python
 * scalars too.
 */
export function packScalars(
  view: DataView,
  byteOffset: number,
  layout: UniformLayout,
  scalars: object,
): void {
  const values = scalars as Record<string, number>;
  for (const f of layout.fields) {
    const v = values[f.name];
    if (v === undefined) throw new Error(`uniform field ${f.name} has no value`);
    const at = byteOffset + (layout.offsets[f.name] as number);
    if (f.type === 'u32') view.setUint32(at, v, true);
    else view.setFloat32(at, v, true);
  }
}
