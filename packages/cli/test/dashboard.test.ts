import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cliDir, startCli } from './helpers.js';

// `trellis run --http` is run as a user runs it, as its own process; the dashboard is fetched
// over real HTTP. (The page itself is tested in Chromium in @trellis/observe.)
beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b'], { cwd: cliDir, stdio: 'inherit' });
}, 60_000);

const tmp = mkdtempSync(join(tmpdir(), 'trellis-cli-ui-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Reads /events until a fact matches; resolves with it. */
async function nextFact(url: string, lastEventId: number, match: (fact: Record<string, unknown>) => boolean): Promise<{ id: string; fact: Record<string, unknown> }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  try {
    const res = await fetch(`${url}/events`, { headers: { 'last-event-id': String(lastEventId) }, signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: (\d+)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (id === undefined || data === undefined) continue;
        const { fact } = JSON.parse(data) as { fact: Record<string, unknown> };
        if (match(fact)) return { id, fact };
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

describe('trellis run --http: the dashboard', () => {
  it('serves /ui, /ui/tree and /events, prints the URL, and takes actions only with --ui-actions and the token', async () => {
    const cli = startCli(['run', 'test/fixtures/tree.ts', '--http', '127.0.0.1:0', '--ui-actions'], { FIXTURE_PIDFILE: join(tmp, 'sleeper.pid') });
    try {
      const listening = await cli.waitForRecord((r) => r.event === 'http.listening');
      await cli.waitForRecord((r) => r.event === 'tree.started');
      const url = listening.url as string;
      const ui = listening.ui as string;
      expect(ui).toMatch(new RegExp(`^${url}/ui#token=[0-9a-f]{48}$`));
      await vi.waitFor(() => expect(cli.stderr()).toContain(`trellis: dashboard at ${ui}`), { timeout: 5_000 });
      const token = ui.split('#token=')[1] as string;

      const page = await fetch(`${url}/ui`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
      const html = await page.text();
      expect(html).toContain('<title>trellis dashboard</title>');
      expect(html).not.toMatch(/(src|href)="https?:/); // nothing from elsewhere

      const view = (await (await fetch(`${url}/ui/tree`)).json()) as { lastFactId: number; actions: boolean; tree: { children: Array<Record<string, unknown>> } };
      expect(view.actions).toBe(true);
      // The dashboard was fed from the first fact: every initial start is in its log.
      expect(view.lastFactId).toBe(5);
      expect(view.tree.children.map((c) => [c.id, c.kind])).toEqual([['sleeper', 'process'], ['http', 'worker'], ['db', 'supervisor']]);
      expect(view.tree.children[0]).toMatchObject({ status: 'running', pid: expect.any(Number) });
      // A process child's output reaches the page (the CLI's default process logger feeds it).
      await vi.waitFor(
        async () => {
          const latest = (await (await fetch(`${url}/ui/tree`)).json()) as { tree: { children: Array<{ output?: Array<{ line: string }> }> } };
          expect(latest.tree.children[0]?.output?.map((o) => o.line)).toContain('sleeper up');
        },
        { timeout: 10_000, interval: 50 },
      );

      const crash = nextFact(url, view.lastFactId, (fact) => fact.type === 'sup.child.exited' && fact.child === 'writer');
      cli.child.kill('SIGUSR2'); // the fixture's writer crashes on SIGUSR2
      await expect(crash).resolves.toMatchObject({ id: '6', fact: { supervisor: 'root/db', decision: 'restart', exit: { reason: 'error', detail: { message: 'crashed on SIGUSR2' } } } });

      const terminate = (headers: Record<string, string>) => fetch(`${url}/ui/actions/terminate`, { method: 'POST', headers, body: JSON.stringify({ path: 'root/http' }) });
      expect((await terminate({})).status).toBe(403);
      expect((await terminate({ 'x-trellis-token': token })).status).toBe(200);
      const after = (await (await fetch(`${url}/tree`)).json()) as { children: Array<{ id: string; status: string }> };
      expect(after.children.find((c) => c.id === 'http')?.status).toBe('stopped');

      cli.child.kill('SIGTERM');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('is read-only without --ui-actions', async () => {
    const cli = startCli(['run', 'test/fixtures/tree.ts', '--http', '127.0.0.1:0'], { FIXTURE_PIDFILE: join(tmp, 'sleeper2.pid') });
    try {
      const listening = await cli.waitForRecord((r) => r.event === 'http.listening');
      expect(listening.ui).toBe(`${listening.url as string}/ui`);
      const res = await fetch(`${listening.url as string}/ui/actions/terminate`, { method: 'POST', headers: { 'x-trellis-token': 'anything-at-all' }, body: JSON.stringify({ path: 'root/http' }) });
      expect(res.status).toBe(404);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
});
