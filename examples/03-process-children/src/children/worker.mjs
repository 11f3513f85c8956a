// A Node child process: reads its handover from TRELLIS_* (through @trellis/core/env, which
// loads without XState), prints it, crashes on its first incarnation and then runs until asked
// to stop (SIGTERM), when it exits 0.
import { handoverFromEnv } from '@trellis/core/env';

const handover = handoverFromEnv(process.env);
const prev = handover?.previousExit;
// A crash carries its exit code in `detail.code` (the serialised error); other exits in `code`.
const code = prev?.code ?? prev?.detail?.code ?? '-';
console.log(
  `node   #${handover?.incarnation ?? '?'} resumeId=${handover?.resumeId ?? '?'} previous exit: ${prev ? `${prev.reason} (code ${code}, signal ${prev.signal ?? '-'})` : 'none'}`,
);
process.on('SIGTERM', () => {
  console.log(`node   #${handover?.incarnation ?? '?'} got SIGTERM, exiting`);
  process.exit(0);
});
if (handover?.incarnation === 0) setTimeout(() => process.exit(1), 300);
setInterval(() => {}, 1 << 30);
