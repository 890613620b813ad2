/** `npm run bench:serve`: serves the benchmark page for a normal Chrome. */
import { startPageServer } from './pageServer.ts';

const server = await startPageServer(['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu']);
console.log(`Open ${server.url}/bench/index.html in Chrome (Ctrl+C to stop).`);
