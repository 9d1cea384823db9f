// The requests awaiting a reply, oldest first. VPP answers in the order it received requests (one API
// process on the main thread, vlibmemory/socket_api.c), so a FIFO is the whole matching table: the
// head is the only entry a reply can be for, unless VPP dropped the ones before it.
//
// A ring of typed arrays (struct of arrays): no object per request at a million routes.

export class InFlight {
  cap = 0;
  head = 0;
  size = 0;
  /** The context the request was sent with (VPP echoes it @2 of every reply and details). */
  ctx = new Uint32Array(0);
  /** The sink's own token (the programmer's slot index, a promise id). */
  token = new Float64Array(0);
  /** Index of the sink in the client's sink table. */
  sink = new Uint16Array(0);
  /** The message id that ends the exchange (END_ANY: the first reply). */
  end = new Int32Array(0);
  /** The request's MSG_INDEX (for error messages). */
  msg = new Uint16Array(0);
  /** When its batch was started (performance.now()). */
  sent = new Float64Array(0);
  timeout = new Float64Array(0);

  constructor(n: number) {
    this.grow(n);
  }

  private grow(n: number): void {
    const cap = Math.max(n, this.cap * 2);
    const ctx = new Uint32Array(cap);
    const token = new Float64Array(cap);
    const sink = new Uint16Array(cap);
    const end = new Int32Array(cap);
    const msg = new Uint16Array(cap);
    const sent = new Float64Array(cap);
    const to = new Float64Array(cap);
    for (let i = 0; i < this.size; i++) {
      const j = (this.head + i) % (this.cap || 1);
      ctx[i] = this.ctx[j];
      token[i] = this.token[j];
      sink[i] = this.sink[j];
      end[i] = this.end[j];
      msg[i] = this.msg[j];
      sent[i] = this.sent[j];
      to[i] = this.timeout[j];
    }
    this.ctx = ctx;
    this.token = token;
    this.sink = sink;
    this.end = end;
    this.msg = msg;
    this.sent = sent;
    this.timeout = to;
    this.cap = cap;
    this.head = 0;
  }

  push(ctx: number, sink: number, token: number, endId: number, msgIdx: number, sentAt: number, timeoutMs: number): void {
    if (this.size === this.cap) this.grow(this.cap * 2);
    const i = (this.head + this.size) % this.cap;
    this.ctx[i] = ctx;
    this.sink[i] = sink;
    this.token[i] = token;
    this.end[i] = endId;
    this.msg[i] = msgIdx;
    this.sent[i] = sentAt;
    this.timeout[i] = timeoutMs;
    this.size++;
  }

  pop(): void {
    this.head = (this.head + 1) % this.cap;
    this.size--;
  }

  /** How many entries precede the one with context `ctx` (> 0), or -1 when none after the head has it. */
  depthOf(ctx: number): number {
    for (let i = 1; i < this.size; i++) {
      if (this.ctx[(this.head + i) % this.cap] === ctx) return i;
    }
    return -1;
  }
}
