import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, terminateChild, type WorkerContext } from '@trellis/core';
import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealthServer, createMetrics, type HealthServer } from '../src/index.js';

const servers: HealthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(withMetrics = true) {
  const db = scriptedChild();
  const ref = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: db }, { id: 'http', start: scriptedChild() }] }), { clock: createTestClock() });
  const metrics = createMetrics();
  metrics.attach(ref);
  const server = createHealthServer(withMetrics ? { root: ref, metrics } : { root: ref });
  servers.push(server);
  const address = await server.listen();
  return { ref, db, address };
}

describe('createHealthServer', () => {
  it('binds 127.0.0.1 on a free port by default', async () => {
    const { ref, address } = await serve();
    expect(address.host).toBe('127.0.0.1');
    expect(address.port).toBeGreaterThan(0);
    expect(address.url).toBe(`http://127.0.0.1:${address.port}`);
    await stopSupervisor(ref);
  });

  it('serves /healthz, /readyz, /metrics and /tree', async () => {
    const { ref, db, address } = await serve();
    const health = await fetch(`${address.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${address.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    db.crash();
    await settle();
    const metrics = await fetch(`${address.url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('trellis_child_restarts_total{supervisor="root",child="db"} 1');
    const tree = await fetch(`${address.url}/tree`);
    expect(tree.headers.get('content-type')).toContain('application/json');
    expect(await tree.json()).toMatchObject({ id: 'root', children: [{ id: 'http' }, { id: 'db', incarnation: 1 }] });
    await stopSupervisor(ref);
  });

  it("/tree carries a child's subStatus, as whichChildren has it, and the tree stays ready", async () => {
    let ctx: WorkerContext | undefined;
    const lease = fromWorker((c) => {
      ctx = c;
      c.setSubStatus({ state: 'standby', lease: 'scheduler', holder: 'host-b', epoch: null, heldBy: 'host-a' });
      return new Promise((resolve) => c.signal.addEventListener('abort', resolve));
    });
    const sub = defineSupervisor({ id: 'cluster', children: [{ id: 'scheduler', start: lease }] });
    const ref = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'cluster', start: sub, type: 'supervisor' }, { id: 'db', start: scriptedChild() }] }), { clock: createTestClock() });
    const server = createHealthServer({ root: ref });
    servers.push(server);
    const { url } = await server.listen();
    await settle();
    type Node = { path: string; status: string; subStatus?: unknown; children?: Node[] };
    const read = async () => (await (await fetch(`${url}/tree`)).json()) as Node;
    const scheduler = (node: Node) => node.children?.find((c) => c.path === 'root/cluster')?.children?.[0];
    expect(scheduler(await read())).toEqual(expect.objectContaining({ path: 'root/cluster/scheduler', status: 'running', subStatus: { state: 'standby', lease: 'scheduler', holder: 'host-b', epoch: null, heldBy: 'host-a' } }));
    expect((await read()).children?.find((c) => c.path === 'root/db')).not.toHaveProperty('subStatus');
    ctx!.setSubStatus({ state: 'active', lease: 'scheduler', holder: 'host-b', epoch: 8, heldBy: 'host-b' });
    expect(scheduler(await read())?.subStatus).toEqual({ state: 'active', lease: 'scheduler', holder: 'host-b', epoch: 8, heldBy: 'host-b' });
    expect((await fetch(`${url}/readyz`)).status).toBe(200); // standby or active, the child is running
    await stopSupervisor(ref);
  });

  it('answers /readyz with 503 and the paths not running when a child is down', async () => {
    const { ref, address } = await serve();
    await terminateChild(ref, 'db');
    const ready = await fetch(`${address.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'not_ready', notRunning: ['root/db'] });
    await stopSupervisor(ref);
    const after = await fetch(`${address.url}/readyz`);
    expect(after.status).toBe(503);
    expect((await fetch(`${address.url}/healthz`)).status).toBe(200);
  });

  it('answers 404 for unknown paths and /metrics without metrics, 405 for other methods, and HEAD without a body', async () => {
    const { ref, address } = await serve(false);
    expect((await fetch(`${address.url}/nope`)).status).toBe(404);
    expect((await fetch(`${address.url}/metrics`)).status).toBe(404);
    const post = await fetch(`${address.url}/healthz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${address.url}/tree`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    await stopSupervisor(ref);
  });

  it('closes idempotently and rejects listen on a port in use', async () => {
    const { ref, address } = await serve();
    const clash = createHealthServer({ root: ref, port: address.port });
    await expect(clash.listen()).rejects.toThrow(/EADDRINUSE/);
    await clash.close();
    await stopSupervisor(ref);
  });
});
