/**
 * A three-stage pipeline under one `rest_for_one` supervisor:
 *
 * ```
 * pipeline (rest_for_one)
 * ├── source   makes items and owns the queue they go into
 * ├── parser   reads the source's queue, writes its own queue
 * └── sink     reads the parser's queue and delivers
 * ```
 *
 * Each stage holds a reference to the queue of the stage before it, taken when it starts. When
 * the source crashes, its replacement opens a new queue, and a parser still attached to the old
 * one would wait forever. That is a dependency, and OTP expresses it with start order plus
 * `rest_for_one`: a child that exits takes down (as bystanders) and restarts every child started
 * after it, so the parser and the sink re-attach to the new queues. A sink crash restarts only
 * the sink: nothing depends on it.
 *
 * Faults are planned by item number, and ticks come from the supervisor's clock (`ctx.sleep`), so a test can run
 * the same pipeline deterministically on `createTestClock()`.
 */
import { defineSupervisor, exit, fromWorker, type SupervisorLogic, type WorkerLogic } from '@trellis/core';

/** An item on its way through the pipeline. */
export interface Item {
  /** The source's sequence number, 1, 2, 3 … across all its incarnations. */
  readonly n: number;
  /** What the source made, e.g. `"7"`. */
  readonly raw: string;
  /** What the parser made of it, e.g. `49` (n squared). */
  readonly value?: number;
}

let nextQueueId = 1;

/** An unbounded in-memory queue with one reader that can stop waiting when its signal aborts. */
export class Queue<T> {
  /** Printed in the log, so you can see which queue a stage is attached to. */
  readonly id: number = nextQueueId++;
  private readonly items: T[] = [];
  private waiter: ((item: T) => void) | undefined;

  /** Hands `item` to the waiting reader, or keeps it for the next `take`. */
  push(item: T): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter(item);
    } else {
      this.items.push(item);
    }
  }

  /** The next item; `undefined` once `signal` aborts. */
  take(signal: AbortSignal): Promise<T | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    if (this.items.length > 0) return Promise.resolve(this.items.shift());
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.waiter = undefined;
        resolve(undefined);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = (item) => {
        signal.removeEventListener('abort', onAbort);
        resolve(item);
      };
    });
  }

  /** Items pushed and not taken. */
  get size(): number {
    return this.items.length;
  }
}

/** Which item makes which stage crash (once each). */
export interface Faults {
  /** The source crashes instead of producing item n. */
  readonly source?: readonly number[];
  /** The parser crashes on item n. */
  readonly parser?: readonly number[];
  /** The sink crashes on item n. */
  readonly sink?: readonly number[];
}

/** Options of {@link buildPipeline}. */
export interface PipelineOptions {
  /** Milliseconds between two items of the source. Default 20. */
  readonly tickMs?: number;
  /** Planned crashes. Default: source at item 5, sink at item 12, parser at item 18. */
  readonly faults?: Faults;
  /** Where the stages write what they do. Default `console.log`. */
  readonly log?: (line: string) => void;
}

/** The pipeline's logic and what it has delivered so far. */
export interface Pipeline {
  /** The supervisor, for `startSupervisor`. */
  readonly logic: SupervisorLogic;
  /** Every item the sink delivered, in order. */
  readonly delivered: Item[];
  /** How many items the source has made (its counter survives restarts). */
  produced(): number;
}

/** The default fault plan of the program. */
export const defaultFaults: Faults = { source: [5], sink: [12], parser: [18] };

/**
 * Builds the pipeline: `pipeline` (rest_for_one) over `source`, `parser`, `sink`, in that order.
 *
 * @param options - tick, faults and log.
 * @returns the supervisor's logic and the sink's deliveries.
 */
export function buildPipeline(options: PipelineOptions = {}): Pipeline {
  const tickMs = options.tickMs ?? 20;
  const log = options.log ?? ((line: string) => console.log(line));
  const faults = {
    source: new Set(options.faults?.source ?? defaultFaults.source),
    parser: new Set(options.faults?.parser ?? defaultFaults.parser),
    sink: new Set(options.faults?.sink ?? defaultFaults.sink),
  };
  // The queues the running stages own: each stage finds its upstream here when it starts.
  const queues: { raw: Queue<Item> | undefined; parsed: Queue<Item> | undefined } = { raw: undefined, parsed: undefined };
  const delivered: Item[] = [];
  let produced = 0;

  const source: WorkerLogic = fromWorker(async ({ signal, sleep, handover }) => {
    const out = new Queue<Item>();
    queues.raw = out;
    log(`  source: incarnation ${handover.incarnation} opened queue #${out.id}${since(handover.previousExit?.reason)}`);
    while (!signal.aborted) {
      await sleep(tickMs);
      if (signal.aborted) break;
      const n = produced + 1;
      if (faults.source.delete(n)) throw new Error(`source failed making item ${n}`);
      produced = n;
      out.push({ n, raw: String(n) });
    }
    return exit.shutdown();
  });

  const parser: WorkerLogic = fromWorker(({ signal, handover }) => {
    const upstream = queues.raw;
    // Thrown before run returns: a start failure, as it should be without a source.
    if (upstream === undefined) throw new Error('parser: no source queue to attach to');
    const out = new Queue<Item>();
    queues.parsed = out;
    log(`  parser: incarnation ${handover.incarnation} reads queue #${upstream.id}, writes queue #${out.id}${since(handover.previousExit?.reason)}`);
    return (async () => {
      for (;;) {
        const item = await upstream.take(signal);
        if (item === undefined) return exit.shutdown();
        if (faults.parser.delete(item.n)) throw new Error(`parser choked on item ${item.n}`);
        out.push({ ...item, value: Number(item.raw) ** 2 });
      }
    })();
  });

  const sink: WorkerLogic = fromWorker(({ signal, handover }) => {
    const upstream = queues.parsed;
    if (upstream === undefined) throw new Error('sink: no parser queue to attach to');
    log(`  sink: incarnation ${handover.incarnation} reads queue #${upstream.id}${since(handover.previousExit?.reason)}`);
    return (async () => {
      for (;;) {
        const item = await upstream.take(signal);
        if (item === undefined) return exit.shutdown();
        if (faults.sink.delete(item.n)) throw new Error(`sink lost its connection at item ${item.n}`);
        delivered.push(item);
      }
    })();
  });

  const logic = defineSupervisor({
    id: 'pipeline',
    // Start order is dependency order: parser needs source, sink needs parser.
    strategy: 'rest_for_one',
    intensity: 5,
    periodMs: 10_000,
    children: [
      { id: 'source', start: source },
      { id: 'parser', start: parser },
      { id: 'sink', start: sink },
    ],
  });
  return { logic, delivered, produced: () => produced };
}

function since(reason: string | undefined): string {
  return reason === undefined ? '' : ` (previous exit: ${reason})`;
}
