/**
 * Draws the surface panel: the contour plot, every visible line's particles (small dots) and
 * the trajectory of its particle 0 from the shared start (a line with a white halo), the
 * start (a circle) and the minima (crosses). Colours come from the lines (demo/lines.ts), as
 * in the legend.
 */
import { contourImage } from './contour.ts';
import type { Line } from './lines.ts';
import type { Surface } from './surfaces.ts';
import { viewport, type Viewport } from './viewport.ts';

export interface PlotState {
  surface: Surface;
  lines: readonly Line[];
  visible: readonly boolean[];
  /** Per line: every particle's position now (x, y pairs). */
  positions: readonly Float32Array[];
  /** Per line: particle 0's positions from the start on (x, y pairs). */
  paths: readonly number[][];
  /** Draw all particles (swarm mode) or particle 0 only. */
  swarm: boolean;
}

let cached: { key: string; image: ImageData } | null = null;

function contour(surface: Surface, v: Viewport): ImageData {
  const key = `${surface.name}/${v.width}x${v.height}`;
  if (cached?.key !== key) cached = { key, image: contourImage(surface, v) };
  return cached.image;
}

/** Sizes the canvas's backing store to its CSS box (times devicePixelRatio) and draws. */
export function drawSurface(canvas: HTMLCanvasElement, s: PlotState): void {
  const dpr = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
  const width = Math.max(1, Math.round(rect.width * dpr));
  const height = Math.max(1, Math.round(rect.height * dpr));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('drawSurface: the canvas has no 2D context');
  const v = viewport(s.surface, width, height);
  ctx.putImageData(contour(s.surface, v), 0, 0);
  const dot = Math.max(2, Math.round(2 * dpr));
  s.lines.forEach((line, k) => {
    if (!s.visible[k] || !s.swarm) return;
    const p = s.positions[k] ?? new Float32Array(0);
    ctx.fillStyle = line.color;
    ctx.globalAlpha = 0.45;
    for (let i = 2; i < p.length; i += 2) {
      const x = v.px(p[i] as number);
      const y = v.py(p[i + 1] as number);
      if (x >= 0 && x < width && y >= 0 && y < height)
        ctx.fillRect(x - dot / 2, y - dot / 2, dot, dot);
    }
  });
  ctx.globalAlpha = 1;
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  s.lines.forEach((line, k) => {
    if (!s.visible[k]) return;
    const path = s.paths[k] ?? [];
    ctx.beginPath();
    for (let i = 0; i < path.length; i += 2) {
      const x = clampPx(v.px(path[i] as number), width);
      const y = clampPx(v.py(path[i + 1] as number), height);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.strokeStyle = 'white';
    ctx.lineWidth = 5 * dpr;
    ctx.stroke();
    ctx.strokeStyle = line.color;
    ctx.lineWidth = 2.5 * dpr;
    ctx.stroke();
    const n = path.length;
    if (n >= 2) {
      ctx.fillStyle = line.color;
      ctx.beginPath();
      ctx.arc(
        clampPx(v.px(path[n - 2] as number), width),
        clampPx(v.py(path[n - 1] as number), height),
        4 * dpr,
        0,
        2 * Math.PI,
      );
      ctx.fill();
    }
  });
  // the shared start and the minima
  ctx.strokeStyle = '#222';
  ctx.lineWidth = 2 * dpr;
  ctx.beginPath();
  ctx.arc(v.px(s.surface.start[0]), v.py(s.surface.start[1]), 7 * dpr, 0, 2 * Math.PI);
  ctx.stroke();
  for (const [mx, my] of s.surface.minima) {
    const x = v.px(mx);
    const y = v.py(my);
    const r = 7 * dpr;
    ctx.beginPath();
    ctx.moveTo(x - r, y - r);
    ctx.lineTo(x + r, y + r);
    ctx.moveTo(x - r, y + r);
    ctx.lineTo(x + r, y - r);
    ctx.stroke();
  }
  axisLabels(ctx, s.surface, width, height, dpr);
}

/** Keeps far-away points (a diverged particle) just outside the canvas, where they stay finite. */
function clampPx(p: number, size: number): number {
  return Number.isFinite(p) ? Math.min(Math.max(p, -10), size + 10) : -10;
}

function axisLabels(
  ctx: CanvasRenderingContext2D,
  surface: Surface,
  width: number,
  height: number,
  dpr: number,
): void {
  ctx.font = `${12 * dpr}px system-ui, sans-serif`;
  ctx.fillStyle = '#333';
  const pad = 4 * dpr;
  ctx.textBaseline = 'bottom';
  ctx.textAlign = 'left';
  ctx.fillText(`x = ${surface.x[0]}`, pad, height - pad);
  ctx.textAlign = 'right';
  ctx.fillText(`x = ${surface.x[1]}`, width - pad, height - pad);
  ctx.textBaseline = 'top';
  ctx.textAlign = 'left';
  ctx.fillText(`y = ${surface.y[1]}`, pad, pad);
  ctx.textBaseline = 'bottom';
  ctx.fillText(`y = ${surface.y[0]}`, pad, height - pad - 16 * dpr);
}
