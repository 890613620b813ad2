/**
 * Host-API behaviour on a real device: param groups, lr changes, the caller's encoder, and
 * errors that WebGPU reports asynchronously (a buffer from another device, a destroyed
 * buffer), which must reach the caller and never a console warning.
 */
import { expect, it } from 'vitest';
import { describeGpu, useTestPage } from './harness.ts';
import { expectMisuse, expectQuickstartParams } from './sharedChecks.ts';

describeGpu('host API on the GPU', () => {
  const testPage = useTestPage();

  it('matches the reference bitwise with param groups, lr changes and the caller encoder', async () => {
    const results = await testPage().run('api');
    expect(results.map((r) => r.desc)).toHaveLength(3);
    for (const r of results) expect(r, r.desc).toMatchObject({ mismatches: 0, errors: [] });
  });

  it("runs the README's example (examples/quickstart.ts)", async () => {
    const p = await testPage().run('runQuickstart');
    expectQuickstartParams(p);
  });

  it('reports asynchronous WebGPU errors through onError, checkErrors() and the next step()', async () => {
    const r = await testPage().run('misuse');
    expectMisuse(r);
  });
});
