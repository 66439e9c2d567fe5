import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { SinkMetrics } from '../../agent/metrics/sink-metrics';
import { BufferedDelivery, type Delivery, type QueuedBody } from '../../agent/sink/buffer/buffered-delivery';
import { DiskQueue } from '../../agent/sink/buffer/disk-queue';
import { MemoryQueue, type NewRequest, type QueuedRequest, type RequestQueue } from '../../agent/sink/buffer/queue';
import { memoryLogger } from '../support/memory-logger';

/*
 * Issue #24 item 3: the buffer's queue against a reference model, under random
 * pushes, deliveries (sent, refused for good, failed) and the passing of the
 * back-off, with pushes landing while a request is in flight. Every request
 * is delivered once or counted dropped once, in order; the newest always stays.
 */

jest.setTimeout(180000);

const MAX = 1000;

/** The reference: what the buffer promises, in a few lines. */
class Model {
  q: Array<{ seq: number; size: number }> = [];
  next = 0;
  inFlight: number | undefined;
  backoff = false;
  sent: number[] = [];
  dropped: number[] = [];

  push(size: number): void {
    let bytes = this.q.reduce((n, r) => n + r.size, 0);
    const from = this.q[0]?.seq === this.inFlight ? 1 : 0; // the one in flight is never evicted
    while (this.q.length > from && bytes + size > MAX) {
      const [r] = this.q.splice(from, 1);
      bytes -= r.size;
      this.dropped.push(r.seq);
    }
    this.q.push({ seq: this.next++, size });
  }

  /** The head's answer; a drain goes on to the next one unless it failed. */
  answer(outcome: Delivery['outcome']): void {
    if (outcome === 'retry') {
      this.backoff = true;
      this.inFlight = undefined;
      return;
    }
    const [r] = this.q.splice(0, 1);
    (outcome === 'sent' ? this.sent : this.dropped).push(r.seq);
    this.inFlight = this.q[0]?.seq;
  }
}

interface Deferred {
  req: QueuedBody;
  resolve: (d: Delivery) => void;
}

/** The real BufferedDelivery over a real queue, with a deliver() the test answers and its own clock. */
class Real {
  clock = 0;
  pending: Deferred | undefined;
  draining: Promise<void> | undefined;
  readonly sent: number[] = [];
  readonly rejected: number[] = [];
  readonly metrics = new SinkMetrics();
  readonly delivery: BufferedDelivery;

  constructor(
    readonly queue: RequestQueue,
    /** What pushes evicted, by sequence number. */
    readonly evicted: number[],
  ) {
    this.delivery = new BufferedDelivery({
      sink: 'remote-write',
      queue,
      metrics: this.metrics,
      logger: memoryLogger().logger,
      timeoutMs: 1e12,
      retry: false,
      now: () => this.clock,
    });
  }

  drain(): void {
    this.draining = this.delivery
      .drain(
        (req) =>
          new Promise<Delivery>((resolve) => {
            this.pending = {
              req,
              resolve: (d) => {
                this.pending = undefined;
                if (d.outcome === 'sent') this.sent.push(req.seq);
                if (d.outcome === 'rejected') this.rejected.push(req.seq);
                resolve(d);
              },
            };
          }),
      )
      .catch((err: unknown) => {
        // A drain ends in a PushError when the newest is waiting or was refused: the model's state says which.
        if (!(err instanceof Error) || err.name === 'TypeError') throw err;
      })
      .finally(() => {
        this.draining = undefined;
      });
  }

  /** Lets the drain run until it awaits the next answer or ends. */
  async settle(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      if (this.pending !== undefined || this.draining === undefined) return;
      await new Promise((r) => setImmediate(r));
    }
    throw new Error('the drain neither asked for a delivery nor ended');
  }
}

type Cmd = fc.AsyncCommand<Model, Real>;

const push = (size: number): Cmd => ({
  check: () => true,
  async run(m, r) {
    m.push(size);
    r.delivery.enqueue(1_700_000_000_000, 1, Buffer.alloc(size, 0x61));
    await check(m, r);
  },
  toString: () => `push(${size})`,
});

const drain: Cmd = {
  check: (m) => m.inFlight === undefined,
  async run(m, r) {
    if (!m.backoff) m.inFlight = m.q[0]?.seq;
    r.drain();
    await r.settle();
    expect(r.pending?.req.seq).toBe(m.inFlight);
    await check(m, r);
  },
  toString: () => 'drain',
};

const answer = (outcome: Delivery['outcome']): Cmd => ({
  check: (m) => m.inFlight !== undefined,
  async run(m, r) {
    m.answer(outcome);
    r.pending?.resolve(
      outcome === 'sent' ? { outcome } : { outcome, kind: 'http_500', message: `answered ${outcome}` },
    );
    await r.settle();
    expect(r.pending?.req.seq).toBe(m.inFlight);
    await check(m, r);
  },
  toString: () => `answer(${outcome})`,
});

const elapse: Cmd = {
  check: () => true,
  async run(m, r) {
    m.backoff = false;
    r.clock += 1e7; // past any back-off (capped at 300 s)
    await check(m, r);
  },
  toString: () => 'elapse',
};

const commands = fc.commands(
  [
    fc.integer({ min: 1, max: 600 }).map(push),
    fc.constant(drain),
    fc.constantFrom<Delivery['outcome']>('sent', 'rejected', 'retry').map(answer),
    fc.constant(elapse),
  ],
  { maxCommands: 60 },
);

async function check(m: Model, r: Real): Promise<void> {
  await r.settle();
  expect(r.sent).toEqual(m.sent);
  expect([...r.evicted, ...r.rejected].sort((a, b) => a - b)).toEqual([...m.dropped].sort((a, b) => a - b));
  // Sent in order, and every request in exactly one place: sent, dropped, or still queued.
  expect(r.sent).toEqual([...r.sent].sort((a, b) => a - b));
  const everywhere = [...r.sent, ...r.evicted, ...r.rejected, ...m.q.map((x) => x.seq)].sort((a, b) => a - b);
  expect(everywhere).toEqual([...Array(m.next).keys()]);
  expect(r.queue.length).toBe(m.q.length);
  expect(r.queue.bytes).toBe(m.q.reduce((n, x) => n + x.size, 0));
  if (m.q.length > 0) expect(m.q[m.q.length - 1].seq).toBe(m.next - 1); // the newest always stays
  const counted = async (c: typeof r.metrics.samplesSent): Promise<number> =>
    (await c.get()).values.reduce((n, v) => n + v.value, 0);
  expect(await counted(r.metrics.samplesSent)).toBe(m.sent.length);
  expect(await counted(r.metrics.samplesDropped)).toBe(m.dropped.length);
}

/** Records what each push evicted, by sequence number. */
function recording<Q extends RequestQueue>(q: Q, evicted: number[]): Q {
  const push = q.push.bind(q);
  q.push = (req: NewRequest): QueuedRequest[] => {
    const d = push(req);
    evicted.push(...d.map((x) => x.seq));
    return d;
  };
  return q;
}

async function runAgainstModel(makeQueue: () => RequestQueue, cmds: Iterable<Cmd>): Promise<void> {
  const evicted: number[] = [];
  const queue = recording(makeQueue(), evicted);
  try {
    const model = new Model();
    const real = new Real(queue, evicted);
    await fc.asyncModelRun(() => ({ model, real }), cmds);
    await check(model, real);
  } finally {
    queue.close();
  }
}

test('memory queue: every request is delivered once or dropped once, in order, against the model', async () => {
  await fc.assert(
    fc.asyncProperty(commands, (cmds) => runAgainstModel(() => new MemoryQueue(MAX), cmds)),
    { numRuns: 300 },
  );
});

test('disk queue (--buffer-dir): the same, against the model', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-queue-model-'));
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(commands, (cmds) =>
        runAgainstModel(() => new DiskQueue(path.join(root, String(n++)), MAX), cmds),
      ),
      // Each push is two fsyncs: fewer runs than in memory keep this well inside the timeout on a loaded disk.
      { numRuns: 40 },
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
