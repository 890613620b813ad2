/**
 * src/options/groups.ts: param-group normalization, re-validation before a step, and the
 * restore half of loadStateDict, with whole error messages.
 */
import { describe, expect, it } from 'vitest';
import {
  acceptStateDict,
  normalizeParamGroups,
  restoreGroupOptions,
  revalidateGroup,
} from '../../src/options/groups.ts';
import { DEFAULTS } from '../../src/options/defaults.ts';
import type { StateDict } from '../../src/options/stateDict.ts';

const W = 'SGD';

describe('normalizeParamGroups', () => {
  it('wraps a tensor list in one group: group options over options over defaults', () => {
    const [g] = normalizeParamGroups('sgd', ['a', 'b'], { lr: 0.5 }, W);
    expect(g).toEqual({ ...DEFAULTS.sgd, lr: 0.5, params: ['a', 'b'] });
    const groups = normalizeParamGroups(
      'sgd',
      [{ params: ['a'] }, { params: ['b'], lr: 0.2, momentum: 0.5 }],
      { lr: 0.1, momentum: 0.9 },
      W,
    );
    expect(groups).toEqual([
      { ...DEFAULTS.sgd, lr: 0.1, momentum: 0.9, params: ['a'] },
      { ...DEFAULTS.sgd, lr: 0.2, momentum: 0.5, params: ['b'] },
    ]);
  });

  it('copies the params array', () => {
    const list = ['a'];
    const [g] = normalizeParamGroups('sgd', [{ params: list }], {}, W);
    list.push('b');
    expect(g?.params).toEqual(['a']);
  });

  it('treats objects without params, and null, as tensors', () => {
    const t = { buffer: 1 };
    expect(normalizeParamGroups('sgd', [t], {}, W)[0]?.params).toEqual([t]);
    expect(normalizeParamGroups('sgd', [null], {}, W)[0]?.params).toEqual([null]);
  });

  it('names what is wrong', () => {
    const e = (msg: string) => new TypeError(`${W}: ${msg}`);
    const nonEmpty = 'params must be a non-empty array of tensors or param groups';
    expect(() => normalizeParamGroups('sgd', [], {}, W)).toThrowError(e(nonEmpty));
    expect(() => normalizeParamGroups('sgd', 'x' as never, {}, W)).toThrowError(e(nonEmpty));
    expect(() =>
      normalizeParamGroups('sgd', [{ params: ['a'] }, { params: 'b' }] as never, {}, W),
    ).toThrowError(e('paramGroups[1].params must be an array'));
    expect(() =>
      normalizeParamGroups('sgd', [{ params: ['a'] }, null] as never, {}, W),
    ).toThrowError(e('paramGroups[1].params must be an array'));
    expect(() => normalizeParamGroups('sgd', [{ params: [] }], {}, W)).toThrowError(
      e('paramGroups[0].params is empty'),
    );
    expect(() =>
      normalizeParamGroups('sgd', [{ params: ['a'] }, { params: ['b'], lr: -1 }], {}, W),
    ).toThrow(/^SGD: paramGroups\[1\]: /);
  });
});

describe('revalidateGroup', () => {
  const frozen = { ...DEFAULTS.adam, amsgrad: true };
  it('returns the resolved options, lr changes included', () => {
    const g = { ...frozen, lr: 0.5, params: ['a'] };
    expect(revalidateGroup('adam', g, frozen, W)).toEqual({ ...frozen, lr: 0.5 });
  });
  it('rejects a structural change, naming the option and both values', () => {
    const g = { ...frozen, amsgrad: false, params: ['a'] };
    expect(() => revalidateGroup('adam', g, frozen, W)).toThrowError(
      new Error(`${W}: amsgrad cannot change after construction (was true, now false)`),
    );
    const m = { ...frozen, maximize: true, params: ['a'] };
    expect(() => revalidateGroup('adam', m, frozen, W)).toThrowError(
      new Error(`${W}: maximize cannot change after construction (was false, now true)`),
    );
  });
  it('rejects momentum moving between zero and non-zero', () => {
    const sgd = { ...DEFAULTS.sgd };
    expect(() =>
      revalidateGroup('sgd', { ...sgd, momentum: 0.9, params: ['a'] }, sgd, W),
    ).toThrowError(
      new Error(
        `${W}: changing momentum between zero and non-zero after construction changes the state arrays (none -> momentum_buffer)`,
      ),
    );
    const withM = { ...sgd, momentum: 0.9 };
    expect(() =>
      revalidateGroup('sgd', { ...withM, momentum: 0, params: ['a'] }, withM, W),
    ).toThrowError(/\(momentum_buffer -> none\)$/);
    expect(revalidateGroup('sgd', { ...withM, momentum: 0.5, params: ['a'] }, withM, W)).toEqual({
      ...withM,
      momentum: 0.5,
    });
  });
});

describe('restoreGroupOptions', () => {
  const make = () => [
    { ...DEFAULTS.sgd, lr: 0.1, params: ['a', 'b'] },
    { ...DEFAULTS.sgd, lr: 0.2, params: ['c'] },
  ];
  const frozen = make().map(({ params: _p, ...o }) => o);
  const L = `${W}.loadStateDict`;

  it("copies every saved option but params into the groups (PyTorch's load_state_dict)", () => {
    const groups = make();
    restoreGroupOptions(
      'sgd',
      groups,
      frozen,
      {
        paramGroups: [
          { params: [0, 1], lr: 0.05, weightDecay: 0.1 },
          { params: [2], lr: 0.07 },
        ],
      },
      L,
    );
    expect(groups).toEqual([
      { ...DEFAULTS.sgd, lr: 0.05, weightDecay: 0.1, params: ['a', 'b'] },
      { ...DEFAULTS.sgd, lr: 0.07, params: ['c'] },
    ]);
  });

  it('names a count mismatch and changes nothing when any group fails', () => {
    const groups = make();
    expect(() =>
      restoreGroupOptions('sgd', groups, frozen, { paramGroups: [{ params: [0, 1] }] }, L),
    ).toThrowError(
      new Error(`${L}: invalid state dict: paramGroups holds 1 groups but this optimizer has 2`),
    );
    expect(() =>
      restoreGroupOptions('sgd', groups, frozen, { paramGroups: undefined as never }, L),
    ).toThrowError(
      new Error(`${L}: invalid state dict: paramGroups holds no groups but this optimizer has 2`),
    );
    expect(() =>
      restoreGroupOptions(
        'sgd',
        groups,
        frozen,
        { paramGroups: [{ params: [0, 1], lr: 0.3 }, { params: [1, 2] }] },
        L,
      ),
    ).toThrowError(
      new Error(
        `${L}: invalid state dict: paramGroups[1].params holds 2 tensors but this group has 1`,
      ),
    );
    expect(() =>
      restoreGroupOptions(
        'sgd',
        groups,
        frozen,
        { paramGroups: [{ params: [0, 1], lr: 0.3 }, { params: 'x' as never }] },
        L,
      ),
    ).toThrowError(
      new Error(
        `${L}: invalid state dict: paramGroups[1].params holds no tensors but this group has 1`,
      ),
    );
    expect(() =>
      restoreGroupOptions(
        'sgd',
        groups,
        frozen,
        {
          paramGroups: [
            { params: [0, 1], lr: 0.3 },
            { params: [2], nesterov: true },
          ],
        },
        L,
      ),
    ).toThrow(/^SGD\.loadStateDict: paramGroups\[1\]: /);
    expect(groups).toEqual(make());
  });
});

describe('acceptStateDict', () => {
  const dict = (): StateDict => ({
    format: 'webgpu-optim/state-dict',
    version: 1,
    algorithm: 'sgd',
    stateDtype: 'f32',
    state: [{ step: 1 }],
    paramGroups: [{ params: [0], lr: 0.3 }],
  });
  const scalerState = {
    scale: 1024,
    growthFactor: 2,
    backoffFactor: 0.5,
    growthInterval: 100,
    growthTracker: 3,
  };
  const target = (gradScaler: { load: (s: unknown) => void } | null) => ({
    algorithm: 'sgd' as const,
    lengths: [2],
    names: [[]],
    paramGroups: [{ ...DEFAULTS.sgd, params: ['a'] }],
    frozen: [{ ...DEFAULTS.sgd }],
    scheduler: null,
    gradScaler,
  });

  it('restores the group options, and the scaler only when one is attached', () => {
    const t = target(null);
    acceptStateDict({ ...dict(), gradScaler: scalerState }, t, 'L');
    expect(t.paramGroups[0]?.lr).toBe(0.3);
    const loaded: unknown[] = [];
    const t2 = target({ load: (s) => loaded.push(s) });
    acceptStateDict({ ...dict(), gradScaler: scalerState }, t2, 'L');
    expect(loaded).toEqual([scalerState]);
  });

  it('requires the scaler state when a GradScaler is attached, before changing anything', () => {
    const t = target({ load: () => undefined });
    expect(() => acceptStateDict(dict(), t, 'L')).toThrowError(
      new Error('L: invalid state dict: gradScaler is missing, but a GradScaler is attached'),
    );
    expect(t.paramGroups[0]?.lr).toBe(DEFAULTS.sgd.lr);
  });
});
