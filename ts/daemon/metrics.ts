// Prometheus metrics: a small registry (values read from the components at scrape time) and its HTTP endpoint.
import * as http from 'http';
import type { AddressInfo } from 'net';

export type Labels = Record<string, string>;
/** A sample: a bare value, or labelled values. */
export type Sample = number | ReadonlyArray<readonly [Labels, number]>;

type MetricType = 'counter' | 'gauge' | 'histogram';

interface Metric {
  name: string;
  help: string;
  type: MetricType;
  render(out: string[]): void;
}

function escLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelStr(l: Labels): string {
  const keys = Object.keys(l);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escLabel(l[k])}"`).join(',')}}`;
}

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Fixed-bucket histogram; observe() is allocation-free (it sits on the batch path). */
export class Histogram {
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;
  constructor(readonly buckets: readonly number[]) {
    this.counts = new Float64Array(buckets.length);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    const b = this.buckets;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]) {
        this.counts[i]++;
        return;
      }
    }
  }
  render(name: string, out: string[]): void {
    let cum = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      cum += this.counts[i];
      out.push(`${name}_bucket{le="${num(this.buckets[i])}"} ${cum}`);
    }
    out.push(`${name}_bucket{le="+Inf"} ${this.count}`);
    out.push(`${name}_sum ${this.sum}`);
    out.push(`${name}_count ${this.count}`);
  }
  snapshot(): { count: number; sum: number } {
    return { count: this.count, sum: this.sum };
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  private renders = 0;

  /**
   * `read`, called at most once per render: for a snapshot several metrics read (the dataplane's
   * status, the mirror's counts), so one scrape builds it once.
   */
  perRender<T>(read: () => T): () => T {
    let at = -1;
    let v: T;
    return () => {
      if (at !== this.renders) {
        v = read();
        at = this.renders;
      }
      return v;
    };
  }

  private add(name: string, help: string, type: MetricType, render: (out: string[]) => void): void {
    if (!NAME_RE.test(name)) throw new Error(`invalid metric name ${name}`);
    if (this.metrics.some((m) => m.name === name)) throw new Error(`metric ${name} registered twice`);
    this.metrics.push({ name, help, type, render });
  }

  private sampled(name: string, help: string, type: MetricType, read: () => Sample): void {
    this.add(name, help, type, (out) => {
      const s = read();
      if (typeof s === 'number') out.push(`${name} ${num(s)}`);
      else for (const [l, v] of s) out.push(`${name}${labelStr(l)} ${num(v)}`);
    });
  }

  /** A monotonically increasing count, read from its owner at scrape time. Name ends in _total. */
  counter(name: string, help: string, read: () => Sample): void {
    this.sampled(name, help, 'counter', read);
  }

  gauge(name: string, help: string, read: () => Sample): void {
    this.sampled(name, help, 'gauge', read);
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    const h = new Histogram(buckets);
    this.add(name, help, 'histogram', (out) => h.render(name, out));
    return h;
  }

  /** The text exposition format (version 0.0.4). */
  render(): string {
    this.renders++;
    const out: string[] = [];
    for (const m of this.metrics) {
      out.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      out.push(`# TYPE ${m.name} ${m.type}`);
      m.render(out);
    }
    return out.join('\n') + '\n';
  }
}

export interface MetricsServer {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

/** Serves GET /metrics; everything else is 404. */
export function serveMetrics(reg: Registry, host: string, port: number): Promise<MetricsServer> {
  const srv = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      let body: string;
      try {
        body = reg.render();
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`metrics failed: ${(e as Error).message}\n`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('fibpush serves /metrics\n');
  });
  srv.keepAliveTimeout = 5000;
  // Bounded: a scraper needs one connection and one request at a time; a client that opens many,
  // pipelines without reading or trickles headers must not hold memory (each answer is a render).
  srv.maxConnections = 32;
  srv.maxRequestsPerSocket = 64;
  srv.headersTimeout = 5000;
  srv.requestTimeout = 10000;
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, host, () => {
      srv.off('error', reject);
      resolve({
        address: srv.address() as AddressInfo,
        close: () =>
          new Promise<void>((r) => {
            srv.closeAllConnections();
            srv.close(() => r());
          }),
      });
    });
  });
}
