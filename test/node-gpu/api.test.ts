/**
 * The host API on Dawn in Node: param groups, lr changes, the caller's encoder, the README's
 * example, and asynchronous WebGPU errors reaching the caller (see test/browser/api.test.ts).
 */
import { expect, it } from 'vitest';
import { api } from '../browser/suites/api.ts';
import { misuse } from '../browser/suites/misuse.ts';
import { runQuickstart } from '../browser/suites/quickstart.ts';
import { expectMisuse, expectQuickstartParams } from '../browser/sharedChecks.ts';
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
    expectQuickstartParams(p);
  });

  it('reports asynchronous WebGPU errors through onError, checkErrors() and the next step()', async () => {
    const r = await misuse();
    expectMisuse(r);
  });
});
