/**
 * A small line chart on a canvas: axes with ticks, a linear or log y axis, one polyline per
 * series in its colour. The page's HTML legends use the same colours (see legend.ts).
 */

export interface Series {
  name: string;
  color: string;
  /** x, y pairs. */
  points: readonly (readonly [number, number])[];
  /** Dashed line, so that series that coincide stay visible. */
  dashed?: boolean;
  /** Line width in CSS pixels (default 2.5). */
  width?: number;
}

export interface ChartSpec {
  series: readonly Series[];
  xLabel: string;
  yLabel: string;
  logY?: boolean;
  /** Fixed y range; the data's range (padded) otherwise. */
  yRange?: [number, number];
}

function niceStep(span: number, target: number): number {
  const raw = span / target;
  const unit = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].map((m) => m * unit).find((v) => v >= raw) ?? 10 * unit) as number;
}

function linearTicks(lo: number, hi: number, target: number): number[] {
  const step = niceStep(hi - lo || 1, target);
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    out.push(+t.toPrecision(12));
  return out;
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of hi / lo > 1000 ? [1] : [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}

function label(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(+v.toPrecision(3));
}

/** Sizes the canvas to its CSS box (times devicePixelRatio) and draws the chart. */
export function drawLineChart(canvas: HTMLCanvasElement, spec: ChartSpec): void {
  const dpr = window.devicePixelRatio || 1;
  const rect = canvas.getBoundingClientRect();
  const width = Math.max(1, Math.round(rect.width * dpr));
  const height = Math.max(1, Math.round(rect.height * dpr));
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('drawLineChart: the canvas has no 2D context');
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, width, height);
  const font = 12 * dpr;
  ctx.font = `${font}px system-ui, sans-serif`;
  const left = 56 * dpr;
  const right = 22 * dpr;
  const top = 10 * dpr;
  const bottom = 40 * dpr;
  const w = width - left - right;
  const h = height - top - bottom;
  const pts = spec.series
    .flatMap((s) => s.points)
    .filter(([, y]) => Number.isFinite(y) && (!spec.logY || y > 0));
  const xs = pts.map(([x]) => x);
  const ys = pts.map(([, y]) => y);
  const x0 = xs.length ? Math.min(...xs) : 0;
  const x1 = xs.length ? Math.max(...xs) : 1;
  let [y0, y1] = spec.yRange ?? [ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1];
  if (!spec.yRange) {
    if (spec.logY) {
      y0 /= 1.2;
      y1 *= 1.2;
    } else {
      const pad = (y1 - y0 || Math.abs(y1) || 1) * 0.08;
      y0 = Math.min(0, y0 - pad);
      y1 += pad;
    }
  }
  const fx = (x: number) => left + (x1 === x0 ? 0 : ((x - x0) / (x1 - x0)) * w);
  const fy = spec.logY
    ? (y: number) =>
        top + h - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * h
    : (y: number) => top + h - ((y - y0) / (y1 - y0)) * h;
  ctx.strokeStyle = '#e3e3e3';
  ctx.fillStyle = '#333';
  ctx.lineWidth = dpr;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of spec.logY ? logTicks(y0, y1) : linearTicks(y0, y1, 5)) {
    const y = fy(t);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + w, y);
    ctx.stroke();
    ctx.fillText(label(t), left - 6 * dpr, y);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of linearTicks(x0, x1, 6)) {
    const x = fx(t);
    ctx.fillText(label(t), x, top + h + 4 * dpr);
  }
  ctx.strokeStyle = '#888';
  ctx.strokeRect(left, top, w, h);
  ctx.fillText(spec.xLabel, left + w / 2, top + h + 20 * dpr);
  ctx.save();
  ctx.translate(12 * dpr, top + h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText(spec.yLabel, 0, 0);
  ctx.restore();
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, w, h);
  ctx.clip();
  ctx.lineWidth = 2.5 * dpr;
  ctx.lineJoin = 'round';
  for (const s of spec.series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = (s.width ?? 2.5) * dpr;
    ctx.setLineDash(s.dashed ? [6 * dpr, 4 * dpr] : []);
    ctx.beginPath();
    let pen = false;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y) || (spec.logY && y <= 0)) {
        pen = false;
        continue;
      }
      if (pen) ctx.lineTo(fx(x), fy(y));
      else ctx.moveTo(fx(x), fy(y));
      pen = true;
    }
    ctx.stroke();
  }
  ctx.restore();
}
