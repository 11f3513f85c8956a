/**
 * The same tree on trellis's own dashboard: no internet, no hosted page. Serves `/ui` on
 * loopback, crashes a worker now and then so the timeline fills, and stops after a bounded run.
 *
 *   npx tsx src/dashboard.ts --duration-ms 600000   # then open the URL it prints
 *   npx tsx src/dashboard.ts --actions              # the URL carries the token for the buttons
 *
 * The dashboard is fed by `createTreeObserver`, so it has every fact from the first start; the
 * page follows `/events` and catches up with `Last-Event-ID` after a reconnect.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startSupervisor, stopSupervisor } from '@trellis/core';
import { createDashboard, createHealthServer, createTreeObserver } from '@trellis/observe';
import { buildTree } from './tree.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    actions: { type: 'boolean', default: false },
    'duration-ms': { type: 'string', default: '1500' },
    'crash-every-ms': { type: 'string', default: '700' },
  },
});
const durationMs = Number(values['duration-ms']);
const crashEveryMs = Number(values['crash-every-ms']);

const { logic, crash } = buildTree();
const dashboard = createDashboard({ actions: values.actions });
const observer = createTreeObserver(dashboard.handle);
const root = await startSupervisor(logic, { inspect: observer.inspect });
const http = createHealthServer({ root, dashboard, port: Number(values.port) });
const { url } = await http.listen();
console.log(`dashboard at ${url}/ui${dashboard.token === undefined ? '' : `#token=${dashboard.token}`}`);

const victims = ['writer', 'http', 'pool'] as const;
let turn = 0;
const timer = setInterval(() => crash(victims[turn++ % victims.length] as (typeof victims)[number]), crashEveryMs);
await sleep(durationMs);
clearInterval(timer);
await http.close();
dashboard.close();
console.log(`root stopped: ${JSON.stringify(await stopSupervisor(root))}`);
observer.unsubscribe();
