/**
 * An SVG chart of effective throughput (GB/s, log scale) by scenario and algorithm: ours
 * against each peer, with the measured roofline as a dashed line. Unreliable rows
 * (reliability.ts) are drawn faded, their label red with a "!", their reasons in the bars'
 * tooltips and listed under the chart. Pure string building, used by the page and by
 * `npm run bench` (bench/results/latest.svg).
 */
import { flagText } from './reliability.ts';
import type { BenchResult } from './types.ts';

const SERIES = [
  { key: 'ours', label: 'webgpu-optim', color: '#1f77b4' },
  { key: 'tfjs', label: 'TF.js WebGPU', color: '#ff7f0e' },
  { key: 'plainJs', label: 'plain JS loop', color: '#2ca02c' },
  { key: 'reference', label: 'CPU reference', color: '#9467bd' },
] as const;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

export function chartSvg(result: BenchResult): string {
  const panelW = 360;
  const panelH = 260;
  const top = 40;
  const left = 60;
  const width = Math.max(left + result.scenarios.length * (panelW + 20) + 10, 960);
  const unreliable = result.scenarios.flatMap((s) =>
    s.rows.filter((r) => r.unreliable).map((r) => `${s.name}/${r.algorithm}: ${flagText(r.flags)}`),
  );
  const notes = unreliable.length ? unreliable.length + 1 : 0;
  const height = top + panelH + 90 + 14 * notes;
  const values = result.scenarios
    .flatMap((s) =>
      s.rows.flatMap((r) => {
        const bytes = r.bytesPerParam * s.params;
        return [
          r.gbps,
          r.tfjs && bytes / (r.tfjs.wallMs.median * 1e6),
          r.plainJs && bytes / (r.plainJs.median * 1e6),
          r.reference && bytes / (r.reference.median * 1e6),
          s.roofline.best,
        ];
      }),
    )
    .filter((v): v is number => typeof v === 'number' && v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...values, 1))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 1))));
  const y = (v: number) =>
    top + panelH - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * panelH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="18" font-size="14">Effective throughput (GB/s, log scale): webgpu-optim vs peers; red dashes: measured roofline (best of copy kernel and copyBufferToBuffer); grey dots: vec4 copy kernel</text>`,
    `<text x="${left}" y="32" fill="#555">${esc(`${result.adapter.vendor} ${result.adapter.architecture} ${result.adapter.description}`.trim())} — ${esc(result.date)}</text>`,
  ];
  for (let d = lo; d <= hi; d *= 10) {
    out.push(`<line x1="${left}" x2="${width - 10}" y1="${y(d)}" y2="${y(d)}" stroke="#eee"/>`);
    out.push(
      `<text x="${left - 6}" y="${y(d) + 4}" text-anchor="end">${d >= 1 ? d : d.toExponential(0)}</text>`,
    );
  }
  result.scenarios.forEach((s, si) => {
    const x0 = left + si * (panelW + 20);
    const groupW = panelW / Math.max(s.rows.length, 1);
    const barW = (groupW - 10) / SERIES.length;
    out.push(
      `<text x="${x0 + panelW / 2}" y="${top + panelH + 45}" text-anchor="middle" font-size="13">${esc(s.name)}: ${esc(s.description)}</text>`,
    );
    s.rows.forEach((r, ri) => {
      const bytes = r.bytesPerParam * s.params;
      const vals: Record<string, number | null> = {
        ours: r.gbps,
        tfjs: r.tfjs ? bytes / (r.tfjs.wallMs.median * 1e6) : null,
        plainJs: r.plainJs ? bytes / (r.plainJs.median * 1e6) : null,
        reference: r.reference ? bytes / (r.reference.median * 1e6) : null,
      };
      SERIES.forEach((ser, k) => {
        const v = vals[ser.key];
        if (!v) return;
        const x = x0 + ri * groupW + 5 + k * barW;
        const why = r.unreliable ? ` — unreliable: ${flagText(r.flags)}` : '';
        out.push(
          `<rect x="${x}" y="${y(v)}" width="${barW - 1}" height="${top + panelH - y(v)}" fill="${ser.color}"${r.unreliable ? ' fill-opacity="0.3"' : ''}><title>${esc(`${r.label} ${ser.label}: ${v.toFixed(3)} GB/s${why}`)}</title></rect>`,
        );
      });
      out.push(
        `<text x="${x0 + ri * groupW + groupW / 2}" y="${top + panelH + 14}" text-anchor="middle"${r.unreliable ? ' fill="#d62728"' : ''}>${esc(r.unreliable ? `! ${r.algorithm}` : r.algorithm)}</text>`,
      );
    });
    const ry = y(s.roofline.best);
    out.push(
      `<line x1="${x0}" x2="${x0 + panelW}" y1="${ry}" y2="${ry}" stroke="#d62728" stroke-dasharray="6 3" stroke-width="2"/>`,
    );
    out.push(
      `<text x="${x0 + panelW}" y="${ry - 4}" text-anchor="end" fill="#d62728">roofline ${s.roofline.best.toFixed(2)} GB/s</text>`,
    );
    const ky = y(s.roofline.kernel.median);
    out.push(
      `<line x1="${x0}" x2="${x0 + panelW}" y1="${ky}" y2="${ky}" stroke="#555" stroke-dasharray="2 3"/>`,
    );
    out.push(
      `<text x="${x0 + 4}" y="${ky - 4}" fill="#555">vec4 copy kernel ${s.roofline.kernel.median.toFixed(2)} GB/s</text>`,
    );
  });
  const legendY = top + panelH + 68;
  SERIES.forEach((ser, k) => {
    const x = left + k * 130;
    out.push(
      `<rect x="${x}" y="${legendY}" width="12" height="12" fill="${ser.color}"/><text x="${x + 16}" y="${legendY + 10}">${ser.label}</text>`,
    );
  });
  if (unreliable.length) {
    out.push(
      `<text x="${left}" y="${legendY + 32}" fill="#d62728">! unreliable, do not quote (spread over 25 % or physically impossible):</text>`,
    );
    unreliable.forEach((u, i) =>
      out.push(
        `<text x="${left + 12}" y="${legendY + 46 + 14 * i}" fill="#d62728">${esc(u)}</text>`,
      ),
    );
  }
  out.push('</svg>');
  return out.join('\n');
}
