/**
 * The tree: a pool of HTTP server processes (`src/server.mjs`) on one port. The parent holds the
 * listening socket and hands it to each incarnation over IPC, so old and new incarnations accept
 * on the same port during a rolling restart.
 *
 * @module
 */
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { defineSupervisor, poolSpecs, type SupervisorLogic } from '@trellis/core';
import { fromProcess, nodeSpawner, type ProcessSpawner } from '@trellis/process';

const serverScript = fileURLToPath(new URL('./server.mjs', import.meta.url));

/** A bound TCP handle, as libuv has it: what node:cluster's primary shares with its workers. */
export interface ListeningHandle {
  getsockname(out: { port?: number; address?: string }): number;
  close(): void;
}

/**
 * Binds `host:port` (0 picks a free port) without accepting on it: each server incarnation calls
 * listen() on its copy and accepts there.
 *
 * `net._createServerHandle` is an undocumented Node internal: it is what node:cluster's primary
 * uses to make the one handle its workers share (lib/internal/cluster/shared_handle.js). A public
 * `net.Server` in the parent would accept connections itself; the raw handle does not.
 */
export function bindShared(host: string, port: number): { handle: ListeningHandle; port: number } {
  const create = (net as unknown as { _createServerHandle(address: string, port: number, addressType: number): ListeningHandle | number })._createServerHandle;
  const handle = create(host, port, net.isIPv6(host) ? 6 : 4);
  if (typeof handle === 'number') throw new Error(`cannot bind ${host}:${port} (libuv error ${handle})`);
  const out: { port?: number } = {};
  handle.getsockname(out);
  return { handle, port: out.port as number };
}

/** The default spawner, plus: when a child says hello, it is sent the listening handle. */
function sharing(handle: ListeningHandle): ProcessSpawner {
  return {
    spawn(command, args, options) {
      const child = nodeSpawner.spawn(command, args, options);
      child.onMessage((message) => {
        if ((message as { type?: unknown }).type !== 'hello') return;
        child.sendToChild?.({ type: 'listen' }, handle).catch(() => {}); // gone already: its exit is reported
      });
      return child;
    },
  };
}

/** `size` server processes sharing `handle`, each ready once it listens, drained on stop. */
export function buildTree(handle: ListeningHandle, size = 2): SupervisorLogic {
  const server = fromProcess({ command: process.execPath, args: [serverScript], readiness: { kind: 'ipc', readyTimeoutMs: 10_000 }, spawner: sharing(handle) });
  return defineSupervisor({ id: 'web', children: poolSpecs({ id: 'http', start: server, shutdown: 5_000 }, size) });
}
