// ProcessHandle.sendToChild: a listening server passed to a process child over IPC, which then
// accepts on the parent's port (real processes, real sockets on 127.0.0.1, bounded).
import { connect, createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createNodeSpawner, type ProcessHandle } from '../src/index.js';

const spawner = createNodeSpawner({ watchdog: false });

// The child takes the server it is sent, answers each connection with its pid, and says so.
const CHILD = `
process.on('message', (message, server) => {
  if (message?.type !== 'listen' || server === undefined) return;
  server.on('connection', (socket) => socket.end('served by ' + process.pid));
  process.send({ type: 'listening' });
});
process.on('disconnect', () => process.exit(0));
`;

function read(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer in 5 s')));
  });
}

describe('sendToChild', () => {
  it('passes a listening server to the child, which then serves the parent\'s port', async () => {
    const server: Server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const handle: ProcessHandle = spawner.spawn(process.execPath, ['-e', CHILD], { env: { PATH: process.env.PATH ?? '' }, ipc: true });
    const exited = new Promise((resolve) => handle.onExit(resolve));
    try {
      const listening = new Promise((resolve) => handle.onMessage((m) => (m as { type?: string }).type === 'listening' && resolve(m)));
      await new Promise<void>((resolve) => handle.onSpawn(resolve));
      await handle.sendToChild?.({ type: 'listen' }, server);
      await listening;
      // The parent stops accepting; the port stays open in the child, which now answers alone.
      server.close();
      expect(await read(port)).toBe(`served by ${String(handle.pid)}`);
      expect(await read(port)).toBe(`served by ${String(handle.pid)}`);
    } finally {
      handle.kill('SIGKILL', true);
      await exited;
    }
  });

  it('rejects, naming the reason, for a process spawned without IPC', async () => {
    const handle = spawner.spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10_000)'], { env: { PATH: process.env.PATH ?? '' }, ipc: false });
    const exited = new Promise((resolve) => handle.onExit(resolve));
    try {
      await expect(handle.sendToChild?.({ type: 'listen' })).rejects.toThrow(/no IPC channel to send on \(spawn it with ipc: true/);
    } finally {
      handle.kill('SIGKILL', true);
      await exited;
    }
  });
});
