// One HTTP server incarnation, run as a process child. It does not bind a port: it asks its
// parent for the listening socket over IPC, serves on it, and says "ready". Several incarnations
// accept on that one socket at once, so a replacement serves before the old one stops.
// On SIGTERM it drains: it stops accepting (the others still do), finishes the requests it has,
// and exits 0.
import { createServer } from 'node:http';

const incarnation = process.env.TRELLIS_INCARNATION ?? '?';
const server = createServer((request, response) => {
  response.setHeader('content-type', 'text/plain');
  response.end(`served by pid ${process.pid}, incarnation ${incarnation}\n`);
});

process.on('message', (message, handle) => {
  if (message?.type !== 'listen' || handle === undefined) return;
  server.listen(handle, () => process.send?.({ type: 'ready' }));
});
// Asked once the listener above is in place: a message sent before it would be lost.
process.send?.({ type: 'hello' });

process.on('SIGTERM', () => {
  server.close(() => process.exit(0)); // stops accepting; closes once the last request is answered
  server.closeIdleConnections();
  process.disconnect?.();
});
