/**
 * Durable handover: the store interface a root supervisor writes every start and exit to, so a
 * restarted program continues each child's incarnation numbers, and the file-backed store that
 * is the embedded default.
 *
 * @module
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { isExitReason } from '../exitReasons.js';
import type { ExitStatus } from '../types.js';

/**
 * What a store keeps per ResumeID.
 *
 * @remarks
 * Enough to hand the next incarnation its number and previous exit after the whole Node process
 * restarted: `running` marks an incarnation that had not exited when the process ended, so its exit
 * is read as `lost`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { HandoverEntry } from '@trellis/core';
 * const entry: HandoverEntry = { incarnation: 3, lastExit: { reason: 'error', at: 1_000 }, running: true };
 * assert.equal(entry.incarnation, 3);
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export interface HandoverEntry {
  /** The incarnation of the last start attempt. */
  readonly incarnation: number;
  /** The exit of the last incarnation that had started (`null` before the first exit). */
  readonly lastExit: ExitStatus | null;
  /** Whether that incarnation was running when this was written. */
  readonly running: boolean;
}

/**
 * Where a tree's handovers survive the program.
 *
 * @remarks
 * Small on purpose, so other backends (a database row, a key-value store) fit. Every method is
 * synchronous: `write` is called on each start and exit and must have made the entry durable
 * when it returns, so a program killed right after a start still knows that child was running.
 * `load` is called once, when the root supervisor starts; an entry still `running` then belongs
 * to a child the earlier program lost, and its next start gets `previousExit.reason: 'lost'`.
 *
 * @example An in-memory store (for tests)
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { HandoverEntry, HandoverStore } from '@trellis/core';
 * const entries = new Map<string, HandoverEntry>();
 * const store: HandoverStore = {
 *   load: () => entries.entries(),
 *   write: (id, entry) => void entries.set(id, entry),
 *   delete: (id) => void entries.delete(id),
 * };
 * store.write('root/db', { incarnation: 0, lastExit: null, running: true });
 * assert.equal([...store.load()].length, 1);
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export interface HandoverStore {
  /** Every entry recorded by an earlier program. */
  load(): Iterable<readonly [string, HandoverEntry]>;
  /** Records one ResumeID's entry durably. */
  write(resumeId: string, entry: HandoverEntry): void;
  /** Forgets one ResumeID. */
  delete(resumeId: string): void;
}

/**
 * Options of {@link fileHandoverStore}.
 *
 * @remarks
 * Every field is optional. `onCorrupt` is what `load` does with a file that is not a store:
 * `'reset'` (the default) starts empty and reports through `onWarning`, `'error'` throws
 * {@link HandoverStoreError}. `fsync` (default true) flushes each write to disk before it
 * returns; `onWarning` receives warnings (default `process.emitWarning`).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { mkdtempSync, rmSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { fileHandoverStore, type FileHandoverStoreOptions } from '@trellis/core';
 * const dir = mkdtempSync(join(tmpdir(), 'trellis-'));
 * const options: FileHandoverStoreOptions = { onCorrupt: 'reset', fsync: false };
 * const store = fileHandoverStore(join(dir, 'handover.json'), options);
 * assert.deepEqual([...store.load()], []);
 * rmSync(dir, { recursive: true, force: true });
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export interface FileHandoverStoreOptions {
  /**
   * What to do when the file cannot be read as a store (wrong version, not a store):
   * `'reset'` (default) starts clean and calls `onWarning`; `'error'` throws
   * {@link HandoverStoreError}. A torn last line, which a crash mid-write leaves, is always
   * dropped with a warning: the entries before it are intact.
   */
  readonly onCorrupt?: 'reset' | 'error';
  /** Receives warnings (a torn line, a reset); default `process.emitWarning`. */
  readonly onWarning?: (message: string) => void;
  /** `fsync` after each write; default `true`. Without it a power cut may lose the last writes. */
  readonly fsync?: boolean;
}

/**
 * A file the store could not read as a handover store, with `onCorrupt: 'error'`.
 *
 * @remarks
 * Thrown by the store's `load` when {@link FileHandoverStoreOptions.onCorrupt} is `'error'`; `path`
 * names the file and `code` is `'invalid_handover_store'`. With the default `'reset'` the store
 * starts empty instead.
 *
 * @example
 * ```ts
 * import { HandoverStoreError } from '@trellis/core';
 * const error = new HandoverStoreError('/tmp/h.jsonl', 'its first line is not a trellis handover header');
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class HandoverStoreError extends Error {
  /** Always `'HandoverStoreError'`. */
  override readonly name = 'HandoverStoreError';
  /** Always `'invalid_handover_store'`. */
  readonly code = 'invalid_handover_store';
  /** The store's file. */
  readonly path: string;
  /**
   * @param path - the store's file.
   * @param rule - what about the file broke the rule, as a clause.
   */
  constructor(path: string, rule: string) {
    super(`Handover store ${JSON.stringify(path)}: ${rule}.`);
    this.path = path;
  }
}

const VERSION = 1;
const HEADER = JSON.stringify({ trellis: 'handover', version: VERSION });

type Line = { r: string; e: HandoverEntry } | { r: string; d: 1 };

function isExit(value: unknown): value is ExitStatus {
  if (typeof value !== 'object' || value === null) return false;
  const exit = value as Record<string, unknown>;
  return isExitReason(exit.reason) && typeof exit.at === 'number';
}

function isEntry(value: unknown): value is HandoverEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.incarnation === 'number' &&
    Number.isInteger(entry.incarnation) &&
    entry.incarnation >= -1 &&
    typeof entry.running === 'boolean' &&
    (entry.lastExit === null || isExit(entry.lastExit))
  );
}

/**
 * A handover store in one file: an append-only journal of JSON lines, compacted on load.
 *
 * @remarks
 * Each `write` appends one line (and `fsync`s it by default), so a crash can tear at most the
 * last line, which the next load drops with a warning. `load` replays the journal, then
 * rewrites it compacted through a temporary file and an atomic `rename`, so the file on disk is
 * always either the old journal or the new one. The first line is a version header; a file
 * with another header, or that is not a store at all, is reset with a warning (or throws with
 * `onCorrupt: 'error'`), so bad contents can never cause a crash loop.
 *
 * @param path - the journal file; its folder is created if missing.
 * @param options - corruption handling, warnings and fsync.
 * @returns the store, for `defineSupervisor({ handoverStore })`.
 * @throws {@link HandoverStoreError} from `load` with `onCorrupt: 'error'` when the file is not a store.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { fileHandoverStore } from '@trellis/core';
 * const path = join(mkdtempSync(join(tmpdir(), 'trellis-')), 'handover.jsonl');
 * fileHandoverStore(path).write('root/db', { incarnation: 3, lastExit: null, running: true });
 * assert.deepEqual([...fileHandoverStore(path).load()], [['root/db', { incarnation: 3, lastExit: null, running: true }]]);
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export function fileHandoverStore(path: string, options: FileHandoverStoreOptions = {}): HandoverStore {
  const onCorrupt = options.onCorrupt ?? 'reset';
  const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, 'TrellisHandoverStore'));
  const sync = options.fsync ?? true;

  const append = (line: Line): void => {
    const text = `${JSON.stringify(line)}\n`;
    if (!sync) {
      appendFileSync(path, text);
      return;
    }
    const fd = openSync(path, 'a');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };

  const rewrite = (entries: Map<string, HandoverEntry>): void => {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    const lines = [HEADER, ...[...entries].map(([r, e]) => JSON.stringify({ r, e }))];
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, `${lines.join('\n')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  };

  const read = (): Map<string, HandoverEntry> => {
    const entries = new Map<string, HandoverEntry>();
    if (!existsSync(path)) return entries;
    const text = readFileSync(path, 'utf8');
    if (text.length === 0) return entries;
    const lines = text.split('\n');
    const complete = text.endsWith('\n');
    if (lines[0] !== HEADER) {
      const rule = lines[0]?.startsWith('{"trellis":"handover"')
        ? `it has version header ${lines[0]}, this program reads version ${VERSION}`
        : 'its first line is not a trellis handover header';
      if (onCorrupt === 'error') throw new HandoverStoreError(path, rule);
      warn(`Handover store ${JSON.stringify(path)}: ${rule}; starting clean.`);
      return entries;
    }
    for (let i = 1; i < lines.length; i++) {
      const raw = lines[i] as string;
      if (raw === '') continue;
      let line: unknown;
      try {
        line = JSON.parse(raw);
      } catch {
        line = undefined;
      }
      const valid = typeof line === 'object' && line !== null && typeof (line as Line).r === 'string' && ('d' in (line as object) || isEntry((line as { e?: unknown }).e));
      if (!valid) {
        const last = i === lines.length - 1 || (i === lines.length - 2 && complete);
        warn(`Handover store ${JSON.stringify(path)}: line ${i + 1} is ${last ? 'torn (a write was cut short)' : 'not a valid entry'}; it was dropped.`);
        continue;
      }
      const entry = line as Line;
      if ('d' in entry) entries.delete(entry.r);
      else entries.set(entry.r, entry.e);
    }
    return entries;
  };

  return {
    load() {
      const entries = read();
      rewrite(entries);
      return entries;
    },
    write(resumeId, entry) {
      if (!existsSync(path)) rewrite(new Map());
      append({ r: resumeId, e: entry });
    },
    delete(resumeId) {
      if (!existsSync(path)) return;
      append({ r: resumeId, d: 1 });
    },
  };
}
