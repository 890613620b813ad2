/**
 * Serves the repository through Vite (TypeScript and `?raw` WGSL imports are transformed on
 * the fly) on 127.0.0.1 at a free port. Used by the browser tests, the example and the bench.
 */
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

/** `prebundle`: npm packages Vite must pre-bundle (CommonJS inside, such as TF.js's deps). */
export async function startPageServer(prebundle: string[] = []): Promise<PageServer> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const server = await createServer({
    root,
    configFile: false,
    logLevel: 'error',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    optimizeDeps: { noDiscovery: true, include: prebundle },
    // Pages import the package by name, as users do; serve it from source.
    resolve: {
      alias: [
        { find: /^webgpu-optim\/reference$/, replacement: `${root}src/reference/index.ts` },
        { find: /^webgpu-optim\/tfjs$/, replacement: `${root}src/adapters/tfjs/index.ts` },
        { find: /^webgpu-optim$/, replacement: `${root}src/index.ts` },
      ],
    },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('Vite server has no TCP address');
  return { url: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}
