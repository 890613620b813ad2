/**
 * Trains the regression in regression.ts with every optimizer on the GPU, and the same run on
 * the CPU reference, and reports both losses side by side. Open it in Chrome (`npm run
 * example -- --serve`) or run it headless (`npm run example`).
 */
import { Adagrad, Adam, AdamW, RMSprop, SGD, type TensorRef } from '../src/index.ts';
import {
  AdagradReference,
  AdamReference,
  AdamWReference,
  RMSpropReference,
  SGDReference,
} from '../src/reference/index.ts';
import { FEATURES, GRADIENT_WGSL, cpuGradient, loss, makeDataset } from './regression.ts';

const STEPS = 200;
const CHECKPOINTS = [0, 10, 50, 100, 200];

interface Row {
  optimizer: string;
  /** Loss at each checkpoint: [step, gpu, cpu]. */
  losses: [number, number, number][];
  /** Largest |gpu − cpu| over the final parameters. */
  maxParamDiff: number;
  gpuMsPerStep: number;
}

type GpuOpt = SGD | Adagrad | RMSprop | Adam | AdamW;
type CpuOpt = SGDReference | AdagradReference | RMSpropReference | AdamReference | AdamWReference;

const CONFIGS: {
  name: string;
  gpu: (d: GPUDevice, p: TensorRef[]) => GpuOpt;
  cpu: (p: Float32Array[]) => CpuOpt;
}[] = [
  {
    name: 'SGD lr=0.1',
    gpu: (d, p) => new SGD(d, p, { lr: 0.1 }),
    cpu: (p) => new SGDReference(p, { lr: 0.1 }),
  },
  {
    name: 'SGD momentum=0.9 nesterov lr=0.02',
    gpu: (d, p) => new SGD(d, p, { lr: 0.02, momentum: 0.9, nesterov: true }),
    cpu: (p) => new SGDReference(p, { lr: 0.02, momentum: 0.9, nesterov: true }),
  },
  {
    name: 'Adagrad lr=0.5',
    gpu: (d, p) => new Adagrad(d, p, { lr: 0.5 }),
    cpu: (p) => new AdagradReference(p, { lr: 0.5 }),
  },
  {
    name: 'RMSprop lr=0.01',
    gpu: (d, p) => new RMSprop(d, p, { lr: 0.01 }),
    cpu: (p) => new RMSpropReference(p, { lr: 0.01 }),
  },
  {
    name: 'Adam lr=0.05',
    gpu: (d, p) => new Adam(d, p, { lr: 0.05 }),
    cpu: (p) => new AdamReference(p, { lr: 0.05 }),
  },
  {
    name: 'AdamW lr=0.05 wd=0.01',
    gpu: (d, p) => new AdamW(d, p, { lr: 0.05 }),
    cpu: (p) => new AdamWReference(p, { lr: 0.05 }),
  },
];

async function readBack(
  device: GPUDevice,
  buffer: GPUBuffer,
  floats: number,
): Promise<Float32Array> {
  const staging = device.createBuffer({
    size: 4 * floats,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buffer, 0, staging, 0, 4 * floats);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}

export async function train(): Promise<{ adapter: string; rows: Row[] }> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('WebGPU is unavailable in this browser');
  const device = await adapter.requestDevice();
  device.pushErrorScope('validation');
  const data = makeDataset();
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const upload = (a: Float32Array<ArrayBuffer>) => {
    const b = device.createBuffer({ size: a.byteLength, usage });
    device.queue.writeBuffer(b, 0, a);
    return b;
  };
  const xBuf = upload(data.x);
  const yBuf = upload(data.y);
  const module = device.createShaderModule({ code: GRADIENT_WGSL });
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module, entryPoint: 'main' },
  });
  const rows: Row[] = [];
  for (const config of CONFIGS) {
    // w (FEATURES floats) and b (1 float) are two tensors in one buffer; so are their grads.
    const paramBuf = device.createBuffer({ size: 4 * (FEATURES + 1), usage });
    const gradBuf = device.createBuffer({ size: 4 * (FEATURES + 1), usage });
    const view = (buffer: GPUBuffer): TensorRef[] => [
      { buffer, offset: 0, length: FEATURES },
      { buffer, offset: 4 * FEATURES, length: 1 },
    ];
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [xBuf, yBuf, paramBuf, gradBuf].map((buffer, binding) => ({
        binding,
        resource: { buffer },
      })),
    });
    const opt = config.gpu(device, view(paramBuf));
    const cpuParams = new Float32Array(FEATURES + 1);
    const w = cpuParams.subarray(0, FEATURES);
    const b = cpuParams.subarray(FEATURES);
    const ref = config.cpu([w, b]);
    const cpuGrad = new Float32Array(FEATURES + 1);
    const losses: Row['losses'] = [];
    let gpuMs = 0;
    for (let step = 0; step <= STEPS; step++) {
      if (CHECKPOINTS.includes(step)) {
        losses.push([
          step,
          loss(data, await readBack(device, paramBuf, FEATURES + 1)),
          loss(data, cpuParams),
        ]);
      }
      if (step === STEPS) break;
      const t0 = performance.now();
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(1);
      pass.end();
      opt.step(view(gradBuf), encoder); // recorded after the gradient pass, one submit
      device.queue.submit([encoder.finish()]);
      gpuMs += performance.now() - t0;
      cpuGradient(data, cpuParams, cpuGrad);
      ref.step([cpuGrad.subarray(0, FEATURES), cpuGrad.subarray(FEATURES)]);
    }
    const final = await readBack(device, paramBuf, FEATURES + 1);
    const maxParamDiff = Math.max(
      ...Array.from(final, (v, i) => Math.abs(v - (cpuParams[i] as number))),
    );
    await opt.checkErrors();
    opt.destroy();
    paramBuf.destroy();
    gradBuf.destroy();
    rows.push({ optimizer: config.name, losses, maxParamDiff, gpuMsPerStep: gpuMs / STEPS });
  }
  const error = await device.popErrorScope();
  if (error) throw new Error(`WebGPU validation error: ${error.message}`);
  device.destroy();
  return {
    adapter:
      `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`.trim(),
    rows,
  };
}

function render(result: Awaited<ReturnType<typeof train>>): void {
  const table = document.getElementById('results');
  const status = document.getElementById('status');
  if (!table || !status) return;
  status.textContent = `adapter: ${result.adapter}`;
  const head = CHECKPOINTS.map((s) => `<th>loss@${s} GPU</th><th>loss@${s} CPU</th>`).join('');
  table.innerHTML =
    `<tr><th>optimizer</th>${head}<th>max |Δparam|</th></tr>` +
    result.rows
      .map(
        (r) =>
          `<tr><td style="text-align:left">${r.optimizer}</td>` +
          r.losses
            .map(([, g, c]) => `<td>${g.toExponential(3)}</td><td>${c.toExponential(3)}</td>`)
            .join('') +
          `<td>${r.maxParamDiff.toExponential(2)}</td></tr>`,
      )
      .join('');
}

declare global {
  interface Window {
    __ready: boolean;
    __train: typeof train;
  }
}

window.__train = train;
window.__ready = true;
if (!navigator.webdriver) {
  train().then(render, (e: unknown) => {
    const status = document.getElementById('status');
    if (status) status.textContent = String(e);
  });
}
