import { Adam, GradScaler, deserializeStateDict, serializeStateDict } from 'webgpu-optim';

// A backward pass for loss = ½·Σ(w − 3)², seeded with the loss scale: it reads the scale
// straight from the GradScaler's buffer, so nothing goes through the CPU.
const BACKWARD = /* wgsl */ `
@group(0) @binding(0) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read_write> g: array<f32>;
@group(0) @binding(2) var<storage, read> loss_scale: f32;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < arrayLength(&w)) {
    g[id.x] = loss_scale * (w[id.x] - 3.0);
  }
}`;

/** 100 Adam steps with dynamic loss scaling; step 50's gradients overflow and are skipped. */
export async function mixedPrecision(device: GPUDevice) {
  const n = 1000;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const w = device.createBuffer({ size: 4 * n, usage });
  const g = device.createBuffer({ size: 4 * n, usage });
  const param = { buffer: w, length: n };
  const grad = { buffer: g, length: n };

  const scaler = new GradScaler(device, { initScale: 2 ** 16 }); // PyTorch's defaults
  const opt = new Adam(device, [param], { lr: 0.1, gradScaler: scaler });

  const module = device.createShaderModule({ code: BACKWARD });
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module, entryPoint: 'main' },
  });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: w } },
      { binding: 1, resource: { buffer: g } },
      { binding: 2, resource: scaler.scaleBinding() }, // the loss scale, on the GPU
    ],
  });

  for (let step = 0; step < 100; step++) {
    const encoder = device.createCommandEncoder();
    if (step === 50) {
      // an overflowing backward pass: the step is skipped on the GPU, the scale halves
      device.queue.writeBuffer(g, 0, new Float32Array(n).fill(Infinity));
    } else {
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(Math.ceil(n / 64));
      pass.end();
    }
    opt.step([grad], encoder); // unscale, check, update or skip, update the scale
    device.queue.submit([encoder.finish()]);
  }

  // Nothing above waited on the GPU. Read what you want, when you want:
  const scale = await scaler.getScale(); // 2^15: halved once, at step 50
  const skipped = await scaler.foundInf(); // false: the last step was clean
  const checkpoint = serializeStateDict(await opt.stateDict()); // scale, tracker, steps taken
  const dict = deserializeStateDict(checkpoint);
  await opt.checkErrors();
  opt.destroy();
  scaler.destroy();
  return { scale, skipped, steps: dict.state[0]?.step, gradScaler: dict.gradScaler };
}
