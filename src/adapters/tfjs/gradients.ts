/**
 * The two gradient forms TF.js optimizers accept (a named map, or a `{ name, tensor }` list),
 * as one list, checked.
 */
import type { NamedTensorMap, Tensor } from '@tensorflow/tfjs-core';

/** TF.js's `NamedTensor` (not exported from tfjs-core's index). */
export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

/**
 * `variableGradients` as a list in the order given. A missing (null) gradient is an error: the
 * fused step updates every variable it knows, and a variable without a gradient would still
 * have its state moved.
 */
export function namedGrads(
  variableGradients: NamedTensorMap | NamedTensor[],
  where: string,
): NamedTensor[] {
  if (typeof variableGradients !== 'object' || variableGradients === null) {
    throw new TypeError(
      `${where}: applyGradients: variableGradients must be a {[name]: Tensor} map or a [{ name, tensor }] list, got ${String(variableGradients)}`,
    );
  }
  const list: { name: unknown; tensor: unknown }[] = Array.isArray(variableGradients)
    ? variableGradients.map((g: NamedTensor | null | undefined) => ({
        name: g?.name,
        tensor: g?.tensor,
      }))
    : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
  if (list.length === 0) {
    throw new TypeError(`${where}: applyGradients: variableGradients holds no gradient`);
  }
  const seen = new Set<string>();
  return list.map(({ name, tensor }, i) => {
    if (typeof name !== 'string') {
      throw new TypeError(
        `${where}: applyGradients: variableGradients[${i}].name must be a string, got ${String(name)}`,
      );
    }
    if (seen.has(name)) {
      throw new RangeError(`${where}: applyGradients: variable "${name}" has two gradients`);
    }
    seen.add(name);
    const t = tensor as Partial<Tensor> | null | undefined;
    if (t == null || typeof t !== 'object' || !('dataId' in t)) {
      throw new TypeError(
        `${where}: applyGradients: the gradient of "${name}" must be a tf.Tensor, got ${t === null ? 'null' : typeof t} (variables without a gradient are not supported: every known variable is stepped)`,
      );
    }
    if (t.isDisposed) {
      throw new Error(`${where}: applyGradients: the gradient of "${name}" is disposed`);
    }
    if (t.dtype !== 'float32') {
      throw new TypeError(
        `${where}: applyGradients: the gradient of "${name}" has dtype ${String(t.dtype)}, expected float32`,
      );
    }
    return { name, tensor: t as Tensor };
  });
}
