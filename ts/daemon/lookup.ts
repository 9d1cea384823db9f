// Forwarding lookups over the control socket (`fibpush status --lookup`), and how they print.
import type { MemoryPath, MemoryRoute } from './memory-dataplane';

export interface LookupReply {
  addr: string;
  table: number;
  /** Who answered: the dataplane's own FIB ('memory'), or null when this dataplane cannot be asked. */
  answeredBy: 'memory' | null;
  match: MemoryRoute | null;
  note?: string;
}

export function formatPath(p: MemoryPath): string {
  if (p.blackhole) return 'blackhole';
  const parts = [p.gw ? `via ${p.gw}` : 'direct', p.ifindex ? `ifindex ${p.ifindex}` : ''];
  if (p.weight !== 1) parts.push(`weight ${p.weight}`);
  if (p.labels.length) parts.push(`labels ${p.labels.join('/')}`);
  return parts.filter(Boolean).join(' ');
}

/** One route the way `ip route` would show it, paths and backups indented below. */
export function formatRoute(r: MemoryRoute): string {
  const head = `${r.prefix}${r.table !== 254 ? ` table ${r.table}` : ''}`;
  if (r.target !== 'nhg') return `${head} ${r.target}`;
  const lines = [`${head} nhg ${r.nhgId}${r.paths.length === 0 ? ' (group unknown to the dataplane)' : ''}`];
  for (const p of r.paths) lines.push(`    ${formatPath(p)}`);
  for (const p of r.backup) lines.push(`    backup ${formatPath(p)}`);
  return lines.join('\n');
}

export function formatLookup(l: LookupReply): string {
  if (!l.answeredBy) return `lookup ${l.addr}: ${l.note ?? 'not available with this dataplane'}`;
  if (!l.match) return `lookup ${l.addr} table ${l.table}: no route`;
  return `lookup ${l.addr} table ${l.table}: ${formatRoute(l.match)}`;
}
