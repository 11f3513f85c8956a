// Unit: output bounding (line splitting, truncation, the per-second budget).
import { describe, expect, it } from 'vitest';
import { LineBudget, LineSplitter } from '../../src/output.js';

function split(max: number, chunks: Array<string | Buffer>, end = false): Array<[string, boolean]> {
  const lines: Array<[string, boolean]> = [];
  const s = new LineSplitter(max, (line, truncated) => lines.push([line, truncated]));
  for (const c of chunks) s.write(c);
  if (end) s.end();
  return lines;
}

describe('LineSplitter', () => {
  it('splits lines across chunk boundaries', () => {
    expect(split(100, ['a', 'b\nc', 'd\n\ne'])).toEqual([
      ['ab', false],
      ['cd', false],
      ['', false],
    ]);
  });

  it('strips a trailing carriage return', () => {
    expect(split(100, ['win\r\n'])).toEqual([['win', false]]);
  });

  it('emits the unfinished last line at the end', () => {
    expect(split(100, ['tail'], true)).toEqual([['tail', false]]);
  });

  it('truncates a line longer than the limit and marks it', () => {
    expect(split(4, ['abcdefgh\nxy\n'])).toEqual([
      ['abcd', true],
      ['xy', false],
    ]);
    expect(split(4, ['ab', 'cd', 'ef', '\n'])).toEqual([['abcd', true]]);
  });

  it('does not mark a line of exactly the limit whose newline comes in the next chunk', () => {
    expect(split(4, ['abcd', '\n'])).toEqual([['abcd', false]]);
    expect(split(4, ['ab', 'cd', '\nef\n'])).toEqual([
      ['abcd', false],
      ['ef', false],
    ]);
  });

  it('holds at most maxLineBytes of a line that never ends, however much is written', () => {
    const lines: string[] = [];
    const s = new LineSplitter(1024, (line) => lines.push(line));
    const mb = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i < 16; i++) s.write(mb);
    const held = (s as unknown as { held: number; parts: Buffer[] }).held;
    expect(held).toBe(1024);
    expect((s as unknown as { parts: Buffer[] }).parts.reduce((n, b) => n + b.length, 0)).toBe(1024);
    s.write('\n');
    expect(lines).toEqual(['a'.repeat(1024)]);
  });
});

describe('LineBudget', () => {
  it('lets perSecond lines through per second and reports the dropped ones once', () => {
    let now = 0;
    const dropped: number[] = [];
    const budget = new LineBudget(3, () => now, (n) => dropped.push(n));
    const taken = Array.from({ length: 10 }, () => budget.take());
    expect(taken.filter(Boolean)).toHaveLength(3);
    expect(dropped).toEqual([]);
    now = 1000;
    expect(budget.take()).toBe(true);
    expect(dropped).toEqual([7]);
    budget.report();
    expect(dropped).toEqual([7]);
  });
});
