/**
 * An SVG line chart of loss versus epoch, log-scale y, one line per optimizer, with a legend
 * (examples/results/autompg.svg). Pure string building.
 */
import type { Curve } from './experiment.ts';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Tick values 1, 2, 5 × 10^k that fall inside [lo, hi]. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  return out;
}

/** Loss (log scale) against epoch 1..N for each curve; `subtitle` names the run. */
export function lossChartSvg(curves: readonly Curve[], title: string, subtitle: string): string {
  const width = 820;
  const height = 500;
  const left = 70;
  const right = 20;
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
  const step = 10 ** Math.floor(Math.log10(Math.max(epochs, 1)));
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
  curves.forEach((c, i) => {
    const color = COLORS[i % COLORS.length] as string;
    const points = c.losses
      .map((v, e) =>
        v > 0 && Number.isFinite(v) ? `${x(e + 1).toFixed(1)},${y(v).toFixed(1)}` : '',
      )
      .filter((s) => s !== '')
      .join(' ');
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="1.8" points="${points}"><title>${esc(c.name)}</title></polyline>`,
    );
    const ly = top + 14 + i * 18;
    const lx = left + plotW - 110;
    out.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${lx + 28}" y="${ly}">${esc(c.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
