import { Writable } from 'node:stream';
import pino from 'pino';

/** A pino logger writing to memory, and the records it wrote, parsed (pino's `sink()`). */
export function captureLogs(level = 'debug'): { logger: pino.Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') records.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, sink), records };
}
