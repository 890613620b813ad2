/** Which benchmark rows must not be quoted (bench/reliability.ts), on hand-made measurements. */
import { describe, expect, it } from 'vitest';
import {
  SPREAD_LIMIT,
  bytesFloorFlag,
  featureFlags,
  flagText,
  ratioNoise,
  rooflineFlag,
  rowFlags,
  spreadFlag,
} from '../../bench/reliability.ts';

const ok = { spread: 0.05, samples: 5 };

describe('spread over 25 %', () => {
  it('flags ours and the peers by name, and only above the limit', () => {
    expect(SPREAD_LIMIT).toBe(0.25);
    expect(spreadFlag('ours', { spread: 0.26, samples: 3 })).toEqual({
      code: 'spread',
      reason: 'ours spread 26% > 25%',
    });
    expect(spreadFlag('TF.js', { spread: 0.73, samples: 2 })?.code).toBe('peer-spread');
    expect(spreadFlag('ours host', { spread: 0.5, samples: 3 })?.code).toBe('spread');
    // just over the limit: not "25% > 25%"
    expect(spreadFlag('plain JS', { spread: 0.2501, samples: 2 })?.reason).toBe(
      'plain JS spread 25.0% > 25%',
    );
    expect(spreadFlag('ours', { spread: 0.25, samples: 3 })).toBeNull();
    expect(spreadFlag('ours', ok)).toBeNull();
  });
  it('does not judge one repetition, or a spread that is not a number', () => {
    expect(spreadFlag('ours', { spread: 0, samples: 1 })).toBeNull();
    expect(spreadFlag('ours', { spread: NaN, samples: 0 })).toBeNull();
  });
});

describe('above the roofline', () => {
  it('flags GB/s above the roofline by more than the noise', () => {
    // noise = (0.1 + 0.1) / 2 = 10 %: the limit is 10 GB/s × 1.1 = 11 GB/s
    expect(ratioNoise(0.1, 0.1)).toBeCloseTo(0.1, 12);
    expect(rooflineFlag(11.5, 0.1, 10, 0.1)?.code).toBe('above-roofline');
    expect(rooflineFlag(10.9, 0.1, 10, 0.1)).toBeNull();
    expect(rooflineFlag(9, 0, 10, 0)).toBeNull();
  });
  it('says nothing without a roofline', () => {
    expect(rooflineFlag(5, 0, 0, 0)).toBeNull();
    expect(rooflineFlag(5, 0, NaN, 0)).toBeNull();
  });
});

describe('faster than the bytes allow', () => {
  it("flags the issue's bf16 + scaler + clipping row: 0.58× with 24 B against Adam's 28 B", () => {
    // floor 24 / 28 = 0.857; noise (0.73 + 0.10) / 2 = 0.415; 0.58 × 1.415 = 0.82 < 0.857
    const f = bytesFloorFlag(0.58, 24, 28, 0.73, 0.1);
    expect(f?.code).toBe('below-bytes-floor');
    expect(f?.reason).toContain('0.86×');
  });
  it('lets the noise cover a ratio near the floor', () => {
    // 0.62 × 1.415 = 0.877 ≥ 0.857
    expect(bytesFloorFlag(0.62, 24, 28, 0.73, 0.1)).toBeNull();
  });
  it('flags a variant that reads more than Adam and ran as fast as Adam', () => {
    // clipGradNorm: 32 B against 28 B, floor 1.14; 1.00 × 1.05 < 1.14
    expect(bytesFloorFlag(1, 32, 28, 0.05, 0.05)?.code).toBe('below-bytes-floor');
    expect(bytesFloorFlag(1.2, 32, 28, 0.05, 0.05)).toBeNull();
  });
  it('allows 16-bit state its fewer bytes', () => {
    // 20 B against 28 B: anything from 0.714× up is possible
    expect(bytesFloorFlag(0.75, 20, 28, 0, 0)).toBeNull();
    expect(bytesFloorFlag(0.6, 20, 28, 0, 0)?.code).toBe('below-bytes-floor');
  });
});

describe('a row of the main table', () => {
  const roof = { gbps: 10, spread: 0.05 };
  const row = {
    gbps: 2,
    ours: { gpuMs: ok },
    tfjs: { wallMs: ok },
    plainJs: ok,
    reference: { spread: 0, samples: 1 },
  };
  it('is reliable when every spread is small and GB/s is under the roofline', () => {
    expect(rowFlags(row, roof)).toEqual([]);
  });
  it('collects every reason', () => {
    const flags = rowFlags(
      {
        ...row,
        gbps: 20,
        ours: { gpuMs: { spread: 0.37, samples: 3 } },
        tfjs: { wallMs: { spread: 0.4, samples: 3 } },
      },
      roof,
    );
    expect(flags.map((f) => f.code)).toEqual(['spread', 'peer-spread', 'above-roofline']);
    expect(flagText(flags)).toBe(
      'ours spread 37% > 25%; TF.js spread 40% > 25%; 20.00 GB/s is above the 10.00 GB/s roofline',
    );
  });
  it('has no peer flags without peers', () => {
    const flags = rowFlags({ ...row, tfjs: null, plainJs: null, reference: null }, roof);
    expect(flags).toEqual([]);
  });
});

describe('feature-cost rows', () => {
  const roof = { gbps: 10, spread: 0 };
  it('judge each variant against the first row, and the first only on spread and roofline', () => {
    const rows = [
      { bytesPerParam: 28, gbps: 1.4, ratio: 1, spread: 0.3, samples: 3 },
      { bytesPerParam: 32, gbps: 1.3, ratio: 1.25, spread: 0.05, samples: 3 },
      // floor 24 / 28 = 0.857; noise (0.73 + 0.3) / 2 = 0.515; 0.5 × 1.515 = 0.76 < 0.857
      { bytesPerParam: 24, gbps: 2.9, ratio: 0.5, spread: 0.73, samples: 3 },
    ];
    const flags = featureFlags(rows, roof);
    expect(flags.map((l) => l.map((f) => f.code))).toEqual([
      ['spread'],
      [],
      ['spread', 'below-bytes-floor'],
    ]);
  });
  it('flag nothing on an empty list', () => {
    expect(featureFlags([], roof)).toEqual([]);
  });
});
