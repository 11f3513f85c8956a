import type { AddressInfo } from 'node:net';
import { createWebSocketInspector } from '@statelyai/inspect';
import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';

interface Received {
  type: string;
  name?: string;
  sessionId: string;
  parentId?: string;
  definition?: string;
  snapshot?: { value?: unknown; status?: string; context?: { runtime?: { children?: Array<Record<string, unknown>> } } };
  event?: { type: string };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function localServer(): Promise<{ url: string; received: Received[]; connected: Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  );
  const received: Received[] = [];
  const connected = new Promise<void>((resolve) => {
    wss.on('connection', (socket) => {
      socket.on('message', (data) => received.push(JSON.parse(String(data)) as Received));
      resolve();
    });
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, received, connected };
}

describe('the Stately Inspector over a WebSocket', () => {
  it('receives the supervisor definition, its state changes through a restart, and every child actor', async () => {
    const { url, received, connected } = await localServer();
    const inspector = createWebSocketInspector({ url });
    cleanups.push(() => inspector.stop());
    await connected;

    const db = scriptedChild();
    const logic = defineSupervisor({ id: 'root', children: [{ id: 'db', start: db }, { id: 'cache', start: scriptedChild() }] });
    const root = await startSupervisor(logic, { inspect: inspector.inspect, clock: createTestClock() });
    db.crash(new Error('boom'));
    await settle();

    const actors = () => received.filter((e) => e.type === '@xstate.actor');
    await vi.waitFor(() => expect(actors().map((a) => a.name)).toEqual(expect.arrayContaining(['root', 'db@0', 'db@1', 'cache@0'])), { timeout: 5_000, interval: 20 });

    // The supervisor machine's definition arrives with it, states included.
    const rootActor = actors().find((a) => a.name === 'root');
    const definition = JSON.parse(rootActor?.definition ?? '{}') as { id?: string; states?: Record<string, unknown> };
    expect(definition.id).toBe('root');
    expect(Object.keys(definition.states ?? {}).sort()).toEqual(['restarting', 'running', 'shuttingDown', 'starting', 'stopped']);
    // Every child actor is reported as a child of the supervisor.
    for (const name of ['db@0', 'db@1', 'cache@0']) expect(actors().find((a) => a.name === name)?.parentId).toBe(rootActor?.sessionId);

    // The supervisor's snapshots: running, through the restart (the crash event), running again.
    const rootSnapshots = () => received.filter((e) => e.type === '@xstate.snapshot' && e.sessionId === rootActor?.sessionId);
    await vi.waitFor(() => expect(rootSnapshots().some((s) => s.event?.type.startsWith('xstate.error.actor.db@0'))).toBe(true), { timeout: 5_000, interval: 20 });
    expect(rootSnapshots().map((s) => [s.event?.type, s.snapshot?.value]).slice(0, 3)).toEqual([
      ['xstate.init', 'starting'],
      ['sup.init', 'running'],
      ['xstate.error.actor.db@0', 'running'],
    ]);
    // The snapshot after the crash shows the child table (the runtime's toJSON): db restarted as db@1.
    const afterCrash = rootSnapshots().find((s) => s.event?.type.startsWith('xstate.error.actor.db@0'));
    expect(afterCrash?.snapshot?.context?.runtime?.children).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'db', actor: 'db@1', incarnation: 1, restarts: 1, lastExit: expect.objectContaining({ reason: 'error' }) })]),
    );

    await stopSupervisor(root);
    await vi.waitFor(() => expect(rootSnapshots().at(-1)?.snapshot).toMatchObject({ value: 'stopped', status: 'done' }), { timeout: 5_000, interval: 20 });
  });
});
