import { AdamW, ParamArena } from 'webgpu-optim';

/**
 * One AdamW step on a ParamArena of three tensors: the bias sits in a param group of its own
 * without weight decay, and the gradients are clipped to a global L2 norm of 1.
 */
export async function arenaStep(device: GPUDevice) {
  const arena = new ParamArena(device, [
    { name: 'weight', length: 6 },
    { name: 'scale', length: 1 },
    { name: 'bias', length: 3 },
  ]);
  arena.writeParam(0, new Float32Array([1, 2, 3, 4, 5, 6]));
  arena.writeParam(1, new Float32Array([2]));
  arena.writeParam(2, new Float32Array([0.5, 0.5, 0.5]));
  // Your backward pass writes arena.gradBuffer; here, gradients of norm √(3² + 4² + 12²) = 13.
  arena.writeGrad(0, new Float32Array([3, 4, 0, 0, 0, 0]));
  arena.writeGrad(1, new Float32Array([12]));

  const opt = new AdamW(
    device,
    [
      { params: arena.params.slice(0, 2) }, // weight and scale: weightDecay 0.01 (AdamW's)
      { params: arena.params.slice(2), weightDecay: 0 }, // the bias
    ],
    { lr: 0.01, clipGradNorm: 1 },
  );
  opt.step(arena.grads); // one compute pass: the norm, then one update dispatch per group
  const dispatches = opt.lastStepDispatches; // 2
  const norm = await opt.gradNorm(); // 13: the norm before clipping, read when you ask
  await opt.checkErrors();
  opt.destroy();

  const readback = device.createBuffer({
    size: arena.size,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const copy = device.createCommandEncoder();
  copy.copyBufferToBuffer(arena.paramBuffer, 0, readback, 0, arena.size);
  device.queue.submit([copy.finish()]);
  await readback.mapAsync(GPUMapMode.READ);
  const all = new Float32Array(readback.getMappedRange().slice(0));
  readback.destroy();
  const params = arena.params.map(({ offset = 0, length }) =>
    Array.from(all.subarray(offset / 4, offset / 4 + length)),
  );
  arena.destroy();
  return { dispatches, norm, params };
}
