// @trellis/process no-orphans watchdog (see docs/decisions/0005-no-orphans-watchdog.md).
//
// One per supervising Node process. Its stdin is a pipe from that process; over it the parent
// registers ("+<pgid>\n") and unregisters ("-<pgid>\n") the process groups of its children.
// When the pipe closes - the parent exited, crashed, or was SIGKILLed - the watchdog SIGKILLs
// every group still registered and exits. It runs in its own process group and ignores
// SIGINT/SIGTERM/SIGHUP, so a Ctrl-C or a kill of the parent's group cannot take it down first.
// Plain JavaScript with no imports, so it starts as fast as Node can.
const groups = new Set();
let pending = '';
let done = false;

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});

function killAll() {
  if (done) return;
  done = true;
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // ESRCH: the group is already gone.
    }
  }
  process.exit(0);
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf('\n')) !== -1) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    const pgid = Number(line.slice(1));
    if (!Number.isSafeInteger(pgid) || pgid <= 1) continue;
    if (line[0] === '+') groups.add(pgid);
    else if (line[0] === '-') groups.delete(pgid);
  }
});
process.stdin.on('end', killAll);
process.stdin.on('close', killAll);
process.stdin.on('error', killAll);
