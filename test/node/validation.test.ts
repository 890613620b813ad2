/**
 * Option and state-dict validation, through the CPU reference (it shares src/options with the
 * GPU classes; test/node/host.test.ts covers the GPU classes' own checks).
 */
import { describe, expect, it } from 'vitest';
import {
  AdadeltaReference,
  AdamaxReference,
  AdamReference,
  LionReference,
  RMSpropReference,
  SGDReference,
} from '../../src/reference/index.ts';
import type { StateDict } from '../../src/options/stateDict.ts';

const t = () => [new Float32Array(3)];

describe('option validation', () => {
  it.each([
    ['lr < 0', () => new SGDReference(t(), { lr: -1 }), /Invalid learning rate: -1/],
    [
      'lr not a number',
      () => new SGDReference(t(), { lr: '0.1' as never }),
      /lr must be a finite number, got 0.1/,
    ],
    ['lr NaN', () => new SGDReference(t(), { lr: NaN }), /lr must be a finite number, got NaN/],
    [
      'dampening > 1',
      () => new SGDReference(t(), { momentum: 0.9, dampening: 1.5 }),
      /Invalid dampening value: 1.5/,
    ],
    [
      'weightDecay < 0',
      () => new AdamReference(t(), { weightDecay: -0.1 }),
      /Invalid weightDecay value: -0.1/,
    ],
    [
      'betas[1] < 0',
      () => new AdamReference(t(), { betas: [0.9, -0.1] }),
      /Invalid beta parameter at index 1: -0.1/,
    ],
    [
      'betas not a pair',
      () => new AdamReference(t(), { betas: [0.9] as never }),
      /betas must be a pair/,
    ],
    ['alpha < 0', () => new RMSpropReference(t(), { alpha: -0.5 }), /Invalid alpha value: -0.5/],
    [
      'maximize not boolean',
      () => new AdamReference(t(), { maximize: 1 as never }),
      /maximize must be a boolean, got 1/,
    ],
    [
      'Adamax beta = 1',
      () => new AdamaxReference(t(), { betas: [1, 0.999] }),
      /Invalid beta parameter at index 0: 1 \(must be in \[0, 1\)\)/,
    ],
    ['Adamax eps = 0', () => new AdamaxReference(t(), { eps: 0 }), /Invalid epsilon value: 0/],
    [
      'Adamax unknown option',
      () => new AdamaxReference(t(), { amsgrad: true } as never),
      /unknown option "amsgrad" for adamax/,
    ],
    ['Adadelta rho > 1', () => new AdadeltaReference(t(), { rho: 1.5 }), /Invalid rho value: 1.5/],
    [
      'Adadelta rho < 0',
      () => new AdadeltaReference(t(), { rho: -0.1 }),
      /Invalid rho value: -0.1/,
    ],
    [
      'Adadelta weightDecay < 0',
      () => new AdadeltaReference(t(), { weightDecay: -1 }),
      /Invalid weightDecay value: -1/,
    ],
    [
      'Lion beta > 1',
      () => new LionReference(t(), { betas: [0.9, 1.01] }),
      /Invalid beta parameter at index 1: 1.01 \(must be in \[0, 1\]\)/,
    ],
    ['Lion eps', () => new LionReference(t(), { eps: 1e-8 } as never), /unknown option "eps"/],
    ['empty params', () => new AdamReference([]), /params must be a non-empty array/],
    ['empty group', () => new AdamReference([{ params: [] }]), /paramGroups\[0\]\.params is empty/],
    [
      'bad group option',
      () => new AdamReference([{ params: t(), lr: -2 }]),
      /paramGroups\[0\]: Invalid learning rate: -2/,
    ],
  ])('%s', (_, make, message) => {
    expect(make).toThrow(message);
  });

  it('accepts the edges the sources accept: Adadelta rho 0 and 1, Lion betas 0 and 1', () => {
    expect(() => new AdadeltaReference(t(), { rho: 0 })).not.toThrow();
    expect(() => new AdadeltaReference(t(), { rho: 1 })).not.toThrow();
    expect(() => new LionReference(t(), { betas: [1, 1] })).not.toThrow();
    expect(() => new LionReference(t(), { betas: [0, 0] })).not.toThrow();
  });

  it('group options override the constructor options, which override the defaults', () => {
    const opt = new AdamReference([{ params: t(), lr: 0.5 }, { params: t() }], {
      lr: 0.1,
      eps: 1e-6,
    });
    expect(opt.paramGroups[0]).toMatchObject({ lr: 0.5, eps: 1e-6, betas: [0.9, 0.999] });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.1, eps: 1e-6, amsgrad: false });
  });

  it('rejects grads that do not match the params', () => {
    const opt = new AdamReference(t());
    expect(() => opt.step([])).toThrow(/grads has 0 tensors, params has 1/);
    expect(() => opt.step([new Float32Array(2)])).toThrow(
      /grads\[0\]\.length is 2, params\[0\]\.length is 3/,
    );
  });

  it('rejects a structural option changed after construction', () => {
    const opt = new SGDReference(t(), { momentum: 0.9 });
    (opt.paramGroups[0] as { nesterov: boolean }).nesterov = true;
    expect(() => opt.step(t())).toThrow(/nesterov cannot change after construction/);
    (opt.paramGroups[0] as { nesterov: boolean }).nesterov = false;
    (opt.paramGroups[0] as { momentum: number }).momentum = 0;
    expect(() => opt.step(t())).toThrow(/changing momentum between zero and non-zero/);
  });
});

describe('state dict', () => {
  const trained = () => {
    const p = [new Float32Array([1, 2, 3]), new Float32Array([4])];
    const opt = new AdamReference(p, { lr: 0.1 });
    for (let s = 0; s < 3; s++)
      opt.step([new Float32Array([0.1, -0.2, 0.3]), new Float32Array([1])]);
    return { p, opt };
  };

  it('round-trips bitwise, including a changed lr', () => {
    const a = trained();
    for (const g of a.opt.paramGroups) g.lr = 0.05;
    const saved = a.opt.stateDict();
    const b = {
      p: a.p.map((x) => new Float32Array(x)),
      opt: undefined as unknown as AdamReference,
    };
    b.opt = new AdamReference(b.p, { lr: 0.1 });
    b.opt.loadStateDict(saved);
    expect(b.opt.paramGroups[0]?.lr).toBe(0.05);
    for (let s = 0; s < 3; s++) {
      const g = [new Float32Array([0.5, 0.5, -0.5]), new Float32Array([-1])];
      a.opt.step(g);
      b.opt.step(g);
    }
    expect(b.p).toEqual(a.p);
    expect(b.opt.stateDict()).toEqual(a.opt.stateDict());
  });

  it.each([
    [
      'another format',
      (d: StateDict) => ({ ...d, format: 'x' }),
      /format must be "webgpu-optim\/state-dict", got "x"/,
    ],
    [
      'an extra array',
      (d: StateDict) => ({
        ...d,
        state: [{ ...d.state[0], momentum_buffer: new Float32Array(3) }, d.state[1]],
      }),
      /state\[0\]\.momentum_buffer is not kept/,
    ],
    [
      'a bad step',
      (d: StateDict) => ({ ...d, state: [{ ...d.state[0], step: -1 }, d.state[1]] }),
      /state\[0\]\.step must be a non-negative integer, got -1/,
    ],
    [
      'a number array',
      (d: StateDict) => ({ ...d, state: [{ ...d.state[0], exp_avg: [0, 0, 0] }, d.state[1]] }),
      /state\[0\]\.exp_avg must be a Float32Array, got object/,
    ],
    [
      'two param groups',
      (d: StateDict) => ({ ...d, paramGroups: [...d.paramGroups, ...d.paramGroups] }),
      /paramGroups holds 2 groups but this optimizer has 1/,
    ],
    [
      'a group with another size',
      (d: StateDict) => ({ ...d, paramGroups: [{ ...d.paramGroups[0], params: [0] }] }),
      /paramGroups\[0\]\.params holds 1 tensors but this group has 2/,
    ],
    [
      'a structural option changed',
      (d: StateDict) => ({
        ...d,
        paramGroups: [{ ...d.paramGroups[0], amsgrad: true, params: [0, 1] }],
      }),
      /amsgrad cannot change/,
    ],
    ['not an object', () => null, /\(root\) must be an object, got null/],
  ])('rejects a dict with %s, naming the field', (_, edit, message) => {
    const { opt } = trained();
    const dict = edit(opt.stateDict()) as StateDict;
    expect(() => opt.loadStateDict(dict)).toThrow(message);
  });
});
