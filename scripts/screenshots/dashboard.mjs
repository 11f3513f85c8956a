// Renders the screenshots of the dashboard in docs/guides/operations.md with Debian's Chromium:
//   npx --yes pnpm@10.34.9 build && node scripts/screenshots/dashboard.mjs
// It starts a real tree (a nested pool, a worker in backoff, an OS process with output), serves
// the dashboard on loopback, and writes docs/guides/images/dashboard.png (the tree at rest, an
// OS process's details) and dashboard-crash.png (just after a crash: the timeline, the bystanders,
// a child backing off). The packages' dist is used, so build first.
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor } from '../../packages/core/dist/index.js';
import { createDashboard, createHealthServer, createTreeObserver } from '../../packages/observe/dist/index.js';
import { fromProcess } from '../../packages/process/dist/index.js';
import { launchChromium } from '../system/chromium.mjs';

const images = fileURLToPath(new URL('../../docs/guides/images/', import.meta.url));
mkdirSync(images, { recursive: true });

const crashers = new Map();
const worker = (id) =>
  fromWorker(
    ({ signal }) =>
      new Promise((resolve, reject) => {
        crashers.set(id, reject);
        signal.addEventListener('abort', () => resolve());
      }),
  );
const crash = (id, message) => crashers.get(id)?.(new Error(message));

const dashboard = createDashboard({ actions: true });
const observer = createTreeObserver(dashboard.handle);
const pool = defineSupervisor({ id: 'pool', strategy: 'one_for_all', intensity: 5, periodMs: 10_000, children: [{ id: 'conn-1', start: worker('conn-1') }, { id: 'conn-2', start: worker('conn-2') }] });
const db = defineSupervisor({ id: 'db', strategy: 'rest_for_one', children: [{ id: 'pool', start: pool, type: 'supervisor' }, { id: 'writer', start: worker('writer') }] });
const mailer = fromProcess({
  command: process.execPath,
  args: ['-e', "let n = 0; console.log('mailer ready on queue \"outbox\"'); setInterval(() => console.log(`sent batch ${++n} (25 messages)`), 400); setTimeout(() => console.error('smtp: slow reply from relay (1.8 s)'), 900);"],
  logger: dashboard.outputLogger(),
});
const logic = defineSupervisor({
  id: 'app',
  intensity: 10,
  periodMs: 60_000,
  children: [
    { id: 'db', start: db, type: 'supervisor' },
    { id: 'api', start: worker('api'), backoff: { minMs: 4_000, maxMs: 30_000, factor: 2, jitter: 0, resetAfterMs: 60_000 } },
    { id: 'mailer', start: mailer, shutdown: 2_000 },
  ],
});
const root = await startSupervisor(logic, { inspect: observer.inspect });
const http = createHealthServer({ root, dashboard });
const { url } = await http.listen();
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 820 });
  await page.goto(`${url}/ui#token=${dashboard.token}`);
  await page.locator('#conn.live').waitFor();
  await sleep(2_500); // some uptime and a few lines of output
  await page.locator('.node[data-path="app/mailer"]').click();
  await sleep(300);
  await page.screenshot({ path: `${images}dashboard.png`, fullPage: true });
  console.log(`wrote ${images}dashboard.png`);

  crash('conn-1', 'ECONNRESET: connection reset by peer');
  await sleep(300);
  crash('api', 'listen EADDRINUSE: address already in use :::8080');
  await sleep(300);
  crash('api', 'listen EADDRINUSE: address already in use :::8080');
  await sleep(400);
  await page.locator('.node[data-path="app/db/pool/conn-1"]').click();
  await sleep(700);
  await page.screenshot({ path: `${images}dashboard-crash.png`, fullPage: true });
  console.log(`wrote ${images}dashboard-crash.png`);
} finally {
  await browser.close();
  await http.close();
  dashboard.close();
  await stopSupervisor(root);
  observer.unsubscribe();
}
