// The full-feed benchmark's SVG chart: routes read and routes programmed over time, one pair of lines per fibpush case (plain SVG, no dependencies).

export interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  /** [seconds, routes] */
  points: [number, number][];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function fmtTick(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return String(+v.toFixed(2));
}

export function svgChart(title: string, subtitle: string, series: Series[], axes: { x: string; y: string } = { x: 'seconds since zebra connected', y: 'routes' }): string {
  const W = 900;
  const H = 520;
  const L = 80;
  const R = 230;
  const T = 60;
  const B = 55;
  const pw = W - L - R;
  const ph = H - T - B;
  let xMax = 0;
  let yMax = 0;
  for (const s of series) for (const [x, y] of s.points) {
    xMax = Math.max(xMax, x);
    yMax = Math.max(yMax, y);
  }
  const xs = niceStep(xMax || 1, 8);
  const ys = niceStep(yMax || 1, 6);
  xMax = Math.ceil((xMax || 1) / xs) * xs;
  yMax = Math.ceil((yMax || 1) / ys) * ys;
  const X = (x: number) => L + (x / xMax) * pw;
  const Y = (y: number) => T + ph - (y / yMax) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${L}" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${L}" y="44" fill="#555">${esc(subtitle)}</text>`);
  for (let x = 0; x <= xMax + 1e-9; x += xs) {
    out.push(`<line x1="${X(x)}" y1="${T}" x2="${X(x)}" y2="${T + ph}" stroke="#eee"/>`);
    out.push(`<text x="${X(x)}" y="${T + ph + 18}" text-anchor="middle">${fmtTick(x)}</text>`);
  }
  for (let y = 0; y <= yMax + 1e-9; y += ys) {
    out.push(`<line x1="${L}" y1="${Y(y)}" x2="${L + pw}" y2="${Y(y)}" stroke="#eee"/>`);
    out.push(`<text x="${L - 8}" y="${Y(y) + 4}" text-anchor="end">${fmtTick(y)}</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${L + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(axes.x)}</text>`);
  out.push(`<text transform="translate(18 ${T + ph / 2}) rotate(-90)" text-anchor="middle">${esc(axes.y)}</text>`);
  series.forEach((s, k) => {
    if (s.points.length > 0) {
      const d = s.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.dashed ? 1.5 : 2.5}"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    const ly = T + 10 + k * 20;
    out.push(`<line x1="${L + pw + 15}" y1="${ly}" x2="${L + pw + 45}" y2="${ly}" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${L + pw + 52}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
