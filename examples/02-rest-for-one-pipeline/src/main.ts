/**
 * Runs the pipeline until the source has made 24 items (about half a second of real time, with
 * three planned crashes on the way), prints what the supervisor did about each crash, stops the
 * tree in order and exits 0.
 *
 *   npx --yes pnpm@10.34.9 --filter @trellis/example-rest-for-one-pipeline start   # repo root
 *   npx tsx src/main.ts --items 40                                                # this folder
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startSupervisor, stopSupervisor } from '@trellis/core';
import { buildPipeline } from './pipeline.js';
import { watchPipeline } from './watch.js';

const { values } = parseArgs({ options: { items: { type: 'string', default: '24' } } });
const items = Number(values.items);
const deadline = Date.now() + 10_000; // a bound, whatever happens

console.log('starting pipeline (rest_for_one): source -> parser -> sink');
const pipeline = buildPipeline();
const sup = await startSupervisor(pipeline.logic);
const episodes = watchPipeline(sup, (line) => console.log(line));

while (pipeline.produced() < items && Date.now() < deadline && sup.getSnapshot().status === 'active') await sleep(10);

const result = await stopSupervisor(sup);
const delivered = pipeline.delivered.map((item) => item.n);
const lost = [];
for (let n = 1; n <= pipeline.produced(); n++) if (!delivered.includes(n)) lost.push(n);

console.log(`\nsummary: ${pipeline.produced()} items made, ${delivered.length} delivered, lost in crashes: ${lost.join(', ') || 'none'}`);
for (const episode of episodes) console.log(`  ${episode.crashed} crashed -> restarted ${episode.restarted.join(', ')}`);
console.log(`pipeline stopped: ${JSON.stringify(result)}`);
process.exitCode = result.reason === 'normal' && pipeline.produced() >= items ? 0 : 1;
