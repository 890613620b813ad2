/**
 * A surface's contour plot as pixels: a pale fill banded by level, with a grey line where the
 * level changes. Levels are quarter-decades of f − fMin (log scale), so that a bowl, a banana
 * valley with walls in the thousands and Beale's plateaus all show several contours.
 */
import type { Surface } from './surfaces.ts';
import type { Viewport } from './viewport.ts';

/** Contours per decade of f − fMin. */
const PER_DECADE = 4;
/** Added to f − fMin before the log, so the minimum has a finite level. */
const FLOOR = 0.01;

function level(surface: Surface, x: number, y: number): number {
  const v = surface.loss(x, y) - surface.fMin;
  return Math.floor(Math.log10(Math.max(v, 0) + FLOOR) * PER_DECADE);
}

/** The contour image of `surface` in viewport `v`. */
export function contourImage(surface: Surface, v: Viewport): ImageData {
  const { width, height } = v;
  const levels = new Int32Array(width * height);
  for (let j = 0; j < height; j++) {
    const y = v.y(j);
    for (let i = 0; i < width; i++) levels[j * width + i] = level(surface, v.x(i), y);
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const l of levels) {
    lo = Math.min(lo, l);
    hi = Math.max(hi, l);
  }
  const image = new ImageData(width, height);
  const d = image.data;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const k = j * width + i;
      const l = levels[k] as number;
      const edge =
        (i + 1 < width && levels[k + 1] !== l) || (j + 1 < height && levels[k + width] !== l);
      const t = hi === lo ? 0 : (l - lo) / (hi - lo);
      // low: pale blue (222, 235, 247); high: near white (252, 250, 240)
      d[4 * k] = edge ? 160 : 222 + 30 * t;
      d[4 * k + 1] = edge ? 160 : 235 + 15 * t;
      d[4 * k + 2] = edge ? 170 : 247 - 7 * t;
      d[4 * k + 3] = 255;
    }
  }
  return image;
}
