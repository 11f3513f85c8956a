// An OS process whose first incarnation keeps allocating (32 MB of touched memory every 20 ms):
// its memoryLimit stops it, and the next incarnation reads why from its handover.
import { handoverFromEnv } from '@trellis/core/env';

const { incarnation, previousExit } = handoverFromEnv(process.env);
const detail = previousExit?.detail;
const figure = detail?.limit === 'memory' ? ` (rss ${Math.round(detail.rssBytes / 2 ** 20)} MB over ${detail.maxRssMb} MB, ${detail.samplesOver} readings)` : '';
console.log(`  hog    #${incarnation} previous exit: ${previousExit?.reason ?? 'none'}${figure}`);
const keep = [];
setInterval(() => {
  if (incarnation === 0 && keep.length < 10) keep.push(Buffer.alloc(32 * 2 ** 20, 1));
}, 20);
process.on('SIGTERM', () => process.exit(0));
