/**
 * An SVG line chart of loss versus epoch, log-scale y, one line per optimizer, with a legend
 * (examples/results/autompg.svg). Pure string building.
 */
import type { Curve } from './experiment.ts';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Tick values 1, 2, 5 × 10^k inside [lo, hi]; 1..9 × 10^k when that gives fewer than 3. */
function logTicks(lo: number, hi: number): number[] {
  const pick = (mantissas: readonly number[]) => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
      for (const m of mantissas) {
        const v = m * 10 ** e;
        if (v >= lo && v <= hi) out.push(v);
      }
    return out;
  };
  const coarse = pick([1, 2, 5]);
  return coarse.length >= 3 ? coarse : pick([1, 2, 3, 4, 5, 6, 7, 8, 9]);
}

/** Loss (log scale) against epoch 1..N for each curve; `subtitle` names the run. */
export function lossChartSvg(curves: readonly Curve[], title: string, subtitle: string): string {
  const width = 820;
  const height = 500;
  const left = 70;
  const right = 30;
  const top = 60;
  const bottom = 50;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const epochs = Math.max(...curves.map((c) => c.losses.length));
  const values = curves.flatMap((c) => c.losses).filter((v) => v > 0 && Number.isFinite(v));
  if (epochs === 0 || values.length === 0) throw new RangeError('curves: nothing to plot');
  const lo = Math.min(...values) / 1.15;
  const hi = Math.max(...values) * 1.15;
  const x = (epoch: number) => left + (epochs === 1 ? 0 : ((epoch - 1) / (epochs - 1)) * plotW);
  const y = (v: number) =>
    top + plotH - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="22" font-size="15">${esc(title)}</text>`,
    `<text x="${left}" y="40" fill="#555">${esc(subtitle)}</text>`,
  ];
  for (const t of logTicks(lo, hi)) {
    out.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${t}</text>`,
    );
  }
  // About 5 to 10 epoch ticks, at 1, 2 or 5 × 10^k.
  const unit = 10 ** Math.floor(Math.log10(Math.max(epochs / 5, 1)));
  const step = [1, 2, 5, 10].map((m) => m * unit).find((v) => epochs / v <= 10) ?? 10 * unit;
  for (let e = step; e <= epochs; e += step) {
    out.push(
      `<line x1="${x(e).toFixed(1)}" x2="${x(e).toFixed(1)}" y1="${top}" y2="${top + plotH}" stroke="#f0f0f0"/>`,
      `<text x="${x(e).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle">${e}</text>`,
    );
  }
  out.push(
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`,
    `<text x="${left + plotW / 2}" y="${height - 10}" text-anchor="middle">epoch</text>`,
    `<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">MSE loss of the epoch's last batch (log scale)</text>`,
  );
  const lines = curves.map((c) =>
    c.losses.flatMap((v, e) => (v > 0 && Number.isFinite(v) ? [[x(e + 1), y(v)] as const] : [])),
  );
  lines.forEach((pts, i) =>
    out.push(
      `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.8" points="${pts.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}"><title>${esc(curves[i]?.name ?? '')}</title></polyline>`,
    ),
  );
  // The legend goes where it covers the fewest points of the curves.
  const boxW = 130;
  const boxH = curves.length * 18 + 8;
  const candidates = [0.02, 0.35, 0.65, 0.98].flatMap((fy) =>
    [0.02, 0.98].map((fx) => ({
      x: left + 6 + fx * (plotW - boxW - 12),
      y: top + 6 + fy * (plotH - boxH - 12),
    })),
  );
  const covered = (b: { x: number; y: number }) =>
    lines
      .flat()
      .filter(([px, py]) => px >= b.x && px <= b.x + boxW && py >= b.y && py <= b.y + boxH).length;
  const box = candidates.reduce((best, b) => (covered(b) < covered(best) ? b : best));
  out.push(
    `<rect x="${box.x.toFixed(1)}" y="${box.y.toFixed(1)}" width="${boxW}" height="${boxH}" fill="white" fill-opacity="0.9" stroke="#ccc"/>`,
  );
  curves.forEach((c, i) => {
    const ly = box.y + 18 + i * 18;
    const lx = box.x + 6;
    out.push(
      `<line x1="${lx.toFixed(1)}" x2="${(lx + 22).toFixed(1)}" y1="${(ly - 4).toFixed(1)}" y2="${(ly - 4).toFixed(1)}" stroke="${COLORS[i % COLORS.length]}" stroke-width="3"/>`,
      `<text x="${(lx + 28).toFixed(1)}" y="${ly.toFixed(1)}">${esc(c.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
