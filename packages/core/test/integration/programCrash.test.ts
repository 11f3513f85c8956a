// Issue 4: resume after a crash of the whole program, with a real Node program and SIGKILL.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('../fixtures/durableProgram.ts', import.meta.url));

interface Run {
  lines: Array<{ child: string; handover: { resumeId: string; incarnation: number; previousExit: { reason: string } | null } }>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Starts the program and resolves once it printed `ready`; bounded to 15 s. */
function run(store: string, mode = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, store, mode], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Run['lines'] = [];
    let buffer = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`program did not get ready in 15 s: ${stderr}`));
    }, 15_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line === 'ready') {
          clearTimeout(timer);
          resolve({
            lines,
            kill: (signal) =>
              new Promise((done) => {
                child.once('exit', (code) => done(code));
                child.kill(signal);
              }),
          });
        } else lines.push(JSON.parse(line));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!lines.length) reject(new Error(`program exited ${code}: ${stderr}`));
    });
  });
}

describe('resume after a crash of the whole program', () => {
  it('a program killed with SIGKILL and started again continues incarnations; running children were lost', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'trellis-crash-')), 'handover.jsonl');
    const first = await run(store);
    expect(first.lines.map((l) => [l.child, l.handover.incarnation, l.handover.previousExit])).toEqual([
      ['job', 0, null],
      ['idle', 0, null],
    ]);
    expect(await first.kill('SIGKILL')).toBe(null);

    const second = await run(store);
    expect(second.lines.map((l) => [l.child, l.handover.resumeId, l.handover.incarnation, l.handover.previousExit?.reason])).toEqual([
      ['job', 'app/job', 1, 'lost'],
      ['idle', 'app/idle', 1, 'lost'],
    ]);
    await second.kill('SIGKILL');

    // A write torn by a crash leaves a partial last line: the next program starts anyway.
    writeFileSync(store, '{"r":"app/job","e":{"incarnation":9', { flag: 'a' });
    const third = await run(store);
    expect(third.lines.map((l) => [l.child, l.handover.incarnation, l.handover.previousExit?.reason])).toEqual([
      ['job', 2, 'lost'],
      ['idle', 2, 'lost'],
    ]);
    await third.kill('SIGKILL');
  }, 60_000);
});
