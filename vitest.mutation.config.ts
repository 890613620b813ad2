/// <reference types="vitest/config" />
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The Node suite only, for Stryker (`npm run test:mutation`, stryker.config.json): the mutated
// folders (src/reference, src/options, src/schedules) are pure TypeScript, so the GPU projects
// add nothing but minutes. Same aliases as vite.config.ts's node project.
export default defineConfig({
  test: {
    alias: [
      { find: /^webgpu-optim\/reference$/, replacement: resolve('src/reference/index.ts') },
      { find: /^webgpu-optim\/tfjs$/, replacement: resolve('src/adapters/tfjs/index.ts') },
      { find: /^webgpu-optim$/, replacement: resolve('src/index.ts') },
    ],
    include: ['test/node/**/*.test.ts'],
    // bugs.test.ts reads the sources as text, which Stryker has rewritten with its mutants
    exclude: ['test/node/bugs.test.ts'],
    environment: 'node',
    // instrumented code on a shared machine: the default 5 s is too tight for the auto-mpg rerun
    testTimeout: 60_000,
  },
});
