/**
 * Run: `npx --yes pnpm@10.34.9 --filter @trellis/example-pool-with-backoff start`.
 * Three consumers; the upstream fails for a while (restarts back off: watch the delays grow);
 * it recovers; the pool grows to 5 and shrinks to 2 while running.
 */
import { resizePool, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
import { buildPool, upstream } from './pool.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string) => console.log(line);
const { logic, spec } = buildPool(log);
const sup = await startSupervisor(logic);
sup.on('sup.child.restarting', (fact) => console.log(`  ${fact.child}: next attempt in ${fact.delayMs} ms`));

console.log('-- upstream down for 1 s');
upstream.healthy = false;
await sleep(1_000);
upstream.healthy = true;
console.log('-- upstream back');
await sleep(2_500);
console.log(`-- resize to 5: ${await resizePool(sup, spec, 5)} members`);
console.log(`-- resize to 2: ${await resizePool(sup, spec, 2)} members`);
console.log(`   ${whichChildren(sup).map((c) => `${c.id}(${c.status}, incarnation ${c.incarnation})`).join(' ')}`);
console.log(`-- stopped: ${JSON.stringify(await stopSupervisor(sup))}`);
