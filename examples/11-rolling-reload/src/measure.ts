/**
 * The rolling-restart gap, measured: a bounded loopback load on the example server while it is
 * reloaded. 16 clients each send one request per new connection (no keep-alive), back to back,
 * while the two server processes are replaced by `rollingRestart`, 10 times; the load stops when
 * the last reload has finished. Prints requests answered, refused (ECONNREFUSED), cut (reset or
 * closed without an answer) and the slowest answer. Target: 0 refused, 0 cut.
 *
 *   npx --yes pnpm@10.34.9 --filter @trellis/example-rolling-reload measure
 *   npx tsx src/measure.ts --reloads 10 --clients 16                     # from this folder
 *
 * @module
 */
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { rollingRestart, startSupervisor, stopSupervisor } from '@trellis/core';
import { bindShared, buildTree } from './tree.js';

const { values } = parseArgs({ options: { reloads: { type: 'string', default: '10' }, clients: { type: 'string', default: '16' }, size: { type: 'string', default: '2' } } });
const reloads = Number(values.reloads);
const clients = Number(values.clients);
const size = Number(values.size);

const { handle, port } = bindShared('127.0.0.1', 0);
const root = await startSupervisor(buildTree(handle, size));

const counts = { answered: 0, refused: 0, cut: 0, other: 0 };
const errors = new Map<string, number>();
let slowestMs = 0;

/** One request on a new connection, 5 s at most. */
function once(): Promise<void> {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'close' }, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) counts.answered++;
        else counts.other++;
        slowestMs = Math.max(slowestMs, performance.now() - started);
        resolve();
      });
      res.on('error', () => {
        counts.cut++;
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      errors.set(code, (errors.get(code) ?? 0) + 1);
      if (code === 'ECONNREFUSED') counts.refused++;
      else counts.cut++;
      resolve();
    });
    req.end();
  });
}

let loading = true;
const load = Array.from({ length: clients }, async () => {
  while (loading) await once();
});

const started = performance.now();
let completed = 0;
for (let i = 0; i < reloads; i++) {
  const report = await rollingRestart(root);
  if (report.outcome === 'completed') completed++;
  else console.log(`reload ${i + 1} aborted: ${report.reason}`);
}
loading = false;
await Promise.all(load);
const seconds = (performance.now() - started) / 1000;
await stopSupervisor(root);
handle.close();

console.log(`${reloads} reloads of ${size} processes (${completed} completed) in ${seconds.toFixed(1)} s under ${clients} clients, a new connection per request`);
console.log(`answered ${counts.answered}, refused ${counts.refused}, cut ${counts.cut}, other status ${counts.other}; slowest ${slowestMs.toFixed(1)} ms`);
if (errors.size > 0) console.log(`errors: ${JSON.stringify(Object.fromEntries(errors))}`);
process.exitCode = counts.refused + counts.cut + counts.other === 0 && completed === reloads ? 0 : 1;
