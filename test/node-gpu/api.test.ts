/**
 * The host API on Dawn in Node: param groups, lr changes, the caller's encoder, the README's
 * example, and asynchronous WebGPU errors reaching the caller (see test/browser/api.test.ts).
 */
import { expect, it } from 'vitest';
import { api } from '../browser/suites/api.ts';
import { misuse } from '../browser/suites/misuse.ts';
import { runQuickstart } from '../browser/suites/quickstart.ts';
import { describeNodeGpu, useNodeDevice } from './harness.ts';

describeNodeGpu('host API on Dawn in Node', () => {
  const device = useNodeDevice();

  it('runs on the adapter globalSetup found', () => {
    expect(device().adapterInfo.vendor).not.toBe('');
  });

  it('matches the reference bitwise with param groups, lr changes and the caller encoder', async () => {
    const results = await api();
    expect(results.map((r) => r.desc)).toHaveLength(3);
    for (const r of results) expect(r, r.desc).toMatchObject({ mismatches: 0, errors: [] });
  });

  it("runs the README's example (examples/quickstart.ts)", async () => {
    const p = await runQuickstart();
    // Adam's first two steps with a constant gradient g: m̂ = g and v̂ = g², so each step
    // moves every element by lr · g / (|g| + eps) ≈ 0.1 · sign(g); two steps ≈ 0.2 · sign(g).
    const expected = [0.8, 2.2, 2.8, 4.2, 0, 0, 0, 0, 4.8, 6.2, 6.8];
    p.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 5));
  });

  it('reports asynchronous WebGPU errors through onError, checkErrors() and the next step()', async () => {
    const r = await misuse();
    expect(r.otherDeviceOnError).toMatch(
      /^Adam: WebGPU reported an error during step 1.*test\/foreign/s,
    );
    expect(r.destroyedCheckErrors).toMatch(
      /^SGD: WebGPU reported an error.*test\/dead-grad.*destroyed/s,
    );
    expect(r.destroyedNextStepThrows).toMatch(
      /^SGD: WebGPU reported an error during step 2.*destroyed/s,
    );
    expect(r.stepAfterDestroy).toMatch(/SGD: step\(\) called after destroy\(\)/);
    expect(r.destroyTwiceOk).toBe(true);
    expect(r.leaked).toBeNull();
  });
});
