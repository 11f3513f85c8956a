// The dashboard in a real browser: Debian's Chromium driven by playwright-core, against a real
// tree served on loopback with the real clock. Without Chromium these tests are skipped on a
// developer's machine, and fail in CI (TRELLIS_REQUIRE_SYSTEM=1: chromiumPath() throws).
import type { IncomingMessage } from 'node:http';
import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, whichChildren, type SupervisorRef, type WorkerContext } from '@trellis/core';
import { scriptedChild, type ScriptedChild } from '@trellis/core/testing';
import { fromProcess } from '@trellis/process';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium } from '../../../../scripts/system/chromium.mjs';
import { createDashboard, createHealthServer, createTreeObserver, type Dashboard } from '../../src/index.js';

const executablePath = chromiumPath();

interface Served {
  readonly root: SupervisorRef;
  readonly api: ScriptedChild;
  readonly conn: ScriptedChild;
  readonly dashboard: Dashboard;
  readonly url: string;
  /** The Last-Event-ID header of each /events request, as the server got it. */
  readonly lastEventIds: Array<string | undefined>;
}

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** root → api, db → pool → (conn, cache), tail (an OS process): three levels of supervisors. */
async function serve(): Promise<Served> {
  const api = scriptedChild();
  const conn = scriptedChild();
  const dashboard = createDashboard({ actions: true });
  const observer = createTreeObserver(dashboard.handle);
  const pool = defineSupervisor({ id: 'pool', strategy: 'one_for_all', children: [{ id: 'conn', start: conn }, { id: 'cache', start: scriptedChild() }] });
  const db = defineSupervisor({ id: 'db', strategy: 'rest_for_one', children: [{ id: 'pool', start: pool, type: 'supervisor' }] });
  const tail = fromProcess({
    command: process.execPath,
    args: ['-e', "console.log('hello from tail'); console.error('a warning from tail'); setInterval(() => {}, 1000)"],
    logger: dashboard.outputLogger(),
  });
  const logic = defineSupervisor({
    id: 'root',
    intensity: 10,
    children: [{ id: 'api', start: api }, { id: 'db', start: db, type: 'supervisor' }, { id: 'tail', start: tail, shutdown: 2_000 }],
  });
  const root = await startSupervisor(logic, { inspect: observer.inspect });
  const server = createHealthServer({ root, dashboard });
  const lastEventIds: Array<string | undefined> = [];
  server.server.on('request', (req: IncomingMessage) => {
    if (req.url?.startsWith('/events') === true) lastEventIds.push(req.headers['last-event-id'] as string | undefined);
  });
  const { url } = await server.listen();
  cleanups.push(() => stopSupervisor(root), () => server.close(), () => dashboard.close(), () => observer.unsubscribe());
  return { root, api, conn, dashboard, url, lastEventIds };
}

let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let context: BrowserContext;

/** A new page that records every URL it asks for. */
async function open(url: string): Promise<{ page: Page; requests: string[] }> {
  const page = await context.newPage();
  page.setDefaultTimeout(3_000);
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  cleanups.push(() => page.close());
  await page.goto(url);
  await page.locator('#conn.live').waitFor({ timeout: 5_000 });
  return { page, requests };
}

const row = (page: Page, path: string) => page.locator(`.node[data-path="${path}"]`);

describe.skipIf(executablePath === undefined)('the dashboard in Chromium', () => {
  beforeAll(async () => {
    browser = await launchChromium({ executablePath: executablePath as string });
    context = browser.context;
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('renders a three-level tree with kinds, strategies, budgets, pids and output', async () => {
    const { url } = await serve();
    const { page } = await open(`${url}/ui`);
    await expect(page.title()).resolves.toBe('trellis dashboard');
    for (const path of ['root', 'root/api', 'root/db', 'root/db/pool', 'root/db/pool/conn', 'root/db/pool/cache', 'root/tail']) {
      await expect(row(page, path).getAttribute('data-status')).resolves.toBe('running');
    }
    await expect(row(page, 'root/db/pool').innerText()).resolves.toMatch(/pool\s+supervisor\s+running[\s\S]*one_for_all[\s\S]*0\/1 in 5s/);
    await expect(row(page, 'root').innerText()).resolves.toContain('0/10 in 5s');
    const tail = await row(page, 'root/tail').innerText();
    expect(tail).toMatch(/process[\s\S]*pid \d+/);
    expect(tail).toMatch(/up \d+s/);
    await row(page, 'root/tail').click();
    await expect(page.locator('#details pre.output').innerText()).resolves.toContain('hello from tail');
    await expect(page.locator('#details pre.output .err').innerText()).resolves.toContain('a warning from tail');
    await expect(page.locator('[data-field="ResumeID"]').innerText()).resolves.toBe('root/tail');
  });

  it('shows a crash within one second, with its reason, the new incarnation and the bystanders', async () => {
    const { url, conn } = await serve();
    const { page } = await open(`${url}/ui`);
    const crashedAt = Date.now();
    conn.crash(new Error('connection reset by peer'));
    await page.locator('#timeline-body tr[data-type="sup.child.exited"]').first().waitFor({ timeout: 1_000 });
    await row(page, 'root/db/pool/conn').locator('.incarnation', { hasText: /^#1$/ }).waitFor({ timeout: 1_000 });
    expect(Date.now() - crashedAt).toBeLessThan(1_000);
    const crash = await page.locator('#timeline-body tr[data-type="sup.child.exited"]').first().innerText();
    expect(crash).toContain('root/db/pool/conn');
    expect(crash).toContain('error: connection reset by peer');
    expect(crash).toContain('restart');
    expect(crash).toContain('cache'); // one_for_all: the bystander
    await row(page, 'root/db/pool/conn').click();
    await expect(page.locator('[data-field="previous exit"]').innerText()).resolves.toBe('error: connection reset by peer');
    await expect(page.locator('[data-field="incarnation"]').innerText()).resolves.toBe('1');
  });

  it('shows the whole tree and the past restarts to a page opened late', async () => {
    const { url, conn, api } = await serve();
    conn.crash();
    api.crash(new Error('api fell over'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { page } = await open(`${url}/ui`);
    await expect(row(page, 'root').count()).resolves.toBe(1);
    await expect(row(page, 'root/db/pool/conn').locator('.incarnation').innerText()).resolves.toBe('#1');
    await expect(row(page, 'root/api').locator('.incarnation').innerText()).resolves.toBe('#1');
    await expect(page.locator('#timeline-body').innerText()).resolves.toContain('error: api fell over');
  });

  it('catches up after the server drops the event stream (Last-Event-ID)', async () => {
    const { url, api, dashboard, lastEventIds } = await serve();
    const { page } = await open(`${url}/ui`);
    const seen = Number(await page.evaluate('state.lastId'));
    dashboard.dropStreams();
    api.crash(new Error('while nobody was listening')); // the page has no stream now
    await row(page, 'root/api').locator('.incarnation', { hasText: /^#1$/ }).waitFor({ timeout: 5_000 });
    await expect(page.locator('#timeline-body').innerText()).resolves.toContain('while nobody was listening');
    // The first request started from /ui/tree's lastFactId; the reconnect named where it left off.
    expect(lastEventIds).toEqual([undefined, String(seen)]);
  });

  it('makes no request off the machine', async () => {
    const { url, api } = await serve();
    const { page, requests } = await open(`${url}/ui#token=${'0'.repeat(48)}`);
    api.crash();
    await row(page, 'root/api').click();
    await page.locator('#details [data-action="restart"]').click();
    await page.locator('#action-result').filter({ hasText: 'refused' }).waitFor({ timeout: 15_000 });
    expect(requests.length).toBeGreaterThanOrEqual(3);
    for (const request of requests) expect(new URL(request).origin).toBe(new URL(url).origin);
  });

  it('acts with the token, refuses a wrong one and shows no buttons without one', async () => {
    const { url, root, dashboard } = await serve();
    const status = () => whichChildren(root).find((c) => c.id === 'api')?.status;

    const anonymous = await open(`${url}/ui`);
    await row(anonymous.page, 'root/api').click();
    await expect(anonymous.page.locator('#details').innerText()).resolves.toContain('Actions need the token');
    await expect(anonymous.page.locator('#details button').count()).resolves.toBe(0);

    const forged = await open(`${url}/ui#token=${'f'.repeat(48)}`);
    await row(forged.page, 'root/api').click();
    await forged.page.locator('#details [data-action="terminate"]').click();
    await forged.page.locator('#action-result').filter({ hasText: 'refused (403)' }).waitFor({ timeout: 2_000 });
    expect(status()).toBe('running');

    const { page } = await open(`${url}/ui#token=${dashboard.token}`);
    await row(page, 'root/api').click();
    await page.locator('#details [data-action="terminate"]').click();
    await page.locator('.node[data-path="root/api"][data-status="stopped"]').waitFor({ timeout: 2_000 });
    expect(status()).toBe('stopped');
    await page.locator('#details [data-action="restart"]').click();
    await page.locator('.node[data-path="root/api"][data-status="running"]').waitFor({ timeout: 2_000 });
    expect(status()).toBe('running');
  });
  it("shows a child's sub-status (standby · held by host-a) and follows a change that no fact announces", async () => {
    // A stand-in for a cluster singleton: a worker that publishes its sub-status as the singleton does.
    let ctx: WorkerContext | undefined;
    const scheduler = fromWorker((c) => {
      ctx = c;
      c.setSubStatus({ state: 'standby', lease: 'scheduler', holder: 'host-b', epoch: null, heldBy: 'host-a' });
      return new Promise((resolve) => c.signal.addEventListener('abort', resolve));
    });
    const dashboard = createDashboard();
    const observer = createTreeObserver(dashboard.handle);
    const root = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'scheduler', start: scheduler }, { id: 'api', start: scriptedChild() }] }), { inspect: observer.inspect });
    const server = createHealthServer({ root, dashboard });
    const { url } = await server.listen();
    cleanups.push(() => stopSupervisor(root), () => server.close(), () => dashboard.close(), () => observer.unsubscribe());
    const { page, requests } = await open(`${url}/ui`);
    const badge = row(page, 'root/scheduler').locator('.substatus');
    await expect(badge.innerText()).resolves.toBe('standby · held by host-a · lease scheduler');
    await expect(row(page, 'root/scheduler').getAttribute('data-status')).resolves.toBe('running');
    await expect(row(page, 'root/api').locator('.substatus').count()).resolves.toBe(0);
    await row(page, 'root/scheduler').click();
    await expect(page.locator('[data-field="sub-status"]').innerText()).resolves.toBe('standby · held by host-a · lease scheduler');
    // Taking the lease is no supervisor fact: only the page's 2 s re-read of /ui/tree shows it.
    const treeReads = () => requests.filter((r) => r.endsWith('/ui/tree')).length;
    const readsBefore = treeReads();
    const changedAt = Date.now();
    ctx!.setSubStatus({ state: 'active', lease: 'scheduler', holder: 'host-b', epoch: 9, heldBy: 'host-b' });
    await row(page, 'root/scheduler').locator('.substatus[data-substate="active"]').waitFor({ timeout: 5_000 });
    expect(Date.now() - changedAt).toBeLessThan(5_000);
    await expect(badge.innerText()).resolves.toBe('active · fencing token 9 · lease scheduler');
    expect(treeReads()).toBeGreaterThan(readsBefore);
  });
});
