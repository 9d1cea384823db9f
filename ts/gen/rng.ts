// A small seeded PRNG for generators, benchmarks and property tests: reproducible from one integer.

/** mulberry32: 32-bit state, full period 2^32, good enough statistics for test data; not for crypto. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

/** Cumulative table for drawing from weighted choices: draw(rng) returns an index. */
export class Weighted {
  private readonly cum: Float64Array;
  constructor(weights: readonly number[]) {
    this.cum = new Float64Array(weights.length);
    let s = 0;
    for (let i = 0; i < weights.length; i++) {
      s += weights[i];
      this.cum[i] = s;
    }
    for (let i = 0; i < weights.length; i++) this.cum[i] /= s;
  }
  draw(rng: Rng): number {
    const x = rng.next();
    const c = this.cum;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (c[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** The same sequence as `new Rng(seed).next()`, as a plain function (for code that takes `() => number`). */
export function uniformSource(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}
