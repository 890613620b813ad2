import { describe, expect, it } from 'vitest';
import { Adagrad, Adam, AdamW, RMSprop, SGD, type StateDict } from '../../src/index.ts';
import { fakeDevice } from './fakeDevice.ts';

describe('GPU optimizer argument checks (synchronous)', () => {
  it('rejects a device that is not a GPUDevice', () => {
    expect(() => new Adam({} as GPUDevice, [])).toThrow(/device must be a GPUDevice/);
  });

  it('rejects mismatched counts and lengths between params and grads', () => {
    const f = fakeDevice();
    const p = f.buffer(64);
    const g = f.buffer(64);
    const opt = new Adam(f.device, [
      { buffer: p, length: 4 },
      { buffer: p, offset: 16, length: 4 },
    ]);
    expect(() => opt.step([{ buffer: g, length: 4 }])).toThrow(
      /grads has 1 tensors but params has 2/,
    );
    expect(() =>
      opt.step([
        { buffer: g, length: 4 },
        { buffer: g, offset: 16, length: 3 },
      ]),
    ).toThrow(/grads\[1\]\.length is 3 but params\[1\]\.length is 4/);
  });

  it('rejects a buffer without STORAGE usage, naming the tensor and the usage', () => {
    const f = fakeDevice();
    const noStorage = f.buffer(64, 0x8, 'weights');
    expect(() => new SGD(f.device, [{ buffer: noStorage, length: 4 }])).toThrow(
      /params\[0\]\.buffer "weights" lacks STORAGE usage \(usage is 0x8\)/,
    );
    const opt = new SGD(f.device, [{ buffer: f.buffer(64), length: 4 }]);
    expect(() => opt.step([{ buffer: noStorage, length: 4 }])).toThrow(
      /grads\[0\]\.buffer "weights" lacks STORAGE/,
    );
  });

  it('rejects offsets that are not multiples of 4 and ranges past the end', () => {
    const f = fakeDevice();
    const b = f.buffer(64);
    expect(() => new SGD(f.device, [{ buffer: b, offset: 2, length: 4 }])).toThrow(
      /params\[0\]\.offset must be a non-negative multiple of 4 bytes, got 2/,
    );
    expect(() => new SGD(f.device, [{ buffer: b, offset: -4, length: 4 }])).toThrow(/got -4/);
    expect(() => new SGD(f.device, [{ buffer: b, offset: 48, length: 5 }])).toThrow(
      /params\[0\] covers bytes \[48, 68\) but its buffer holds 64 bytes/,
    );
    expect(() => new SGD(f.device, [{ buffer: b, length: 0 }])).toThrow(
      /length must be a positive integer, got 0/,
    );
    expect(() => new SGD(f.device, [{ buffer: b, length: 2.5 }])).toThrow(/got 2.5/);
    expect(() => new SGD(f.device, [{ length: 4 } as never])).toThrow(
      /params\[0\]\.buffer must be a GPUBuffer/,
    );
    expect(() => new SGD(f.device, [null as never])).toThrow(/params\[0\] must be a TensorRef/);
  });

  it('rejects overlapping param, grad and param/grad ranges', () => {
    const f = fakeDevice();
    const b = f.buffer(256);
    expect(
      () =>
        new SGD(f.device, [
          { buffer: b, length: 8 },
          { buffer: b, offset: 16, length: 8 },
        ]),
    ).toThrow(/params\[0\] \(bytes \[0, 32\)\) and params\[1\] \(bytes \[16, 48\)\) overlap/);
    const opt = new SGD(f.device, [
      { buffer: b, length: 8 },
      { buffer: b, offset: 32, length: 8 },
    ]);
    // a grad that overlaps its own param
    expect(() =>
      opt.step([
        { buffer: b, offset: 64, length: 8 },
        { buffer: b, offset: 48, length: 8 },
      ]),
    ).toThrow(/params\[1\] \(bytes \[32, 64\)\) and grads\[1\] \(bytes \[48, 80\)\) overlap/);
    // grads that overlap each other
    const g = f.buffer(256);
    expect(() =>
      opt.step([
        { buffer: g, length: 8 },
        { buffer: g, offset: 4, length: 8 },
      ]),
    ).toThrow(/grads\[0\].*grads\[1\].*overlap/);
    // params and grads side by side in one buffer are fine
    expect(() =>
      opt.step([
        { buffer: b, offset: 64, length: 8 },
        { buffer: b, offset: 96, length: 8 },
      ]),
    ).not.toThrow();
  });

  it('rejects out-of-range hyperparameters with the value in the message', () => {
    const f = fakeDevice();
    const t = [{ buffer: f.buffer(64), length: 4 }];
    expect(() => new SGD(f.device, t, { lr: -0.1 })).toThrow(/Invalid learning rate: -0.1/);
    expect(() => new Adam(f.device, t, { betas: [1.2, 0.999] })).toThrow(
      /Invalid beta parameter at index 0: 1.2/,
    );
    expect(() => new AdamW(f.device, t, { betas: [0.9, 1] })).toThrow(
      /Invalid beta parameter at index 1: 1/,
    );
    expect(() => new Adam(f.device, t, { eps: 0 })).toThrow(/Invalid epsilon value: 0/);
    expect(() => new RMSprop(f.device, t, { momentum: -1 })).toThrow(/Invalid momentum value: -1/);
    expect(() => new RMSprop(f.device, t, { alpha: 1 })).toThrow(/Invalid alpha value: 1/);
    expect(() => new Adagrad(f.device, t, { eps: -1e-10 })).toThrow(
      /Invalid epsilon value: -1e-10/,
    );
    expect(() => new SGD(f.device, t, { nesterov: true })).toThrow(
      /Nesterov momentum requires a momentum > 0/,
    );
    expect(() => new SGD(f.device, t, { nesterov: true, momentum: 0.9, dampening: 0.1 })).toThrow(
      /dampening=0.1/,
    );
    expect(() => new SGD(f.device, t, { weight_decay: 1 } as never)).toThrow(
      /unknown option "weight_decay"/,
    );
    expect(() => new SGD(f.device, t, { workgroupSize: 1000 })).toThrow(
      /workgroupSize must be an integer in \[1, 256\], got 1000/,
    );
  });

  it('re-validates options changed between steps', () => {
    const f = fakeDevice();
    const t = [{ buffer: f.buffer(64), length: 4 }];
    const g = [{ buffer: f.buffer(64), length: 4 }];
    const opt = new Adam(f.device, t);
    (opt.paramGroups[0] as { lr: number }).lr = -1;
    expect(() => opt.step(g)).toThrow(/paramGroups\[0\]: Invalid learning rate: -1/);
    (opt.paramGroups[0] as { lr: number }).lr = 0.1;
    (opt.paramGroups[0] as { amsgrad: boolean }).amsgrad = true;
    expect(() => opt.step(g)).toThrow(/amsgrad cannot change after construction/);
  });

  it('throws on step() after destroy(); destroy() is idempotent', () => {
    const f = fakeDevice();
    const opt = new SGD(f.device, [{ buffer: f.buffer(64), length: 4 }]);
    opt.destroy();
    expect(() => opt.destroy()).not.toThrow();
    expect(() => opt.step([{ buffer: f.buffer(64), length: 4 }])).toThrow(
      /step\(\) called after destroy\(\)/,
    );
    expect(() => opt.loadStateDict({} as StateDict)).toThrow(/after destroy/);
  });

  it('rejects a state dict for another algorithm, tensor count or length', () => {
    const f = fakeDevice();
    const b = f.buffer(256);
    const opt = new Adam(f.device, [
      { buffer: b, length: 4 },
      { buffer: b, offset: 64, length: 5 },
    ]);
    const good = (): StateDict => ({
      format: 'webgpu-optim/state-dict',
      version: 1,
      stateDtype: 'f32',
      algorithm: 'adam',
      state: [
        { step: 2, exp_avg: new Float32Array(4), exp_avg_sq: new Float32Array(4) },
        { step: 2, exp_avg: new Float32Array(5), exp_avg_sq: new Float32Array(5) },
      ],
      paramGroups: [{ ...opt.paramGroups[0], params: [0, 1] }],
    });
    expect(() => opt.loadStateDict(good())).not.toThrow();
    expect(opt.stepCounts).toEqual([2, 2]);
    expect(() => opt.loadStateDict({ ...good(), algorithm: 'sgd' })).toThrow(
      /algorithm is "sgd" but this optimizer is "adam"/,
    );
    expect(() => opt.loadStateDict({ ...good(), state: good().state.slice(1) })).toThrow(
      /holds 1 tensors but this optimizer has 2/,
    );
    const wrongLength = good();
    (wrongLength.state[1] as { exp_avg: Float32Array }).exp_avg = new Float32Array(4);
    expect(() => opt.loadStateDict(wrongLength)).toThrow(
      /state\[1\]\.exp_avg has length 4, expected 5/,
    );
    const missing = good();
    delete (missing.state[0] as { exp_avg_sq?: Float32Array }).exp_avg_sq;
    expect(() => opt.loadStateDict(missing)).toThrow(
      /state\[0\]\.exp_avg_sq must be a Float32Array, got nothing/,
    );
    expect(() => opt.loadStateDict({ ...good(), version: 2 as 1 })).toThrow(
      /version must be 1, got 2/,
    );
  });

  it('creates no pipeline, bind group or buffer after the first step', () => {
    const f = fakeDevice();
    const p = f.buffer(1024);
    const g = f.buffer(1024);
    const opt = new RMSprop(
      f.device,
      [
        { buffer: p, length: 100 },
        { buffer: p, offset: 512, length: 3 },
      ],
      {
        centered: true,
        momentum: 0.9,
      },
    );
    const grads = [
      { buffer: g, length: 100 },
      { buffer: g, offset: 512, length: 3 },
    ];
    opt.step(grads);
    const after = { ...f.counts };
    for (let i = 0; i < 5; i++) opt.step(grads);
    expect(f.counts.buffers).toBe(after.buffers);
    expect(f.counts.bindGroups).toBe(after.bindGroups);
    expect(f.counts.pipelines).toBe(after.pipelines);
    // params in one buffer, grads in one buffer at the same relative layout: one dispatch
    // for the group, one submit and one uniform write per step
    expect(f.counts.dispatches - after.dispatches).toBe(5);
    expect(f.counts.submits - after.submits).toBe(5);
    expect(f.counts.writes - after.writes).toBe(5);
    expect(opt.lastStepDispatches).toBe(1);
    expect(opt.stepCounts).toEqual([6, 6]);
  });

  it('falls back to one dispatch per tensor when the layouts differ', () => {
    const f = fakeDevice();
    const p = f.buffer(1024);
    const opt = new SGD(f.device, [
      { buffer: p, length: 64 },
      { buffer: p, offset: 512, length: 64 },
    ]);
    // grads in two buffers: not one layout
    opt.step([
      { buffer: f.buffer(256), length: 64 },
      { buffer: f.buffer(256), length: 64 },
    ]);
    expect(opt.lastStepDispatches).toBe(2);
    // grads in one buffer but at another relative layout
    const g = f.buffer(1024);
    opt.step([
      { buffer: g, length: 64 },
      { buffer: g, offset: 256, length: 64 },
    ]);
    expect(opt.lastStepDispatches).toBe(2);
    // the same relative layout (shifted by 4 bytes): one dispatch
    opt.step([
      { buffer: g, offset: 4, length: 64 },
      { buffer: g, offset: 516, length: 64 },
    ]);
    expect(opt.lastStepDispatches).toBe(1);
  });
});

describe('clear errors for tensors of the wrong kind', () => {
  const cpuHint =
    /GPU optimizers take TensorRefs \{ buffer: GPUBuffer, offset\?, length \}.*'webgpu-optim\/reference'/;

  it('a Float32Array, another typed array or a plain array where a TensorRef belongs', () => {
    const f = fakeDevice();
    expect(() => new Adam(f.device, [new Float32Array(3)] as never)).toThrow(
      /Adam: params\[0\] is a Float32Array, not a TensorRef/,
    );
    expect(() => new Adam(f.device, [new Float32Array(3)] as never)).toThrow(cpuHint);
    expect(() => new SGD(f.device, new Float32Array(3) as never)).toThrow(
      /SGD: params is a Float32Array, not an array of TensorRefs: GPU optimizers take/,
    );
    expect(() => new SGD(f.device, [{ params: [[1, 2, 3]] }] as never)).toThrow(
      /params\[0\] is a plain array, not a TensorRef/,
    );
    const opt = new SGD(f.device, [{ buffer: f.buffer(64), length: 4 }]);
    expect(() => opt.step([new Float64Array(4)] as never)).toThrow(
      /SGD: grads\[0\] is a Float64Array, not a TensorRef/,
    );
    expect(() => opt.step([new Float32Array(4)] as never)).toThrow(cpuHint);
    expect(() => opt.step(new Float32Array(4) as never)).toThrow(
      /SGD: step: grads is a Float32Array, not an array of TensorRefs/,
    );
  });

  it('a bare GPUBuffer passed as a tensor', () => {
    const f = fakeDevice();
    const weights = f.buffer(64, 0x88, 'weights');
    expect(() => new Adam(f.device, [weights] as never)).toThrow(
      /Adam: params\[0\] is a bare GPUBuffer "weights"; wrap it as a TensorRef: \{ buffer, length: buffer\.size \/ 4 \} \(here \{ buffer, length: 16 \}\)/,
    );
    const opt = new Adam(f.device, [{ buffer: f.buffer(64), length: 4 }]);
    expect(() => opt.step([f.buffer(16)] as never)).toThrow(
      /Adam: grads\[0\] is a bare GPUBuffer; wrap it as a TensorRef: \{ buffer, length: buffer\.size \/ 4 \} \(here \{ buffer, length: 4 \}\)/,
    );
  });
});
