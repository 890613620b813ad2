import { describe, expect, it } from 'vitest';
import { deserializeStateDict, serializeStateDict } from '../../src/options/checkpoint.ts';
import { AdamReference } from '../../src/reference/index.ts';
import { LRScheduler, cosineAnnealing } from '../../src/schedules/index.ts';

function trained() {
  const p = [new Float32Array([1, 2, 3]), new Float32Array([-1])];
  const opt = new AdamReference(p, { lr: 0.1, amsgrad: true });
  const sched = new LRScheduler(opt, cosineAnnealing({ tMax: 10 }));
  for (let s = 0; s < 4; s++) {
    opt.step([new Float32Array([0.1, -0.2, 0.3]), new Float32Array([1])]);
    sched.step();
  }
  return { p, opt, sched };
}

describe('checkpoints as one ArrayBuffer', () => {
  it('round-trips a state dict exactly, with the scheduler position and the dtype', () => {
    const { opt } = trained();
    const dict = opt.stateDict();
    expect(dict.scheduler).toEqual({ lastEpoch: 4, baseLrs: [0.1] });
    expect(dict.stateDtype).toBe('f32');
    const back = deserializeStateDict(serializeStateDict(dict));
    expect(back).toEqual(dict);
  });

  it('continues bitwise after save, serialize, load into a fresh optimizer and scheduler', () => {
    const a = trained();
    const bytes = serializeStateDict(a.opt.stateDict());
    const p = a.p.map((x) => new Float32Array(x));
    const b = new AdamReference(p, { lr: 0.1, amsgrad: true });
    const sched = new LRScheduler(b, cosineAnnealing({ tMax: 10 }));
    b.loadStateDict(deserializeStateDict(bytes));
    expect(sched.lastEpoch).toBe(4);
    expect(b.paramGroups[0]?.lr).toBe(a.opt.paramGroups[0]?.lr);
    for (let s = 0; s < 3; s++) {
      const g = [new Float32Array([0.5, 0.5, -0.5]), new Float32Array([-1])];
      a.opt.step(g);
      a.sched.step();
      b.step(g);
      sched.step();
    }
    expect(p).toEqual(a.p);
  });

  it('names what is wrong with a damaged buffer', () => {
    const bytes = serializeStateDict(trained().opt.stateDict());
    expect(() => deserializeStateDict(new ArrayBuffer(4))).toThrow(/too short/);
    const wrong = bytes.slice(0);
    new Uint8Array(wrong)[0] = 0x58;
    expect(() => deserializeStateDict(wrong)).toThrow(/not a webgpu-optim checkpoint/);
    expect(() => deserializeStateDict(bytes.slice(0, bytes.byteLength - 8))).toThrow(
      /lies at \[\d+, \d+\) but the data holds/,
    );
  });

  it('loadStateDict rejects another dtype and a missing scheduler position', () => {
    const { opt } = trained();
    const dict = opt.stateDict();
    expect(() => opt.loadStateDict({ ...dict, stateDtype: 'bf16' as 'f32' })).toThrow(
      /stateDtype is "bf16"/,
    );
    const { scheduler: _s, ...noScheduler } = dict;
    expect(() => opt.loadStateDict(noScheduler)).toThrow(
      /scheduler is missing, but a scheduler is attached/,
    );
  });
});
