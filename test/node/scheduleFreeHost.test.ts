/**
 * ScheduleFreeAdamW's host layer on a fake device: what train() and eval() record, the mode
 * rules, the running weightSum/lrMax in the param groups and the state dict (left to the GPU
 * with a GradScaler), and the options it refuses. The GPU results themselves are checked in test/browser (scheduleFree.test.ts and
 * the parity table).
 */
import { describe, expect, it } from 'vitest';
import { GradScaler, ScheduleFreeAdamW, createOptimizer } from '../../src/index.ts';
import { fakeDevice } from './fakeDevice.ts';

function setup() {
  const f = fakeDevice();
  const p = f.buffer(64);
  const g = f.buffer(64);
  const opt = new ScheduleFreeAdamW(f.device, [
    { buffer: p, length: 4 },
    { buffer: p, offset: 16, length: 4 },
  ]);
  const grads = [
    { buffer: g, length: 4 },
    { buffer: g, offset: 16, length: 4 },
  ];
  return { f, opt, grads };
}

describe('ScheduleFreeAdamW host', () => {
  it('is what createOptimizer builds for "schedulefreeadamw", in train mode', () => {
    const f = fakeDevice();
    const opt = createOptimizer('schedulefreeadamw', f.device, [
      { buffer: f.buffer(16), length: 4 },
    ]);
    expect(opt).toBeInstanceOf(ScheduleFreeAdamW);
    expect(opt.mode).toBe('train'); // typed as ScheduleFreeAdamW (OptimizerFor)
    expect(opt.paramGroups[0]?.lr).toBe(0.0025);
  });

  it('before the first step, eval() and train() submit and create nothing (no z yet)', () => {
    const { f, opt } = setup();
    const before = { ...f.counts };
    opt.eval();
    expect(opt.mode).toBe('eval');
    opt.train();
    expect(f.counts).toEqual(before);
  });

  it('after a step, eval() and train() each submit one pass of one dispatch, and create nothing', () => {
    const { f, opt, grads } = setup();
    opt.step(grads);
    const after = { ...f.counts };
    opt.eval();
    expect(f.counts.submits).toBe(after.submits + 1);
    expect(f.counts.dispatches).toBe(after.dispatches + 1); // the group's one dispatch
    opt.eval(); // already in eval mode: nothing
    expect(f.counts.submits).toBe(after.submits + 1);
    opt.train();
    expect(f.counts.submits).toBe(after.submits + 2);
    expect(f.counts.pipelines).toBe(after.pipelines);
    expect(f.counts.bindGroups).toBe(after.bindGroups);
    expect(f.counts.buffers).toBe(after.buffers);
  });

  it('step() in eval mode throws and records nothing', () => {
    const { f, opt, grads } = setup();
    opt.step(grads);
    opt.eval();
    const before = { ...f.counts };
    expect(() => opt.step(grads)).toThrow(/step\(\) called in eval mode; call opt\.train\(\)/);
    expect(f.counts).toEqual(before);
    expect(opt.stepCounts).toEqual([1, 1]);
  });

  it('keeps weightSum and lrMax in the param groups and in the state dict', async () => {
    const { opt, grads } = setup();
    (opt.paramGroups[0] as { lr: number }).lr = 0.1;
    opt.step(grads);
    opt.step(grads);
    // weight = 0.1² per step (r = 0, weightLrPower = 2)
    expect(opt.paramGroups[0]?.weightSum).toBeCloseTo(0.02, 15);
    expect(opt.paramGroups[0]?.lrMax).toBe(0.1);
    const dict = await opt.stateDict();
    expect(dict.paramGroups[0]?.weightSum).toBeCloseTo(0.02, 15);
    expect(Object.keys(dict.state[0] ?? {}).sort()).toEqual(['exp_avg_sq', 'step', 'z']);
  });

  it("carries the mode in the groups' trainMode: a dict saved in eval mode loads in eval mode", async () => {
    const { opt, grads } = setup();
    opt.step(grads);
    opt.eval();
    const dict = await opt.stateDict();
    expect(dict.paramGroups[0]?.trainMode).toBe(false);
    const other = setup();
    other.opt.loadStateDict(dict);
    expect(other.opt.mode).toBe('eval');
    expect(() => other.opt.step(other.grads)).toThrow(/eval mode/);
    const before = { ...other.f.counts };
    other.opt.train(); // x -> y by the formula: one pass
    expect(other.f.counts.submits).toBe(before.submits + 1);
    expect(other.opt.mode).toBe('train');
  });

  it('with a gradScaler: prepare and update_scale bracket the step, prepare runs before the mode switch, and the GPU keeps weightSum and lrMax', () => {
    const f = fakeDevice();
    const scaler = new GradScaler(f.device);
    const p = f.buffer(64);
    const g = f.buffer(64);
    const opt = new ScheduleFreeAdamW(f.device, [{ buffer: p, length: 4 }], {
      gradScaler: scaler,
      lr: 0.1,
      weightSum: 0.5,
    });
    opt.step([{ buffer: g, length: 4 }]);
    expect(opt.lastScalerDispatches).toBe(2); // prepare (ALGO 7) and update_scale
    // the host cannot know whether the step was taken: the group keeps its values
    expect(opt.paramGroups[0]?.weightSum).toBe(0.5);
    expect(opt.paramGroups[0]?.lrMax).toBe(-1);
    const before = { ...f.counts };
    opt.eval();
    // prepare (first_step from the GPU's count of steps taken), then the group's switch
    expect(f.counts.dispatches).toBe(before.dispatches + 2);
    expect(f.counts.submits).toBe(before.submits + 1);
    expect(f.counts.pipelines).toBe(before.pipelines);
  });

  it('refuses beta1 = 0 at eval()', () => {
    const f = fakeDevice();
    const opt = new ScheduleFreeAdamW(f.device, [{ buffer: f.buffer(16), length: 4 }], {
      betas: [0, 0.999],
    });
    opt.step([{ buffer: f.buffer(16), length: 4 }]);
    expect(() => opt.eval()).toThrow(/eval\(\) needs betas\[0\] > 0/);
    expect(opt.mode).toBe('train');
  });

  it('eval() and train() after destroy() throw', () => {
    const { opt, grads } = setup();
    opt.step(grads);
    opt.destroy();
    expect(() => opt.eval()).toThrow(/eval\(\) called after destroy\(\)/);
  });
});
