/**
 * Finds a WebGPU adapter for Node (the `webgpu` package, Dawn) and the environment it needs.
 *
 * Dawn's Vulkan backend dlopens `libvulkan.so.1`. Where no Vulkan driver is installed (a CI
 * machine, a container) it finds no adapter. Chromium ships a loader and SwiftShader, a CPU
 * Vulkan driver, next to its binary; pointing the loader at them gives Dawn an adapter:
 *
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json LD_LIBRARY_PATH=/usr/lib/chromium
 *
 * The dynamic linker reads LD_LIBRARY_PATH once, when the process starts, so both must be set
 * before Node starts: the probes here run in child processes, and callers pass the resulting
 * environment to the process that creates the device (a Vitest worker, a re-executed script).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a probe learned about the adapter. */
export interface DawnAdapter {
  vendor: string;
  architecture: string;
  description: string;
}

/** The outcome of `findDawn()`. */
export interface DawnSetup {
  /** The adapter found, or null. */
  adapter: DawnAdapter | null;
  /** Variables to add to a process's environment (empty when none are needed). */
  env: Record<string, string>;
  /** One line per attempt, for error messages. */
  tried: string[];
}

/** Where Chromium builds put SwiftShader's Vulkan ICD (Debian, Ubuntu, Fedora, Chrome). */
export const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/usr/lib64/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const PROBE = `
import { create } from 'webgpu';
const gpu = create([]);
const a = await gpu.requestAdapter();
process.stdout.write('DAWN ' + JSON.stringify(a && {
  vendor: a.info.vendor, architecture: a.info.architecture, description: a.info.description,
}) + '\\n');
process.exit(0);
`;

/** Requests an adapter in a child Node process with `extra` added to the environment. */
export function probeDawn(extra: Record<string, string>): DawnAdapter | null {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], {
    cwd: ROOT,
    env: { ...process.env, ...extra },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const line = /^DAWN (.*)$/m.exec(r.stdout ?? '')?.[1];
  if (line === undefined) {
    throw new Error(
      `the Dawn probe failed (exit ${String(r.status)}${r.signal ? `, ${r.signal}` : ''}): ${r.stderr || String(r.error)}`,
    );
  }
  return JSON.parse(line) as DawnAdapter | null;
}

/** The loader environment for SwiftShader's ICD file `icd`. */
export function swiftShaderEnv(icd: string): Record<string, string> {
  const dir = dirname(icd);
  const path = process.env.LD_LIBRARY_PATH;
  return { VK_ICD_FILENAMES: icd, LD_LIBRARY_PATH: path ? `${dir}:${path}` : dir };
}

/**
 * Finds an adapter: first with the environment as it is (a real GPU driver, or a loader
 * environment the user set), then with each SwiftShader found on disk.
 */
export function findDawn(): DawnSetup {
  const tried: string[] = [];
  const plain = probeDawn({});
  if (plain) return { adapter: plain, env: {}, tried };
  tried.push('no adapter with the environment as it is');
  for (const icd of SWIFTSHADER_ICDS) {
    if (!existsSync(icd)) continue;
    const env = swiftShaderEnv(icd);
    const adapter = probeDawn(env);
    if (adapter) return { adapter, env, tried };
    tried.push(`no adapter with ${JSON.stringify(env)}`);
  }
  if (tried.length === 1) tried.push(`no SwiftShader ICD at ${SWIFTSHADER_ICDS.join(', ')}`);
  return { adapter: null, env: {}, tried };
}
