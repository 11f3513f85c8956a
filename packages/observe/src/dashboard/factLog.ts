/**
 * The dashboard's memory of facts: a bounded ring buffer in which every fact gets the next id,
 * so an event stream can name its position and a reconnecting page can ask for what it missed.
 *
 * @module
 */
import type { SupervisorFact } from '@trellis/core';
import { serializeFact, type SerializedFact } from '../serialize.js';

/** One fact in the log: its id (1, 2, 3, ... for the life of the log), when it came, and the fact as JSON. */
export interface LoggedFact {
  readonly id: number;
  /** Wall-clock time it was logged, ms since the epoch (for the page's timeline). */
  readonly at: number;
  readonly fact: SerializedFact;
}

/**
 * What a reader gets for "everything after id N": the facts, or `reset` when some of them have
 * already left the buffer (the reader must start again from the tree's current state).
 */
export type Replay = { readonly kind: 'facts'; readonly facts: readonly LoggedFact[] } | { readonly kind: 'reset'; readonly lastId: number };

/** A ring buffer of facts with monotonically increasing ids and live listeners. */
export class FactLog {
  private readonly buffer: LoggedFact[] = [];
  private nextId = 1;
  private readonly listeners = new Set<(entry: LoggedFact) => void>();

  constructor(private readonly capacity: number) {}

  /** The id of the newest fact, 0 before the first. */
  get lastId(): number {
    return this.nextId - 1;
  }

  append(fact: SupervisorFact, at: number = Date.now()): LoggedFact {
    const entry: LoggedFact = { id: this.nextId++, at, fact: serializeFact(fact) };
    this.buffer.push(entry);
    if (this.buffer.length > this.capacity) this.buffer.shift();
    for (const listener of this.listeners) listener(entry);
    return entry;
  }

  /** The facts with ids above `after`; `reset` when the oldest of them was already dropped. */
  since(after: number): Replay {
    const oldest = this.buffer[0]?.id ?? this.nextId;
    // A reader from the future (a restarted server) starts again too.
    if (after < oldest - 1 || after > this.lastId) return { kind: 'reset', lastId: this.lastId };
    return { kind: 'facts', facts: this.buffer.filter((entry) => entry.id > after) };
  }

  /** The newest `count` facts, oldest first. */
  recent(count: number): readonly LoggedFact[] {
    return this.buffer.slice(-count);
  }

  listen(listener: (entry: LoggedFact) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
