// A thread whose first incarnation blocks its event loop for good (a hung computation): no more
// heartbeats, so the parent terminate()s it with a `timeout` exit. The next incarnation is healthy.
import { threadChild } from '@trellis/process/thread';

const { handover, signal, ready } = threadChild();
const previous = handover.previousExit;
console.log(`  stuck  #${handover.incarnation} previous exit: ${previous?.reason ?? 'none'}${previous?.detail ? ` ${JSON.stringify(previous.detail)}` : ''}`);
ready(); // awaitReady: started once it has said who it is
if (handover.incarnation === 0) {
  setTimeout(() => {
    console.log('  stuck  #0 blocking its event loop');
    for (;;) {
      // spins until terminate()
    }
  }, 300);
} else {
  const timer = setInterval(() => {}, 1_000);
  signal.addEventListener('abort', () => clearInterval(timer));
}
