// The file-backed handover store: journal, compaction, torn writes, bad contents.
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileHandoverStore, HandoverStoreError, type HandoverEntry } from '@trellis/core';

const dir = () => mkdtempSync(join(tmpdir(), 'trellis-store-'));
const entry = (incarnation: number, running = false): HandoverEntry => ({ incarnation, lastExit: running ? null : { reason: 'error', detail: { name: 'Error', message: 'x' }, at: 1 }, running });

describe('fileHandoverStore', () => {
  it('replays the journal: the last write per ResumeID wins, deletes forget', () => {
    const path = join(dir(), 'sub', 'h.jsonl');
    const store = fileHandoverStore(path);
    store.write('a', entry(0, true));
    store.write('a', entry(1));
    store.write('b', entry(0, true));
    store.delete('b');
    expect([...fileHandoverStore(path).load()]).toEqual([['a', entry(1)]]);
  });

  it('compacts on load through an atomic rename: one header and one line per ResumeID', () => {
    const path = join(dir(), 'h.jsonl');
    const store = fileHandoverStore(path);
    for (let i = 0; i < 50; i++) store.write('a', entry(i));
    fileHandoverStore(path).load();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual({ trellis: 'handover', version: 1 });
  });

  it('drops a torn last line with a warning and keeps everything before it', () => {
    const path = join(dir(), 'h.jsonl');
    const store = fileHandoverStore(path);
    store.write('a', entry(3));
    appendFileSync(path, '{"r":"a","e":{"incarnation":4,"lastE');
    const warnings: string[] = [];
    expect([...fileHandoverStore(path, { onWarning: (w) => warnings.push(w) }).load()]).toEqual([['a', entry(3)]]);
    expect(warnings).toEqual([expect.stringContaining('torn')]);
  });

  it('starts clean with a warning on a wrong version or a file that is not a store, or throws with onCorrupt: error', () => {
    for (const contents of ['{"trellis":"handover","version":99}\n{"r":"a","e":{}}\n', 'hello\n', '\u0000\u0001garbage']) {
      const path = join(dir(), 'h.jsonl');
      writeFileSync(path, contents);
      const warnings: string[] = [];
      expect([...fileHandoverStore(path, { onWarning: (w) => warnings.push(w) }).load()]).toEqual([]);
      expect(warnings).toHaveLength(1);
      writeFileSync(path, contents);
      expect(() => fileHandoverStore(path, { onCorrupt: 'error' }).load()).toThrow(HandoverStoreError);
    }
  });

  it('rejects entries that do not have the entry shape, naming the line', () => {
    const path = join(dir(), 'h.jsonl');
    writeFileSync(path, '{"trellis":"handover","version":1}\n{"r":"a","e":{"incarnation":"two","lastExit":null,"running":false}}\n{"r":"b","e":{"incarnation":1,"lastExit":null,"running":false}}\n');
    const warnings: string[] = [];
    expect([...fileHandoverStore(path, { onWarning: (w) => warnings.push(w) }).load()].map(([id]) => id)).toEqual(['b']);
    expect(warnings[0]).toContain('line 2');
  });

  it('loads nothing from a missing or empty file', () => {
    expect([...fileHandoverStore(join(dir(), 'none.jsonl')).load()]).toEqual([]);
    const path = join(dir(), 'empty.jsonl');
    writeFileSync(path, '');
    expect([...fileHandoverStore(path).load()]).toEqual([]);
  });
});
