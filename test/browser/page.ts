import { suites } from './suites/index.ts';

declare global {
  interface Window {
    __suites: typeof suites;
    __ready: boolean;
  }
}

window.__suites = suites;
window.__ready = true;
