/**
 * `npm run demo`: serves the optimizer playground (demo/index.html) for a normal Chrome.
 * TF.js is pre-bundled for the page's live auto-mpg run.
 */
import { DEMO_PREBUNDLE } from './demoPage.ts';
import { startPageServer } from './pageServer.ts';

const server = await startPageServer(DEMO_PREBUNDLE);
console.log(`Open ${server.url}/demo/index.html in Chrome (Ctrl+C to stop).`);
