/**
 * The operations endpoints of a tree over `node:http`: `/healthz`, `/readyz`, `/metrics` and
 * `/tree`, and the live dashboard (`/ui`, `/events`) when given one, bound to 127.0.0.1 unless
 * told otherwise.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SupervisorRef } from '@trellis/core';
import type { Dashboard } from './dashboard/createDashboard.js';
import type { TrellisMetrics } from './metrics.js';
import { notRunning, tree } from './treeModel.js';

/**
 * Options of {@link createHealthServer}.
 *
 * @remarks
 * Only `root` is required. `host` defaults to `'127.0.0.1'` (loopback only) and `port` to 0, any
 * free port, read from the result of {@link HealthServer.listen}; without `metrics`, `/metrics`
 * answers 404.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { createHealthServer, type HealthServerOptions } from '@trellis/observe';
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * const options: HealthServerOptions = { root, host: '127.0.0.1', port: 0 };
 * const http = createHealthServer(options);
 * const { port } = await http.listen();
 * assert.ok(port > 0);
 * await http.close();
 * await stopSupervisor(root);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface HealthServerOptions {
  /** The tree to report on. */
  readonly root: SupervisorRef;
  /** Metrics to serve at `/metrics`; without them `/metrics` is 404. */
  readonly metrics?: Pick<TrellisMetrics, 'registry'>;
  /** The address to bind; default `'127.0.0.1'` (loopback only). */
  readonly host?: string;
  /** The port; default 0 (any free port; read it from {@link HealthServer.listen}'s result). */
  readonly port?: number;
  /** A live dashboard ({@link createDashboard}) to serve at `/ui`, `/ui/tree` and `/events`; default none. */
  readonly dashboard?: Dashboard;
}

/**
 * Where a {@link HealthServer} listens.
 *
 * @remarks
 * With `port: 0` the operating system picks the port: this is where to read it. `url` has no
 * trailing slash, so endpoints are `${url}/healthz` and so on.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { BoundAddress } from '@trellis/observe';
 * const address: BoundAddress = { host: '127.0.0.1', port: 9464, url: 'http://127.0.0.1:9464' };
 * assert.equal(`${address.url}/healthz`, 'http://127.0.0.1:9464/healthz');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface BoundAddress {
  /** The bound address. */
  readonly host: string;
  /** The bound port. */
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
}

/**
 * The HTTP endpoints of a tree; not listening until {@link HealthServer.listen}.
 *
 * @remarks
 * `listen()` binds and resolves with the {@link BoundAddress}; `close()` stops listening and closes
 * open connections, so a test or a shutdown does not wait for keep-alive sockets. `server` is the
 * underlying `node:http` server, for callers that need its events.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { createHealthServer, type HealthServer } from '@trellis/observe';
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * const http: HealthServer = createHealthServer({ root });
 * const { url } = await http.listen();
 * assert.equal((await fetch(`${url}/healthz`)).status, 200);
 * await http.close();
 * await stopSupervisor(root);
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export interface HealthServer {
  /** The underlying `node:http` server. */
  readonly server: Server;
  /** Starts listening; resolves with the bound address. */
  listen(): Promise<BoundAddress>;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, head: boolean): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(head ? undefined : text);
}

/**
 * Creates the HTTP endpoints of a tree.
 *
 * @remarks
 * - `GET /healthz`: 200 `{ "status": "ok" }` while the process serves requests (liveness);
 * - `GET /readyz`: 200 `{ "status": "ready" }` when the root and every child in the tree are
 *   running and ready, else 503 `{ "status": "not_ready", "notRunning": [paths] }`, for example
 *   while a restarted child has not yet said it is ready (readiness);
 * - `GET /metrics`: the registry in Prometheus text format;
 * - `GET /tree`: the live tree as JSON ({@link tree});
 * - with `dashboard`: `GET /ui` (the page), `GET /ui/tree`, `GET /events` and the actions
 *   ({@link createDashboard}).
 *
 * Anything else is 404; methods other than GET and HEAD are 405. It binds 127.0.0.1 by
 * default: expose it on purpose (`host: '0.0.0.0'`), for example for Kubernetes probes.
 *
 * @param options - the tree, metrics, host and port.
 * @returns the server, not yet listening; its `listen()` rejects with the `node:net` error (such as `EADDRINUSE`) when it cannot bind.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { createHealthServer, createMetrics } from '@trellis/observe';
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * const metrics = createMetrics();
 * const http = createHealthServer({ root, metrics });
 * const { url } = await http.listen();
 * assert.equal((await fetch(`${url}/readyz`)).status, 200);
 * await http.close();
 * await stopSupervisor(root);
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function createHealthServer(options: HealthServerOptions): HealthServer {
  const { root, metrics, dashboard } = options;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (dashboard !== undefined && (await dashboard.serve(root, req, res))) return;
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    switch (path) {
      case '/healthz':
        sendJson(res, 200, { status: 'ok' }, head);
        return;
      case '/readyz': {
        const pending = notRunning(tree(root));
        if (pending.length === 0) sendJson(res, 200, { status: 'ready' }, head);
        else sendJson(res, 503, { status: 'not_ready', notRunning: pending }, head);
        return;
      }
      case '/tree':
        sendJson(res, 200, tree(root), head);
        return;
      case '/metrics': {
        if (metrics === undefined) break;
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType, 'content-length': Buffer.byteLength(text) });
        res.end(head ? undefined : text);
        return;
      }
    }
    const endpoints = ['/healthz', '/readyz', '/metrics', '/tree', ...(dashboard === undefined ? [] : ['/ui', '/ui/tree', '/events'])];
    sendJson(res, 404, { error: 'not_found', endpoints }, head);
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal', message: error instanceof Error ? error.message : String(error) }, false);
      else res.destroy();
    });
  });

  return {
    server,
    listen() {
      return new Promise<BoundAddress>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve({ host: address.address, port: address.port, url: `http://${shown}:${address.port}` });
        });
      });
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
