import { tfjsSuites } from './suites/tfjs.ts';

declare global {
  interface Window {
    __tfjsSuites: typeof tfjsSuites;
  }
}

window.__tfjsSuites = tfjsSuites;
window.__ready = true;
