/**
 * Streams a supervision tree to the Stately Inspector over a WebSocket, crashes a worker now
 * and then, and stops after a bounded run.
 *
 *   npx tsx src/main.ts                       # headless: a local relay counts what arrives
 *   npx tsx src/main.ts --ui --duration-ms 60000
 *        # opens https://stately.ai/inspect through @statelyai/inspect's local bridge server
 *   npx tsx src/main.ts --url ws://127.0.0.1:8080   # send to an inspector server you run
 *
 * `createBrowserInspector` works only in a browser; in Node the tree talks to the inspector
 * through `createWebSocketInspector`, and `startSupervisor(logic, { inspect })` reaches every
 * actor in the tree.
 */
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createWebSocketInspector } from '@statelyai/inspect';
import { startSupervisor, stopSupervisor } from '@trellis/core';
import { createTreeObserver, tree } from '@trellis/observe';
import { WebSocketServer } from 'ws';
import { buildTree } from './tree.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    ui: { type: 'boolean', default: false },
    port: { type: 'string', default: '8080' },
    'duration-ms': { type: 'string', default: '1500' },
    'crash-every-ms': { type: 'string', default: '300' },
  },
});
const durationMs = Number(values['duration-ms']);
const crashEveryMs = Number(values['crash-every-ms']);

// Where inspection events go: your server (--url), the Stately UI bridge (--ui), or a local relay.
let url = values.url;
let close: () => Promise<void> = async () => {};
const received = { actors: new Set<string>(), snapshots: 0, events: 0 };
if (url === undefined && values.ui) {
  const { createInspectorServer } = await import('@statelyai/inspect/server');
  const server = createInspectorServer({ port: Number(values.port), autoOpen: true });
  url = `ws://localhost:${values.port}`;
  close = async () => server.stop();
  console.log(`Stately Inspector bridge on ${url}; your browser opens https://stately.ai/inspect`);
} else if (url === undefined) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const event = JSON.parse(String(data)) as { type: string; name?: string };
      if (event.type === '@xstate.actor') received.actors.add(event.name ?? '?');
      else if (event.type === '@xstate.snapshot') received.snapshots += 1;
      else received.events += 1;
    });
  });
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  close = () =>
    new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close(() => resolve());
    });
  console.log(`local inspector relay on ${url} (use --ui to watch in the Stately Inspector)`);
}

const inspector = createWebSocketInspector({ url });
const { logic, crash } = buildTree();
// The tree observer forwards every inspection event to the inspector and prints each fact.
const observer = createTreeObserver((fact) => {
  if (fact.type === 'sup.child.exited' && fact.decision !== 'stopped') console.log(`[${fact.supervisor}] ${fact.child} exited (${fact.exit.reason}) -> ${fact.decision}`);
  if (fact.type === 'sup.child.started' && fact.cause === 'restart') console.log(`[${fact.supervisor}] ${fact.child} restarted as incarnation ${fact.incarnation}`);
}, { inspect: inspector.inspect });
const root = await startSupervisor(logic, { inspect: observer.inspect });
console.log(`watching ${url}: root > db > pool, writer; root > http`);

const victims = ['writer', 'http', 'pool'] as const;
for (let elapsed = 0, i = 0; elapsed < durationMs; elapsed += crashEveryMs, i++) {
  await sleep(Math.min(crashEveryMs, durationMs - elapsed));
  crash(victims[i % victims.length] as (typeof victims)[number]);
}

const final = tree(root);
const result = await stopSupervisor(root);
await sleep(100); // the inspector sends on idle callbacks: let the last events go out
inspector.stop();
observer.unsubscribe();
await close();
const restarts = (node: typeof final): number => node.restarts + (node.children ?? []).reduce((n, c) => n + restarts(c), 0);
console.log(`\ntree before stopping: ${restarts(final)} restart(s) in all`);
if (received.actors.size > 0) console.log(`the relay received ${received.actors.size} actors (${[...received.actors].sort().join(', ')}) and ${received.snapshots} snapshots`);
console.log(`root stopped: ${JSON.stringify(result)}`);
process.exitCode = result.reason === 'normal' ? 0 : 1;
