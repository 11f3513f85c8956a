// Smoke: the example runs as a user runs it (one process, real clock), exports to the console and
// ends by itself; the OS child's restart carried the restart span's TRACEPARENT.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const dir = fileURLToPath(new URL('..', import.meta.url));

it('exports trellis metrics, log records and start, restart and shutdown spans to the console, and the restarted OS child gets TRACEPARENT', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += String(chunk)));
  child.stderr.on('data', (chunk: Buffer) => (out += String(chunk)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  expect(code, out).toBe(0);
  expect(out).toContain("name: 'trellis.child.restarts'");
  expect(out).toContain("name: 'trellis.supervisor.restart'");
  expect(out).toContain("name: 'trellis.supervisor.start'");
  expect(out).toContain("name: 'trellis.supervisor.shutdown'");
  expect(out).toContain("'process.executable.name': 'node'"); // the OS child's log records
  expect(out).toContain("eventName: 'trellis.child.exited'");
  expect(out).toContain('child incarnation 0: TRACEPARENT=(none)');
  const traceparent = /child incarnation 1: TRACEPARENT=00-([0-9a-f]{32})-([0-9a-f]{16})-01/.exec(out);
  expect(traceparent, out).not.toBeNull();
  expect(out).toContain(`traceId: '${traceparent?.[1]}'`); // the restart span the child continues
}, 30_000);
