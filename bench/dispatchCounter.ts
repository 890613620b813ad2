/**
 * Counts compute dispatches issued by anyone on the page (ours and TF.js's) by wrapping
 * GPUComputePassEncoder.prototype.dispatchWorkgroups once.
 */
let count = 0;
let installed = false;

export function installDispatchCounter(): void {
  if (installed) return;
  installed = true;
  const proto = GPUComputePassEncoder.prototype as unknown as Record<
    string,
    (...a: unknown[]) => void
  >;
  const original = proto.dispatchWorkgroups as (...a: unknown[]) => void;
  proto.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...args: unknown[]) {
    count++;
    original.apply(this, args);
  };
}

/** Dispatches counted so far. */
export function dispatches(): number {
  return count;
}
