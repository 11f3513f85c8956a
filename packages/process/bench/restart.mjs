// @trellis/process restart benchmark: SIGKILL a supervised process child -> the supervisor sees
// the exit -> restarts the child -> the new process's first stdout line reaches the logger.
// Beside it, in the same run, the no-library floor of node-floors/os-restart.mjs (F1, F2):
// raw child_process.spawn from the 'exit' handler.
//
//   pnpm --filter @trellis/process bench            (builds first)
//   node bench/restart.mjs [--modes=sh,node] [--n-sh=1000] [--n-node=300]
//
// Children: sh   = /bin/sh -c 'echo up; exec sleep 100000'
//           node = node -e '<stamp hrtime; print it; keep the loop alive>'
// Intervals (CLOCK_MONOTONIC via process.hrtime.bigint(), nearest-rank percentiles):
//   kill->line     kill -> the new child's first line received (F1 for sh, F2a for node)
//   kill->stmt     node only: kill -> the new child's first statement (its own stamp; F2)
//   exit->line     the old child's exit seen -> the new child's first line
import { spawn } from 'node:child_process';
import { defineSupervisor, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
import { fromProcess } from '../dist/index.js';

const arg = (name, fallback) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : found.slice(name.length + 3);
};
const MODES = arg('modes', 'sh,node').split(',');
const COUNTS = { sh: Number(arg('n-sh', 1000)), node: Number(arg('n-node', 300)) };
const WARM = { sh: 50, node: 20 };
const now = process.hrtime.bigint;

const NODE_CHILD = "const t=process.hrtime.bigint();process.stdout.write('up '+t+' '+process.pid+'\\n');setInterval(()=>{},1e9)";
const CMDS = { sh: ['/bin/sh', ['-c', 'echo up; exec sleep 100000']], node: [process.execPath, ['-e', NODE_CHILD]] };

function stats(samples) {
  const s = Float64Array.from(samples).sort();
  const rank = (p) => s[Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length))) - 1];
  return { n: s.length, min: s[0], p50: rank(50), p90: rank(90), p99: rank(99), max: s[s.length - 1] };
}
function show(name, samples) {
  const st = stats(samples);
  const ms = (v) => (v / 1e6).toFixed(v >= 1e7 ? 1 : 2);
  console.log(`${name.padEnd(34)} n=${st.n} min=${ms(st.min)} p50=${ms(st.p50)} p90=${ms(st.p90)} p99=${ms(st.p99)} max=${ms(st.max)} (ms)`);
}

/** The floor: raw spawn from the exit handler, as node-floors/os-restart.mjs. */
async function floor(mode) {
  const [cmd, args] = CMDS[mode];
  const start = () => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = new Promise((resolve) => {
      let buf = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', function onData(chunk) {
        buf += chunk;
        const nl = buf.indexOf('\n');
        if (nl >= 0) {
          child.stdout.off('data', onData);
          child.stdout.resume();
          resolve({ t: now(), line: buf.slice(0, nl) });
        }
      });
    });
    return { child, line };
  };
  const n = COUNTS[mode];
  const killToLine = [];
  const killToStmt = [];
  let cur = start();
  await cur.line;
  for (let i = 0; i < WARM[mode] + n; i++) {
    let next;
    const restarted = new Promise((resolve) => cur.child.once('exit', () => resolve((next = start()))));
    const t0 = now();
    cur.child.kill('SIGKILL');
    await restarted;
    const { t, line } = await next.line;
    if (i >= WARM[mode]) {
      killToLine.push(Number(t - t0));
      if (mode === 'node') killToStmt.push(Number(BigInt(line.split(' ')[1]) - t0));
    }
    cur = next;
  }
  cur.child.kill('SIGKILL');
  show(`floor ${mode} kill->line`, killToLine);
  if (mode === 'node') show(`floor ${mode} kill->stmt`, killToStmt);
}

/** The same through a supervisor and fromProcess. */
async function trellis(mode) {
  const [command, args] = CMDS[mode];
  let onLine;
  let onExit;
  const logger = {
    child() {
      return logger;
    },
    info(fields, msg) {
      if (fields.stream === 'stdout' && onLine) onLine(msg);
      else if (fields.event === 'process.exited' && onExit) onExit();
    },
    warn() {},
    error() {},
    debug() {},
  };
  const sup = await startSupervisor(
    defineSupervisor({
      id: 'bench',
      intensity: 1_000_000,
      periodMs: 1_000,
      children: [{ id: 'kid', start: fromProcess({ command, args, logger, readiness: { kind: 'line', pattern: 'up' } }) }],
    }),
  );
  const n = COUNTS[mode];
  const killToLine = [];
  const killToStmt = [];
  const exitToLine = [];
  for (let i = 0; i < WARM[mode] + n; i++) {
    const pid = whichChildren(sup)[0].ref.getSnapshot().pid;
    let tExit;
    const got = new Promise((resolve) => {
      onExit = () => (tExit = now());
      onLine = (line) => resolve({ t: now(), line });
    });
    const t0 = now();
    process.kill(pid, 'SIGKILL');
    const { t, line } = await got;
    onLine = undefined;
    if (i >= WARM[mode]) {
      killToLine.push(Number(t - t0));
      exitToLine.push(Number(t - tExit));
      if (mode === 'node') killToStmt.push(Number(BigInt(line.split(' ')[1]) - t0));
    }
    // wait until the supervisor has seen it ready, so the next kill hits a started child
    while (whichChildren(sup)[0].ref?.getSnapshot().ready !== true) await new Promise((r) => setImmediate(r));
  }
  await stopSupervisor(sup);
  show(`trellis ${mode} kill->line`, killToLine);
  if (mode === 'node') show(`trellis ${mode} kill->stmt`, killToStmt);
  show(`trellis ${mode} exit->line`, exitToLine);
}

console.log(`# @trellis/process restart bench, node ${process.version}, ${new Date().toISOString()}`);
console.log('# anchors (node-floors/RESULTS.md): F1 sh kill->line 1.29-1.30 ms; F2 node kill->stmt 43.5-45.9 ms; F2a node kill->line 45.6-48.2 ms');
for (const mode of MODES) {
  await floor(mode);
  await trellis(mode);
}
