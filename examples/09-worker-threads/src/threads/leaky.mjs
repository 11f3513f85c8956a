// A thread whose first incarnation leaks until it hits its resourceLimits heap: Node ends it with
// ERR_WORKER_OUT_OF_MEMORY, which trellis reports as `killed` with the limit in the detail.
import { threadChild } from '@trellis/process/thread';

const { handover, signal, ready } = threadChild();
const previous = handover.previousExit;
const limit = previous?.detail?.limit === 'memory' ? ` (limit: ${JSON.stringify(previous.detail.resourceLimits)})` : '';
console.log(`  leaky  #${handover.incarnation} previous exit: ${previous?.reason ?? 'none'}${limit}`);
ready(); // awaitReady: started once it has said who it is
if (handover.incarnation === 0) {
  const hoard = [];
  const grow = () => {
    for (let i = 0; i < 200; i += 1) hoard.push(new Array(10_000).fill(i + hoard.length));
    setImmediate(grow);
  };
  grow();
} else {
  const timer = setInterval(() => {}, 1_000);
  signal.addEventListener('abort', () => clearInterval(timer));
}
