/**
 * trellis's own live dashboard: a page at `/ui`, the tree as the page needs it at `/ui/tree`, the
 * tree's facts as Server-Sent Events at `/events`, and (only when asked for) token-guarded actions.
 * Served by {@link createHealthServer}; see decision 0013 for why the page is plain DOM.
 *
 * @module
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getChildSpec, restartBudgetUsage, restartChild, terminateChild, unknownKeyMessage, whichChildren, type ChildInfo, type Logger, type SupervisorFact, type SupervisorRef } from '@trellis/core';
import { observeTree, type FactHandler, type Unsubscribe } from '../observeTree.js';
import { toJSONValue, type JsonValue } from '../serialize.js';
import { rootIdOf } from '../treeModel.js';
import { FactLog, type LoggedFact } from './factLog.js';
import { dashboardPage } from './page.js';

/**
 * Options of {@link createDashboard}.
 *
 * @remarks
 * Read-only by default. `actions: true` enables terminate and restart buttons, each a POST that
 * must carry the dashboard's {@link Dashboard.token}. `replay` is how many facts `/events` keeps
 * for pages that reconnect or open late (default 1000); `outputLines` how many lines of a process
 * child's output {@link Dashboard.outputLogger} keeps per child (default 50).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createDashboard, type DashboardOptions } from '@trellis/observe';
 * const options: DashboardOptions = { actions: true, replay: 500 };
 * const dashboard = createDashboard(options);
 * assert.equal(typeof dashboard.token, 'string');
 * dashboard.close();
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface DashboardOptions {
  /** Enable the terminate/restart actions (token-guarded); default false. */
  readonly actions?: boolean;
  /** Facts kept for replay to late or reconnecting pages; default 1000. */
  readonly replay?: number;
  /** Output lines kept per process child; default 50. */
  readonly outputLines?: number;
  /** The token actions must carry; default 24 random bytes, hex. Only read when `actions` is true. */
  readonly token?: string;
}

/**
 * A live dashboard of one tree, served by {@link createHealthServer}'s `dashboard` option.
 *
 * @remarks
 * Feed it the tree's facts: pass `handle` to {@link createTreeObserver} (through {@link fanOut})
 * when you start the tree, which sees every fact from the first, or call `attach(root)` on a
 * running tree. `outputLogger` is a logger to give `fromProcess` children so the page can show
 * the last lines of their output. `token` is what actions need (`undefined` when they are off).
 * `close()` ends open event streams and the `attach` subscription.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { scriptedChild } from '@trellis/core/testing';
 * import { createDashboard, createHealthServer, type Dashboard } from '@trellis/observe';
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: scriptedChild() }] }));
 * const dashboard: Dashboard = createDashboard();
 * dashboard.attach(root);
 * const http = createHealthServer({ root, dashboard });
 * const { url } = await http.listen();
 * const view = (await (await fetch(`${url}/ui/tree`)).json()) as { tree: { children: Array<{ path: string }> } };
 * assert.equal(view.tree.children[0]?.path, 'root/db');
 * assert.match(await (await fetch(`${url}/ui`)).text(), /<title>trellis/);
 * await http.close();
 * dashboard.close();
 * await stopSupervisor(root);
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export interface Dashboard {
  /** A fact handler that records the tree's facts; give it to {@link createTreeObserver} or {@link observeTree}. */
  readonly handle: FactHandler;
  /** Subscribes to a running tree with {@link observeTree}; returns the unsubscribe. */
  attach(root: SupervisorRef): Unsubscribe;
  /** A logger for `fromProcess({ logger })`: keeps each child's last output lines, forwards to `base`. */
  outputLogger(base?: Logger): Logger;
  /** The token actions need, or `undefined` when actions are off. */
  readonly token: string | undefined;
  /** Answers a dashboard request (`/ui`, `/ui/tree`, `/events`, `/ui/actions/*`); false for any other path. */
  serve(root: SupervisorRef, req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Ends every open `/events` stream (a page reconnects with `Last-Event-ID`). */
  dropStreams(): void;
  /** Ends open streams and the `attach` subscription. */
  close(): void;
}

/** What the page gets for one node: the tree node plus what only the live actors know. */
interface DashboardNode {
  id: string;
  path: string;
  /** worker, supervisor or process (a `fromProcess` child, which has a pid). */
  kind: 'worker' | 'supervisor' | 'process';
  status: string;
  incarnation: number;
  restarts: number;
  resumeId: string;
  lastExit: JsonValue | null;
  /** The child's own word beyond its status (`ChildInfo.subStatus`), e.g. a singleton's standby. */
  subStatus?: JsonValue;
  pid?: number;
  startedAt?: number;
  /** While backing off: ms until the next attempt. */
  backoffLeftMs?: number;
  spec?: JsonValue;
  output?: readonly OutputLine[];
  /** Supervisors only. */
  phase?: string;
  strategy?: string;
  intensity?: number;
  periodMs?: number;
  restartsInWindow?: number;
  children?: DashboardNode[];
}

interface OutputLine {
  readonly at: number;
  readonly stream: string;
  readonly line: string;
}

const ACTIONS = ['terminate', 'restart'] as const;

/** The supervisor runtime's flags, read defensively: they are not a public API of core. */
function flagsOf(ref: SupervisorRef): { phase?: string; strategy?: string; intensity?: number; periodMs?: number } {
  const snapshot = ref.getSnapshot() as { value?: unknown; context?: { runtime?: { config?: { strategy?: unknown; intensity?: unknown; periodMs?: unknown } } } };
  const config = snapshot.context?.runtime?.config;
  const out: { phase?: string; strategy?: string; intensity?: number; periodMs?: number } = {};
  if (typeof snapshot.value === 'string') out.phase = snapshot.value;
  if (typeof config?.strategy === 'string') out.strategy = config.strategy;
  if (typeof config?.intensity === 'number') out.intensity = config.intensity;
  if (typeof config?.periodMs === 'number') out.periodMs = config.periodMs;
  return out;
}

function pidOf(info: ChildInfo): number | undefined {
  const snapshot = info.ref?.getSnapshot() as { pid?: unknown } | undefined;
  return typeof snapshot?.pid === 'number' ? snapshot.pid : undefined;
}

function hasPid(info: ChildInfo): boolean {
  const snapshot = info.ref?.getSnapshot() as object | undefined;
  return snapshot !== undefined && snapshot !== null && 'pid' in snapshot;
}

function specOf(ref: SupervisorRef, id: string): JsonValue | undefined {
  try {
    const { start: _logic, input: _input, ...spec } = getChildSpec(ref, id);
    return toJSONValue(spec);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error(`the body is over ${limit} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Creates a live dashboard for {@link createHealthServer}'s `dashboard` option.
 *
 * @remarks
 * - `GET /ui`: one self-contained page (no CDN, no request off the machine) that draws the tree,
 *   each supervisor's phase, strategy and restart budget, a restart timeline and a details panel;
 * - `GET /ui/tree`: what the page starts from: `{ lastFactId, now, actions, tree, timeline }`;
 * - `GET /events`: the facts as Server-Sent Events, `id:` being the fact's id. A request with
 *   `Last-Event-ID` (or `?after=ID`) first gets every fact after that id; when those facts are
 *   no longer in the replay buffer it gets an `event: reset` and should reload `/ui/tree`;
 * - `POST /ui/actions/terminate` and `/ui/actions/restart` with `{ "path": "root/db/pool" }` and
 *   header `x-trellis-token`: only with `actions: true` (else 404); a missing or wrong token is 403.
 *   `restart` terminates a running child, then restarts it (OTP's `restart_child` wants it stopped).
 *
 * @param options - actions, replay size, output lines and token.
 * @returns the dashboard; feed it facts (`handle` or `attach`) and pass it to the server.
 *
 * @example Actions need the token
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { scriptedChild } from '@trellis/core/testing';
 * import { createDashboard, createHealthServer } from '@trellis/observe';
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: scriptedChild() }] }));
 * const dashboard = createDashboard({ actions: true, token: 'secret-token' });
 * const http = createHealthServer({ root, dashboard });
 * const { url } = await http.listen();
 * const post = (token: string) => fetch(`${url}/ui/actions/terminate`, { method: 'POST', headers: { 'x-trellis-token': token }, body: JSON.stringify({ path: 'root/db' }) });
 * assert.equal((await post('wrong')).status, 403);
 * assert.equal((await post('secret-token')).status, 200);
 * await http.close();
 * await stopSupervisor(root);
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function createDashboard(options: DashboardOptions = {}): Dashboard {
  const known = ['actions', 'replay', 'outputLines', 'token'];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`createDashboard: ${unknownKeyMessage(key, 'dashboard options', known)}`);
  }
  const replay = options.replay ?? 1000;
  if (!Number.isInteger(replay) || replay < 1) throw new RangeError(`createDashboard: replay must be a positive integer, got ${String(replay)}`);
  const outputLines = options.outputLines ?? 50;
  if (!Number.isInteger(outputLines) || outputLines < 0) throw new RangeError(`createDashboard: outputLines must be an integer of at least 0, got ${String(outputLines)}`);
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length < 8)) {
    throw new RangeError(`createDashboard: token must be a string of at least 8 characters, got ${JSON.stringify(options.token)}`);
  }
  const token = options.actions === true ? (options.token ?? randomBytes(24).toString('hex')) : undefined;

  const log = new FactLog(replay);
  /** When each child path's running incarnation started (wall clock), as far as the facts tell. */
  const startedAt = new Map<string, number>();
  /** Restart decisions per supervisor path (wall clock), for the budget used in the window. */
  const restartTimes = new Map<string, number[]>();
  /** The last output lines per ResumeID. */
  const outputs = new Map<string, OutputLine[]>();
  const streams = new Set<ServerResponse>();
  let detach: Unsubscribe | undefined;

  const handle: FactHandler = (fact: SupervisorFact) => {
    const entry = log.append(fact);
    if (fact.type === 'sup.child.started') startedAt.set(`${fact.supervisor}/${fact.child}`, entry.at);
    if (fact.type === 'sup.child.exited') {
      startedAt.delete(`${fact.supervisor}/${fact.child}`);
      if (fact.decision === 'restart') {
        const times = restartTimes.get(fact.supervisor) ?? [];
        times.push(entry.at);
        if (times.length > 1000) times.shift();
        restartTimes.set(fact.supervisor, times);
      }
    }
  };

  const record = (bindings: Record<string, unknown>, fields: unknown, message: unknown): void => {
    const key = bindings.child;
    const stream = (fields as { stream?: unknown } | null)?.stream;
    if (outputLines === 0 || typeof key !== 'string' || (stream !== 'stdout' && stream !== 'stderr') || typeof message !== 'string') return;
    const lines = outputs.get(key) ?? [];
    lines.push({ at: Date.now(), stream, line: message });
    if (lines.length > outputLines) lines.shift();
    outputs.set(key, lines);
  };
  const tap = (base: Logger | undefined, bindings: Record<string, unknown>): Logger => {
    const level = (name: 'debug' | 'info' | 'warn' | 'error') =>
      ((fields: unknown, message?: unknown, ...rest: unknown[]) => {
        if (name === 'info' || name === 'warn') record(bindings, fields, message);
        (base?.[name] as ((...args: unknown[]) => void) | undefined)?.call(base, fields, message, ...rest);
      }) as Logger['info'];
    return {
      child: (more) => tap(base?.child(more), { ...bindings, ...more }),
      debug: level('debug'),
      info: level('info'),
      warn: level('warn'),
      error: level('error'),
      isLevelEnabled: (name) => name === 'info' || name === 'warn' || (base?.isLevelEnabled?.(name) ?? false),
    };
  };

  const budgetUsed = (ref: SupervisorRef, path: string, periodMs: number | undefined, now: number): number | undefined => {
    // The supervisor's own restart window when it can tell; else the restarts the facts showed.
    let usage: ReturnType<typeof restartBudgetUsage>;
    try {
      usage = restartBudgetUsage(ref);
    } catch {
      usage = undefined; // a supervisor that has just ended
    }
    if (usage !== undefined) return usage.used;
    if (periodMs === undefined) return undefined;
    return (restartTimes.get(path) ?? []).filter((at) => at > now - periodMs).length;
  };

  const view = (ref: SupervisorRef, path: string, now: number): Partial<DashboardNode> => {
    const flags = flagsOf(ref);
    const used = budgetUsed(ref, path, flags.periodMs, now);
    return { ...flags, ...(used === undefined ? {} : { restartsInWindow: used }), children: nodesOf(ref, path, now) };
  };

  const nodesOf = (ref: SupervisorRef, path: string, now: number): DashboardNode[] => {
    let infos: ChildInfo[];
    try {
      infos = whichChildren(ref);
    } catch {
      return [];
    }
    return infos.map((info) => {
      const childPath = `${path}/${info.id}`;
      const node: DashboardNode = {
        id: info.id,
        path: childPath,
        kind: info.type === 'supervisor' ? 'supervisor' : hasPid(info) ? 'process' : 'worker',
        status: info.status,
        incarnation: info.incarnation,
        restarts: info.restarts,
        resumeId: info.resumeId,
        lastExit: info.lastExit === null ? null : toJSONValue(info.lastExit),
      };
      if (info.subStatus !== undefined) node.subStatus = info.subStatus;
      const pid = pidOf(info);
      if (pid !== undefined) node.pid = pid;
      const started = startedAt.get(childPath);
      if (started !== undefined && info.status === 'running') node.startedAt = started;
      // nextRestartAt is on the tree's clock; the system clock (the default) is epoch ms.
      if (info.nextRestartAt !== undefined) node.backoffLeftMs = Math.max(0, info.nextRestartAt - now);
      const spec = specOf(ref, info.id);
      if (spec !== undefined) node.spec = spec;
      const output = outputs.get(info.resumeId);
      if (output !== undefined) node.output = output;
      if (info.type === 'supervisor') {
        // A child supervisor still starting its children shows those it has so far (decision 0007).
        const live = (info.status === 'running' || info.status === 'starting') && info.ref !== undefined;
        Object.assign(node, live ? view(info.ref as SupervisorRef, childPath, now) : { children: [] });
      }
      return node;
    });
  };

  const treeOf = (root: SupervisorRef): DashboardNode => {
    const path = rootIdOf(root);
    const snapshot = root.getSnapshot();
    const running = snapshot.status === 'active' && snapshot.value !== 'stopped';
    const now = Date.now();
    const status = !running ? 'stopped' : snapshot.value === 'starting' ? 'starting' : 'running';
    const node: DashboardNode = { id: path, path, kind: 'supervisor', status, incarnation: 0, restarts: 0, resumeId: path, lastExit: null };
    return running ? { ...node, ...view(root, path, now) } : { ...node, ...flagsOf(root), children: [] };
  };

  const findParent = (root: SupervisorRef, path: string): { ref: SupervisorRef; id: string } | undefined => {
    const parts = path.split('/');
    if (parts.length < 2 || parts[0] !== rootIdOf(root)) return undefined;
    let ref = root;
    for (const part of parts.slice(1, -1)) {
      let next: ChildInfo | undefined;
      try {
        next = whichChildren(ref).find((child) => child.id === part);
      } catch {
        return undefined;
      }
      if (next?.type !== 'supervisor' || next.ref === undefined) return undefined;
      ref = next.ref as SupervisorRef;
    }
    return { ref, id: parts.at(-1) as string };
  };

  const writeFact = (res: ServerResponse, entry: LoggedFact): void => {
    res.write(`id: ${entry.id}\nevent: fact\ndata: ${JSON.stringify({ at: entry.at, fact: entry.fact })}\n\n`);
  };

  const stream = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const header = req.headers['last-event-id'];
    const raw = typeof header === 'string' ? header : (url.searchParams.get('after') ?? undefined);
    const after = raw === undefined ? log.lastId : Number(raw);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const replayed = Number.isInteger(after) ? log.since(after) : { kind: 'reset' as const, lastId: log.lastId };
    if (replayed.kind === 'reset') {
      res.write(`retry: 1000\nid: ${replayed.lastId}\nevent: reset\ndata: ${JSON.stringify({ lastId: replayed.lastId })}\n\n`);
    } else {
      // An id with no data sets the browser's last event id without an event: a stream dropped
      // before any fact came still reconnects with Last-Event-ID instead of from nowhere.
      res.write(`retry: 1000\nid: ${after}\n\n`);
      for (const entry of replayed.facts) writeFact(res, entry);
    }
    const stop = log.listen((entry) => writeFact(res, entry));
    // A comment now and then keeps proxies and idle timeouts from closing a quiet stream.
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    ping.unref();
    streams.add(res);
    res.on('close', () => {
      stop();
      clearInterval(ping);
      streams.delete(res);
    });
  };

  const act = async (root: SupervisorRef, req: IncomingMessage, res: ServerResponse, action: string): Promise<void> => {
    if (token === undefined) {
      sendJson(res, 404, { error: 'actions_disabled', message: 'actions are off: start the dashboard with actions: true (trellis run --ui-actions)' });
      return;
    }
    const given = req.headers['x-trellis-token'];
    if (typeof given !== 'string' || !sameToken(given, token)) {
      sendJson(res, 403, { error: 'forbidden', message: 'the x-trellis-token header is missing or wrong' });
      return;
    }
    if (!(ACTIONS as readonly string[]).includes(action)) {
      sendJson(res, 404, { error: 'unknown_action', message: `action must be one of ${ACTIONS.join(', ')}, got '${action}'` });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req, 4096));
    } catch (error) {
      sendJson(res, 400, { error: 'bad_body', message: `the body must be JSON { "path": string }: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    const extra = body !== null && typeof body === 'object' ? Object.keys(body).filter((key) => key !== 'path') : [];
    const path = (body as { path?: unknown } | null)?.path;
    if (extra.length > 0 || typeof path !== 'string') {
      sendJson(res, 400, { error: 'bad_body', message: extra.length > 0 ? `unknown field '${extra[0]}' (only 'path')` : `path must be a child's path such as 'root/db', got ${JSON.stringify(path)}` });
      return;
    }
    const target = findParent(root, path);
    if (target === undefined) {
      sendJson(res, 404, { error: 'no_such_child', message: `no child at path '${path}'` });
      return;
    }
    let child: ChildInfo | undefined;
    try {
      child = whichChildren(target.ref).find((info) => info.id === target.id);
    } catch {
      child = undefined; // its supervisor ended meanwhile
    }
    if (child === undefined) {
      sendJson(res, 404, { error: 'no_such_child', message: `no child at path '${path}'` });
      return;
    }
    try {
      const running = child.status === 'running';
      if (action === 'terminate' || running) await terminateChild(target.ref, target.id);
      if (action === 'restart') await restartChild(target.ref, target.id);
      sendJson(res, 200, { ok: true, action, path });
    } catch (error) {
      sendJson(res, 409, { error: 'refused', message: error instanceof Error ? error.message : String(error) });
    }
  };

  return {
    handle,
    token,
    attach(root) {
      detach?.();
      detach = observeTree(root, handle);
      return detach;
    },
    outputLogger: (base) => tap(base, {}),
    async serve(root, req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      if (path.startsWith('/ui/actions/')) {
        if (req.method !== 'POST') {
          res.writeHead(405, { allow: 'POST' }).end();
          return true;
        }
        await act(root, req, res, path.slice('/ui/actions/'.length));
        return true;
      }
      if (path !== '/ui' && path !== '/ui/' && path !== '/ui/tree' && path !== '/events') return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return true;
      }
      if (path === '/events') stream(req, res, url);
      else if (path === '/ui/tree') sendJson(res, 200, { lastFactId: log.lastId, now: Date.now(), actions: token !== undefined, tree: treeOf(root), timeline: log.recent(200) });
      else {
        // Everything is inline and nothing may leave the machine: the policy makes that a rule.
        send(res, 200, 'text/html; charset=utf-8', dashboardPage, {
          'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'",
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
        });
      }
      return true;
    },
    dropStreams() {
      for (const res of streams) res.destroy();
      streams.clear();
    },
    close() {
      detach?.();
      detach = undefined;
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
