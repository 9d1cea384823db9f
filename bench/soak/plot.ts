// The soak's SVG: fibpush's RSS over time above, the FIB divergence each check saw below (bench/fullfeed/plot.ts draws each panel).
import { svgChart } from '../fullfeed/plot';
import type { Report } from './report';

export function soakSvg(rep: Report): string {
  const faults = rep.faults.map((f) => `${f.kind}@${f.at.toFixed(0)}s`);
  const rss = svgChart(
    `fibpush soak: RSS (${rep.ok ? 'passed' : 'FAILED'}, ${(rep.durationS / 60).toFixed(1)} min, ${rep.routes.toLocaleString('en-US')} routes)`,
    `sampled every 2 s; ${rep.faults.length} faults; cycle ends marked`,
    [
      { label: 'RSS MB', color: '#1f77b4', points: rep.resources.samples.map((s) => [s.t, s.rssMB] as [number, number]) },
      { label: 'open fds', color: '#2ca02c', dashed: true, points: rep.resources.samples.map((s) => [s.t, s.fds] as [number, number]) },
      ...rep.resources.cycles.map((c) => ({ label: `cycle ${c.cycle} end`, color: '#999', dashed: true, points: [[c.t, 0], [c.t, c.rssMB]] as [number, number][] })).slice(0, 8),
    ],
    { x: 'seconds since the soak started', y: 'MB / descriptors' },
  );
  const div = svgChart(
    'FIB divergence (routes missing + wrong + extra in the dataplane, per check)',
    faults.length > 12 ? `${faults.slice(0, 12).join(', ')}, ...` : faults.join(', '),
    [{ label: 'divergence', color: '#d62728', points: rep.divergenceSeries.map((d) => [d.t, d.routes] as [number, number]) }],
    { x: 'seconds since the soak started', y: 'routes' },
  );
  const inner = (s: string, y: number) => s.replace(/^<svg /, `<svg y="${y}" `);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="1040" viewBox="0 0 900 1040">\n${inner(rss, 0)}${inner(div, 520)}</svg>\n`;
}
