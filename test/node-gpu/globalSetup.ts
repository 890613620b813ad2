/**
 * Vitest globalSetup of the node-gpu project, run once in the main process before its workers
 * start: finds a Dawn adapter (scripts/dawn.ts) and, when it needs the Vulkan loader
 * environment (SwiftShader), adds that to the project's `env`, which Vitest passes to the
 * worker processes it forks. The result reaches the tests as `inject('nodeGpu')`.
 */
import type { TestProject } from 'vitest/node';
import { findDawn, type DawnSetup } from '../../scripts/dawn.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    nodeGpu: DawnSetup;
  }
}

/** Probes for an adapter and sets up the workers' environment. */
export function setup(project: TestProject): void {
  const found = findDawn();
  Object.assign(project.config.env, found.env);
  project.provide('nodeGpu', found);
}
