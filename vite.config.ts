/// <reference types="vitest/config" />
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Library build: dist/index.js, dist/reference.js and dist/tfjs.js (ESM). TF.js stays external:
// it is an optional peer dependency that only the tfjs entry imports. WGSL is inlined through `?raw`,
// so the bundle fetches nothing at run time and loads from a plain <script type="module">.
// Types come from `tsc -p tsconfig.build.json` (see the "build" script).
export default defineConfig({
  build: {
    target: 'es2022',
    sourcemap: true,
    minify: false,
    lib: {
      entry: {
        index: 'src/index.ts',
        reference: 'src/reference/index.ts',
        tfjs: 'src/adapters/tfjs/index.ts',
      },
      formats: ['es'],
    },
    rollupOptions: { external: [/^@tensorflow\//] },
  },
  test: {
    // Examples import the package by name, as users do; tests resolve it to the source.
    alias: [
      { find: /^webgpu-optim\/reference$/, replacement: resolve('src/reference/index.ts') },
      { find: /^webgpu-optim\/tfjs$/, replacement: resolve('src/adapters/tfjs/index.ts') },
      { find: /^webgpu-optim$/, replacement: resolve('src/index.ts') },
    ],
    // In CI also write a JSON summary, which .ci/run turns into a closing "N passed, N failed".
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results.json' },
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['test/node/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        // Examples import the package by name, as users do; resolve it to the source.
        resolve: {
          alias: [
            { find: /^webgpu-optim\/reference$/, replacement: '/src/reference/index.ts' },
            { find: /^webgpu-optim$/, replacement: '/src/index.ts' },
          ],
        },
        test: {
          // WebGPU in Node on Dawn (the `webgpu` package). globalSetup finds the adapter and adds
          // the Vulkan loader environment, if one is needed, to `env`, which reaches the worker
          // processes only with the forks pool (the dynamic linker reads LD_LIBRARY_PATH at
          // process start).
          name: 'node-gpu',
          include: ['test/node-gpu/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          env: {},
          globalSetup: ['test/node-gpu/globalSetup.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
