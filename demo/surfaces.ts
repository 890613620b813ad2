/**
 * The four loss surfaces of the playground, each with its gradient written twice: in
 * demo/gradient.wgsl (the GPU swarm) and here (the CPU fallback and the tests). The TypeScript
 * gradient is the shader's twin: the same operations in the same order, each rounded to f32
 * (`Math.fround`), so the two agree bitwise on an f32 GPU that neither fuses nor reorders.
 * Constants are powers of two or small integers where the maths allows, so that they are
 * exact in f32 (the quadratic is x²/16 + y², not the x²/20 + y² of the textbook picture, for
 * that reason).
 */
const f = Math.fround;

/** The surfaces, in the order the page lists them; `id` is the WGSL override SURFACE. */
export type SurfaceName = 'quadratic' | 'rosenbrock' | 'beale' | 'saddle';

/** One learning rate per optimizer line, tuned by hand so every line moves visibly. */
export type LineLrs = Record<string, number>;

export interface Surface {
  name: SurfaceName;
  /** The WGSL override constant SURFACE that selects this surface's gradient. */
  id: number;
  /** What the page calls it. */
  label: string;
  /** A sentence on what the surface teaches. */
  lesson: string;
  /** The plotted box: [xMin, xMax] and [yMin, yMax]. */
  x: [number, number];
  y: [number, number];
  /** The shared start of the single trajectories (particle 0 of every line). */
  start: [number, number];
  /** The global minimum (or minima) marked on the plot, and the lowest value of f. */
  minima: [number, number][];
  fMin: number;
  /** Loss in f64, for the contour plot and the mean loss the page reports. */
  loss(x: number, y: number): number;
  /** The gradient in f32, the twin of gradient.wgsl: writes into g[0], g[1]. */
  gradient(x: number, y: number, g: Float32Array): void;
  /** Default learning rate of each line (keyed by line name). */
  lrs: LineLrs;
}

/** Every line's default lr on a surface (see demo/lines.ts for the lines). */
function lrs(
  sgd: number,
  momentum: number,
  nesterov: number,
  adagrad: number,
  rmsprop: number,
  adam: number,
): LineLrs {
  return {
    SGD: sgd,
    Momentum: momentum,
    Nesterov: nesterov,
    AdaGrad: adagrad,
    RMSprop: rmsprop,
    Adam: adam,
  };
}

export const SURFACES: readonly Surface[] = [
  {
    name: 'quadratic',
    id: 0,
    label: 'Elongated quadratic  x²/16 + y²',
    lesson:
      'A narrow valley: SGD zig-zags across it, momentum overshoots, AdaGrad and Adam rescale each axis.',
    x: [-10, 10],
    y: [-5, 5],
    start: [-7, 2],
    minima: [[0, 0]],
    fMin: 0,
    loss: (x, y) => (x * x) / 16 + y * y,
    gradient(x, y, g) {
      // ∂/∂x = x/8, ∂/∂y = 2y
      g[0] = f(x * 0.125);
      g[1] = f(2 * y);
    },
    lrs: lrs(0.9, 0.1, 0.1, 1.5, 0.1, 0.3),
  },
  {
    name: 'rosenbrock',
    id: 1,
    label: 'Rosenbrock  (1 − x)² + 100 (y − x²)²',
    lesson: 'A curved banana valley: easy to fall into, slow to follow to the minimum at (1, 1).',
    x: [-2, 2],
    y: [-1, 3],
    start: [-1.5, 2],
    minima: [[1, 1]],
    fMin: 0,
    loss: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    gradient(x, y, g) {
      // t = y − x²;  ∂/∂x = −2(1 − x) − 400·x·t,  ∂/∂y = 200·t
      const t = f(y - f(x * x));
      g[0] = f(f(-2 * f(1 - x)) - f(f(400 * x) * t));
      g[1] = f(200 * t);
    },
    lrs: lrs(0.001, 0.0003, 0.0003, 0.3, 0.003, 0.03),
  },
  {
    name: 'beale',
    id: 2,
    label: 'Beale  Σ (cᵢ − x + x·yⁱ)²',
    lesson:
      'Flat plateaus and steep walls: gradient sizes differ by orders of magnitude across the plot.',
    x: [-4.5, 4.5],
    y: [-4.5, 4.5],
    start: [1, 1.4],
    minima: [[3, 0.5]],
    fMin: 0,
    loss(x, y) {
      const a = 1.5 - x + x * y;
      const b = 2.25 - x + x * y * y;
      const c = 2.625 - x + x * y * y * y;
      return a * a + b * b + c * c;
    },
    gradient(x, y, g) {
      // a = 1.5 − x + x·y, b = 2.25 − x + x·y², c = 2.625 − x + x·y³
      // ∂/∂x = 2a(y − 1) + 2b(y² − 1) + 2c(y³ − 1)
      // ∂/∂y = 2a·x + 2b·2xy + 2c·3xy²
      const y2 = f(y * y);
      const y3 = f(y2 * y);
      const a = f(f(1.5 - x) + f(x * y));
      const b = f(f(2.25 - x) + f(x * y2));
      const c = f(f(2.625 - x) + f(x * y3));
      const gx1 = f(f(2 * a) * f(y - 1));
      const gx2 = f(f(2 * b) * f(y2 - 1));
      const gx3 = f(f(2 * c) * f(y3 - 1));
      g[0] = f(f(gx1 + gx2) + gx3);
      const gy1 = f(f(2 * a) * x);
      const gy2 = f(f(2 * b) * f(f(2 * x) * y));
      const gy3 = f(f(2 * c) * f(f(3 * x) * y2));
      g[1] = f(f(gy1 + gy2) + gy3);
    },
    lrs: lrs(0.001, 0.0005, 0.0005, 0.5, 0.01, 0.05),
  },
  {
    name: 'saddle',
    id: 3,
    label: 'Saddle  x²/2 + y⁴/4 − y²/2',
    lesson:
      'A saddle at the origin between two minima at (0, ±1): near the ridge the gradient vanishes, and plain SGD lingers.',
    x: [-2.5, 2.5],
    y: [-1.5, 1.5],
    start: [-2, 0.001],
    minima: [
      [0, 1],
      [0, -1],
    ],
    fMin: -0.25,
    loss: (x, y) => (x * x) / 2 + (y * y * y * y) / 4 - (y * y) / 2,
    gradient(x, y, g) {
      // ∂/∂x = x, ∂/∂y = y³ − y
      g[0] = x;
      g[1] = f(f(f(y * y) * y) - y);
    },
    lrs: lrs(0.05, 0.02, 0.02, 0.3, 0.02, 0.05),
  },
];

/** The surface called `name`; throws a RangeError naming it when there is none. */
export function surfaceNamed(name: string): Surface {
  const s = SURFACES.find((x) => x.name === name);
  if (!s) throw new RangeError(`surface: no surface called ${JSON.stringify(name)}`);
  return s;
}
