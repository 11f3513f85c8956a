// A CPU-bound thread: hashes in small slices (setImmediate between them), so its event loop keeps
// turning and threadChild()'s heartbeat keeps going. It stops when the supervisor asks.
// Plain JavaScript: on Node 20 a worker thread cannot load TypeScript through the parent's tsx.
import { createHash } from 'node:crypto';
import { threadChild } from '@trellis/process/thread';

const { handover, signal, ready } = threadChild();
console.log(`  hasher #${handover.incarnation} previous exit: ${handover.previousExit?.reason ?? 'none'}`);
ready(); // awaitReady: started once it has said who it is
let digest = 'seed';
let rounds = 0;
const slice = () => {
  if (signal.aborted) {
    console.log(`  hasher #${handover.incarnation} asked to stop after ${rounds} rounds, exiting`);
    return; // nothing left on the event loop: the thread exits 0, a clean shutdown
  }
  for (let i = 0; i < 2_000; i += 1) digest = createHash('sha256').update(digest).digest('hex');
  rounds += 1;
  setImmediate(slice);
};
slice();
