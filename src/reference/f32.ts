/**
 * f32 arithmetic for the CPU reference. Every intermediate is rounded to f32 with
 * Math.fround, in the same order as the WGSL. IEEE +, -, *, / and sqrt of two f32 values
 * computed in f64 and rounded once are correctly rounded f32 results.
 */
export const f32 = Math.fround;

export function add(a: number, b: number): number {
  return f32(a + b);
}
export function sub(a: number, b: number): number {
  return f32(a - b);
}
export function mul(a: number, b: number): number {
  return f32(a * b);
}
export function div(a: number, b: number): number {
  return f32(a / b);
}
export function sqrt(a: number): number {
  return f32(Math.sqrt(a));
}

/** torch.lerp's formula, as `torch_lerp` in shaders/common.wgsl. */
export function torchLerp(start: number, end: number, weight: number): number {
  if (Math.abs(weight) < 0.5) {
    return add(start, mul(weight, sub(end, start)));
  }
  return sub(end, mul(sub(end, start), sub(1, weight)));
}

/** Rounds every field of a scalars record to f32, as writing it into the uniform does. */
export function roundScalars<T extends object>(scalars: T): T {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(scalars)) out[k] = f32(v as number);
  return out as T;
}

/** L2 weight decay, g + wd·p, skipped when wd is 0: `l2` in shaders/common.wgsl. */
export function l2(g: number, p: number, wd: number): number {
  return wd !== 0 ? add(g, mul(wd, p)) : g;
}
