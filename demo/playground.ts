/**
 * The surface panel's run: makes a swarm from the settings (on the GPU when there is a
 * device, on the CPU reference otherwise), steps it on Step and while playing, keeps each
 * line's trajectory, and redraws. Operations run one at a time, in order.
 */
import { cpuSwarm } from './cpuSwarm.ts';
import { gpuSwarm } from './gpuSwarm.ts';
import { LINES } from './lines.ts';
import { makeSchedule, type ScheduleOptions } from './scheduleChoice.ts';
import { drawSurface } from './surfacePlot.ts';
import { attempt, meanLoss, type Frame, type Swarm } from './swarm.ts';
import type { Settings } from './controls.ts';

/** Points kept per trajectory (x, y pairs); older ones are dropped beyond this. */
const MAX_PATH = 20_000;
/** The random starts are the same on every reset, so runs compare. */
const SEED = 1;

/** What the page reports about each line (and what the tests read). */
export interface LineState {
  name: string;
  color: string;
  visible: boolean;
  meanLoss: number;
  initialMeanLoss: number;
  diverged: number;
  particles: number;
  /** Particle 0's positions from the start on: x0, y0, x1, y1, ... */
  path: number[];
  /** Why this line does not run (its optimizer rejected its options), or null. */
  error: string | null;
}

export interface PlaygroundState {
  backend: 'webgpu' | 'cpu';
  surface: string;
  step: number;
  playing: boolean;
  lines: LineState[];
  /** What keeps the run or some of its lines from running, as messages to show. */
  problems: string[];
  /**
   * The last Step or frame: how many steps, and the milliseconds from recording them to
   * having every particle back on the CPU (stepping, gradients, copies and readback).
   */
  lastAdvance: { steps: number; ms: number } | null;
}

export interface Playground {
  /** Makes a fresh swarm from the settings and schedule options (the step goes back to 0). */
  reset(settings: Settings, scheduleOptions: ScheduleOptions): Promise<void>;
  /** Takes `settings.stepsPerFrame` steps. */
  step(): Promise<void>;
  play(): void;
  pause(): void;
  /** Resolves when every queued operation has finished. */
  idle(): Promise<void>;
  redraw(): void;
  state(): PlaygroundState;
}

export function createPlayground(
  device: GPUDevice | null,
  canvas: HTMLCanvasElement,
  onChange: (s: PlaygroundState) => void,
): Playground {
  let queue: Promise<void> = Promise.resolve();
  let swarm: Swarm | null = null;
  let settings: Settings | null = null;
  let frame: Frame | null = null;
  let initial: Frame | null = null;
  let paths: number[][] = [];
  let playing = false;
  let failed = false;
  let scheduleError: string | null = null;
  let lastAdvance: { steps: number; ms: number } | null = null;

  const enqueue = (op: () => Promise<void>): Promise<void> => {
    queue = queue.then(op).catch((e: unknown) => {
      failed = true;
      playing = false;
      console.error(e);
    });
    return queue;
  };

  const redraw = () => {
    if (!settings) return;
    drawSurface(canvas, {
      surface: settings.surface,
      lines: LINES,
      visible: settings.visible,
      positions: frame?.positions ?? LINES.map(() => new Float32Array(0)),
      paths,
      swarm: settings.swarm,
    });
  };

  const state = (): PlaygroundState => ({
    backend: swarm?.backend ?? (device ? 'webgpu' : 'cpu'),
    surface: settings?.surface.name ?? '',
    step: frame?.step ?? 0,
    playing,
    lines: LINES.map((line, k) => {
      const s = settings as Settings;
      const now = frame ? meanLoss(s.surface, frame.positions[k] as Float32Array) : null;
      const first = initial ? meanLoss(s.surface, initial.positions[k] as Float32Array) : null;
      return {
        name: line.name,
        color: line.color,
        visible: s.visible[k] ?? true,
        meanLoss: now?.mean ?? NaN,
        initialMeanLoss: first?.mean ?? NaN,
        diverged: now?.diverged ?? 0,
        particles: s.particles,
        path: [...(paths[k] ?? [])],
        error: swarm?.errors[k] ?? null,
      };
    }),
    lastAdvance,
    problems: [
      ...(scheduleError ? [`Schedule: ${scheduleError}`] : []),
      ...LINES.flatMap((line, k) => {
        const e = swarm?.errors[k];
        return e ? [`${line.name} does not run: ${e}`] : [];
      }),
    ],
  });

  const changed = () => {
    redraw();
    onChange(state());
  };

  const advance = async () => {
    if (!swarm || !settings || failed) return;
    const t0 = performance.now();
    const next = await swarm.advance(settings.stepsPerFrame);
    lastAdvance = { steps: settings.stepsPerFrame, ms: performance.now() - t0 };
    next.path.forEach((p, k) => {
      const path = paths[k] as number[];
      for (const v of p) path.push(v);
      if (path.length > MAX_PATH) path.splice(0, path.length - MAX_PATH);
    });
    frame = next;
    changed();
  };

  const loop = () => {
    if (!playing) return;
    void enqueue(advance).then(() => {
      if (playing) requestAnimationFrame(loop);
    });
  };

  return {
    reset(next, scheduleOptions) {
      return enqueue(async () => {
        swarm?.destroy();
        swarm = null;
        failed = false;
        settings = next;
        // Options the user typed may be out of a schedule's range: say so, and do not run.
        const schedule = attempt(() => makeSchedule(next.schedule, scheduleOptions));
        scheduleError = schedule.error;
        if (!schedule.value) {
          playing = false;
          initial = frame = null;
          paths = [];
          changed();
          return;
        }
        const config = {
          surface: next.surface,
          lines: LINES,
          lrs: next.lrs,
          hyper: next.hyper,
          schedule: schedule.value,
          particles: next.particles,
          seed: SEED,
        };
        swarm = device ? await gpuSwarm(device, config) : cpuSwarm(config);
        initial = frame = swarm.initial;
        lastAdvance = null;
        paths = frame.positions.map((p) => [p[0] as number, p[1] as number]);
        changed();
      });
    },
    step: () => enqueue(advance),
    play() {
      if (playing) return;
      playing = true;
      onChange(state());
      requestAnimationFrame(loop);
    },
    pause() {
      playing = false;
      onChange(state());
    },
    idle: () => queue,
    redraw,
    state,
  };
}
