import { request } from 'node:http';
import { defineSupervisor, startSupervisor, stopSupervisor, whichChildren, type SupervisorRef } from '@trellis/core';
import { createTestClock, scriptedChild, settle, type ScriptedChild, type TestClock } from '@trellis/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboard, createHealthServer, type Dashboard, type DashboardOptions, type HealthServer } from '../../src/index.js';

interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(options: DashboardOptions = {}): Promise<{ root: SupervisorRef; worker: ScriptedChild; dashboard: Dashboard; url: string; clock: TestClock }> {
  const worker = scriptedChild();
  const db = defineSupervisor({ id: 'db', strategy: 'one_for_all', children: [{ id: 'pool', start: scriptedChild() }] });
  const clock = createTestClock();
  const root = await startSupervisor(defineSupervisor({ id: 'root', intensity: 100, children: [{ id: 'db', start: db }, { id: 'worker', start: worker }] }), { clock });
  const dashboard = createDashboard(options);
  dashboard.attach(root);
  const server: HealthServer = createHealthServer({ root, dashboard });
  const { url } = await server.listen();
  cleanups.push(() => stopSupervisor(root).then(() => undefined), () => server.close(), () => dashboard.close());
  return { root, worker, dashboard, url, clock };
}

/** Opens /events (or `path`) over real HTTP and collects events until `count` have come (or the timeout). */
function readEvents(url: string, headers: Record<string, string>, count: number, path = '/events', timeoutMs = 3_000): Promise<SseEvent[]> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    let buffer = '';
    const req = request(`${url}${path}`, { headers }, (res) => {
      expect(res.headers['content-type']).toContain('text/event-stream');
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          if (!fields.has('data')) continue; // the retry: line and comments
          events.push({ id: fields.get('id'), event: fields.get('event') ?? 'message', data: fields.get('data') ?? '' });
          if (events.length >= count) {
            clearTimeout(timer);
            req.destroy();
            resolve(events);
          }
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`only ${events.length} of ${count} events within ${timeoutMs} ms: ${JSON.stringify(events)}`));
    }, timeoutMs);
    req.on('error', (error) => {
      if (events.length < count) reject(error);
    });
    req.end();
  });
}

const factOf = (event: SseEvent) => (JSON.parse(event.data) as { fact: Record<string, unknown> }).fact;

describe('dashboard /events (Server-Sent Events over real HTTP)', () => {
  it('replays every fact after Last-Event-ID, in order, then goes on live', async () => {
    const { worker, url } = await serve();
    worker.crash();
    await settle();
    worker.crash();
    await settle();
    const view = (await (await fetch(`${url}/ui/tree`)).json()) as { lastFactId: number };
    expect(view.lastFactId).toBe(4); // two crashes: exited + started each

    const pending = readEvents(url, { 'last-event-id': '1' }, 4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    worker.crash(); // the live part: facts 5 and 6 (only 5 awaited with 4 in all)
    const events = await pending;
    expect(events.map((e) => e.id)).toEqual(['2', '3', '4', '5']);
    expect(events.map((e) => factOf(e).type)).toEqual(['sup.child.started', 'sup.child.exited', 'sup.child.started', 'sup.child.exited']);
    expect(factOf(events[1]!)).toMatchObject({ supervisor: 'root', child: 'worker', incarnation: 1, decision: 'restart', exit: { reason: 'error' } });
    expect(factOf(events[3]!)).toMatchObject({ incarnation: 2 });
  });

  it('?after= works like Last-Event-ID, and the header wins over it', async () => {
    const { worker, url } = await serve();
    worker.crash();
    await settle();
    const byQuery = await readEvents(url, {}, 2, '/events?after=0');
    expect(byQuery.map((e) => e.id)).toEqual(['1', '2']);
    const byHeader = await readEvents(url, { 'last-event-id': '1' }, 1, '/events?after=0');
    expect(byHeader.map((e) => e.id)).toEqual(['2']);
  });

  it('sends a reset when the facts after Last-Event-ID have left the replay buffer', async () => {
    const { worker, url } = await serve({ replay: 3 });
    for (let i = 0; i < 3; i++) {
      worker.crash();
      await settle();
    }
    // Six facts, three kept (4, 5, 6): a reader at 2 has missed fact 3 for good.
    const [reset] = await readEvents(url, { 'last-event-id': '2' }, 1);
    expect(reset).toMatchObject({ event: 'reset', id: '6' });
    expect(JSON.parse(reset!.data)).toEqual({ lastId: 6 });
    // A reader at 3 has missed nothing that was dropped.
    const replay = await readEvents(url, { 'last-event-id': '3' }, 3);
    expect(replay.map((e) => [e.event, e.id])).toEqual([['fact', '4'], ['fact', '5'], ['fact', '6']]);
    // A reader from the future (a restarted server) starts again too.
    const [future] = await readEvents(url, { 'last-event-id': '99' }, 1);
    expect(future!.event).toBe('reset');
  });

  it('shows kind, phase, strategy, restart budget and spec in /ui/tree', async () => {
    const { root, url, worker, clock } = await serve();
    const db = whichChildren(root).find((c) => c.id === 'db')!.ref as SupervisorRef;
    const view = (await (await fetch(`${url}/ui/tree`)).json()) as { tree: Record<string, unknown> & { children: Array<Record<string, unknown>> } };
    expect(view.tree).toMatchObject({ id: 'root', kind: 'supervisor', phase: 'running', strategy: 'one_for_one', intensity: 100, periodMs: 5000, restartsInWindow: 0 });
    expect(view.tree.children.map((c) => c.path)).toEqual(['root/worker', 'root/db']);
    expect(view.tree.children[1]).toMatchObject({ kind: 'supervisor', strategy: 'one_for_all', children: [{ path: 'root/db/pool', kind: 'worker', status: 'running', spec: { id: 'pool', restart: 'permanent' } }] });
    expect(db.getSnapshot().status).toBe('active');
    worker.crash();
    await settle();
    const after = (await (await fetch(`${url}/ui/tree`)).json()) as { tree: Record<string, unknown> & { children: Array<Record<string, unknown>> } };
    expect(after.tree.restartsInWindow).toBe(1);
    expect(after.tree.children[0]).toMatchObject({ incarnation: 1, restarts: 1, lastExit: { reason: 'error' } });
    // The budget is the supervisor's own window, on its own clock: the restart leaves it after periodMs.
    clock.advance(5_001);
    await settle();
    const later = (await (await fetch(`${url}/ui/tree`)).json()) as { tree: Record<string, unknown> };
    expect(later.tree.restartsInWindow).toBe(0);
  });
});

describe('dashboard actions', () => {
  it('are off (404) unless asked for', async () => {
    const { url } = await serve();
    const res = await fetch(`${url}/ui/actions/terminate`, { method: 'POST', body: JSON.stringify({ path: 'root/worker' }) });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe('actions_disabled');
  });

  it('refuse a missing or wrong token (403) and obey the right one', async () => {
    const { root, url, dashboard } = await serve({ actions: true });
    const post = (action: string, body: unknown, token?: string) =>
      fetch(`${url}/ui/actions/${action}`, { method: 'POST', headers: token === undefined ? {} : { 'x-trellis-token': token }, body: JSON.stringify(body) });
    expect((await post('terminate', { path: 'root/worker' })).status).toBe(403);
    expect((await post('terminate', { path: 'root/worker' }, 'x'.repeat(48))).status).toBe(403);
    expect(whichChildren(root).find((c) => c.id === 'worker')!.status).toBe('running');

    const bad = await post('terminate', { path: 'root/worker', force: true }, dashboard.token);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain("unknown field 'force'");
    expect((await post('terminate', { path: 'root/nope' }, dashboard.token)).status).toBe(404);
    expect((await post('explode', { path: 'root/worker' }, dashboard.token)).status).toBe(404);

    expect((await post('terminate', { path: 'root/worker' }, dashboard.token)).status).toBe(200);
    expect(whichChildren(root).find((c) => c.id === 'worker')!.status).toBe('stopped');
    const restarted = await post('restart', { path: 'root/db/pool' }, dashboard.token);
    expect(restarted.status).toBe(200);
    const db = whichChildren(root).find((c) => c.id === 'db')!.ref as SupervisorRef;
    expect(whichChildren(db)[0]).toMatchObject({ id: 'pool', status: 'running', incarnation: 1 });
  });

  it('rejects bad options with the field, the rule and the value', () => {
    expect(() => createDashboard({ replay: 0 })).toThrow('replay must be a positive integer, got 0');
    expect(() => createDashboard({ token: 'short', actions: true })).toThrow('token must be a string of at least 8 characters, got "short"');
    expect(() => createDashboard({ colour: 'red' } as DashboardOptions)).toThrow("unknown key 'colour' in dashboard options");
  });
});
