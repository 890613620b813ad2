/** Maps a surface's plotted box onto a canvas's pixels (y up), and back. */
import type { Surface } from './surfaces.ts';

export interface Viewport {
  width: number;
  height: number;
  /** Canvas pixel of a point of the plane. */
  px(x: number): number;
  py(y: number): number;
  /** Point of the plane at the centre of a canvas pixel. */
  x(px: number): number;
  y(py: number): number;
}

export function viewport(surface: Surface, width: number, height: number): Viewport {
  const [x0, x1] = surface.x;
  const [y0, y1] = surface.y;
  return {
    width,
    height,
    px: (x) => ((x - x0) / (x1 - x0)) * width,
    py: (y) => height - ((y - y0) / (y1 - y0)) * height,
    x: (px) => x0 + ((px + 0.5) / width) * (x1 - x0),
    y: (py) => y1 - ((py + 0.5) / height) * (y1 - y0),
  };
}
