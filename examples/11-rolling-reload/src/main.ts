/**
 * Starts two HTTP server processes on one port, reloads them with a rolling restart (on SIGHUP,
 * or `--reloads N` times on its own), showing which incarnation answers, then stops.
 *
 *   npx --yes pnpm@10.34.9 --filter @trellis/example-rolling-reload start   # from the repo root
 *   npx tsx src/main.ts --reloads 2                                         # from this folder
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { rollingRestart, startSupervisor, stopSupervisor, type SupervisorRef } from '@trellis/core';
import { bindShared, buildTree } from './tree.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, reloads: { type: 'string', default: '2' } } });
const { handle, port } = bindShared('127.0.0.1', Number(values.port));
const root: SupervisorRef = await startSupervisor(buildTree(handle));
root.on('sup.child.replaced', (fact) => console.log(`[web] ${fact.child} #${fact.previousIncarnation} replaced by #${fact.incarnation}`));
console.log(`serving http://127.0.0.1:${port}/ from 2 processes`);

const ask = async (): Promise<string> => (await (await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } })).text()).trim();

async function reload(why: string): Promise<void> {
  console.log(`reload (${why}): rolling restart of web`);
  const report = await rollingRestart(root);
  console.log(`reload ${report.outcome}: replaced ${report.replaced.join(', ')}${report.reason === undefined ? '' : ` (${report.reason})`}`);
  console.log(`  now: ${await ask()}`);
}

console.log(`  now: ${await ask()}`);
const reloads = Number(values.reloads);
if (reloads > 0) {
  for (let i = 1; i <= reloads; i++) await reload(`${i} of ${reloads}`);
  console.log(`stopped: ${JSON.stringify(await stopSupervisor(root))}`);
  handle.close();
} else {
  // Serve until stopped; kill -HUP reloads.
  process.on('SIGHUP', () => void reload('SIGHUP'));
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      void stopSupervisor(root).then(() => handle.close());
    });
}
