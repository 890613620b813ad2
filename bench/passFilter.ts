/**
 * Times one pass of a multi-pass step alone (`npm run bench:breakdown`'s per-pass rows): while
 * a filter is set, compute dispatches whose pipeline's label does not contain it are dropped
 * (the step still records, binds and counts them, so only their GPU work is missing). Wraps
 * GPUComputePassEncoder.prototype.setPipeline and dispatchWorkgroups once. Results computed
 * under a filter are wrong by design: for timing only.
 */
let only: string | null = null;
let installed = false;
const current = new WeakMap<GPUComputePassEncoder, string>();

function install(): void {
  if (installed) return;
  installed = true;
  const proto = GPUComputePassEncoder.prototype as unknown as Record<
    string,
    (...a: unknown[]) => void
  >;
  const setPipeline = proto.setPipeline as (...a: unknown[]) => void;
  const dispatch = proto.dispatchWorkgroups as (...a: unknown[]) => void;
  proto.setPipeline = function (this: GPUComputePassEncoder, ...args: unknown[]) {
    current.set(this, (args[0] as GPUComputePipeline).label);
    setPipeline.apply(this, args);
  };
  proto.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...args: unknown[]) {
    if (only === null || (current.get(this) ?? '').includes(only)) dispatch.apply(this, args);
  };
}

/** Runs `work` with only the dispatches of pipelines labelled with `label` (null: all). */
export async function withPassFilter<T>(label: string | null, work: () => Promise<T>): Promise<T> {
  install();
  only = label;
  try {
    return await work();
  } finally {
    only = null;
  }
}
