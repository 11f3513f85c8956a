// Reference points for the comparison table.
//  * stored: the p50s recorded in /work/shared/node-floors/RESULTS.md (2 passes; the middle of
//    the range) and /work/shared/otp-bench/RESULTS.md ("OTP re-check on this machine": OTP 25 on
//    the AMD host, median of three p50s), all in nanoseconds.
//  * fresh: the floor scripts of bench/node-floors (a copy of the project's node-floors anchor;
//    xstate resolves from this package) run in this session, and their p50/p99 are parsed, so
//    ratios compare like with like. `--floors=<dir>` runs another copy instead.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dur } from './lib.mjs';

/** The copy of the node-floors scripts that `pnpm bench` runs (CI clones only this repository). */
export const FLOORS_DIR = fileURLToPath(new URL('./node-floors', import.meta.url));

const US = 1e3;
const MS = 1e6;

/** key -> { label, p50 (ns), range (text), source } */
export const stored = {
  X4: { label: 'X4 naive XState fromCallback restart', p50: 9.25 * US, range: '9.1–9.4 µs' },
  X10: { label: 'X10 naive XState fromPromise restart', p50: 7.85 * US, range: '7.8–7.9 µs' },
  X4a: { label: 'X4a naive XState: crash -> parent error handler', p50: 4.9 * US, range: '4.9 µs' },
  X4b: { label: 'X4b naive XState: parent action -> new child', p50: 4.1 * US, range: '4.0–4.2 µs' },
  R2: { label: 'R2 no-library async fn restart', p50: 1.41 * US, range: '1.40–1.42 µs' },
  S1: { label: 'S1 naive XState, 1 child', p50: 11.15 * US, range: '9.8–12.5 µs' },
  S4: { label: 'S4 naive XState among 10k', p50: 2.53 * MS, range: '2.42–2.64 ms' },
  O1: { label: 'O1 naive XState one_for_all 100', p50: 1.72 * MS, range: '1.70–1.74 ms' },
  O2: { label: 'O2 plain objects one_for_all 100', p50: 4.78 * US, range: '4.76–4.79 µs' },
  M4: { label: 'M4 XState fromPromise pending, B/child', value: 2504 },
  M5: { label: 'M5 no library, B/child', value: 860 },
  OTP1a: { label: 'OTP 1a one_for_one restart', p50: 2.9 * US, range: '2.9 µs' },
  OTP2: { label: 'OTP 2 one_for_all 100', p50: 456 * US, range: '451–465 µs' },
  OTP4aStart: { label: 'OTP 4a tree start', p50: 3.56 * MS, range: '2.79–3.70 ms' },
  OTP4aStop: { label: 'OTP 4a tree stop', p50: 2.84 * MS, range: '2.83–2.87 ms' },
  OTP3aStart: { label: 'OTP 3a 100k start_child', value: 0.49e9 },
  OTP3aMem: { label: 'OTP 3a B/child', value: 2990 },
  OTP3aStop: { label: 'OTP 3a 100k shutdown', value: 1.26e9 },
};

/** DESIGN.md §6 targets. */
export const targets = {
  restartP50: 6 * US, // one_for_one restart of one in-process child, p50
  siblingsFactor: 2, // among 10,000 siblings: <= 2x the one-child figure
  oneForAllP50: 456 * US, // one_for_all over 100 children, p50
  treeStart: 3 * 3.6 * MS, // <= 3x OTP 3.6 ms
  treeStop: 3 * 2.8 * MS, // <= 3x OTP 2.8 ms
  memStart: 0.5e9, // 100k children: start <= 0.5 s
  memHeap: 2500, // <= 2.5 KB heap per child
  memStop: 1.3e9, // full shutdown <= 1.3 s
};

const UNIT = { ns: 1, us: 1e3, ms: 1e6 };

/** Parses node-floors/lib.mjs report lines: `<name> <label> (<unit>) n=… min=… p50=… p90=… p99=… p999=… max=…`. */
function parse(text) {
  const out = {};
  for (const l of text.split('\n')) {
    const m = /^(\S+)\s.*\((ns|us|ms)\) n=(\d+) min=(\S+) p50=(\S+) p90=(\S+) p99=(\S+) p999=(\S+) max=(\S+)/.exec(l);
    if (!m) continue;
    const u = UNIT[m[2]];
    out[m[1]] = { n: Number(m[3]), p50: Number(m[5]) * u, p99: Number(m[7]) * u, max: Number(m[9]) * u };
  }
  return out;
}

/**
 * Runs the floor scripts in `dir` (a copy of node-floors with node_modules) and returns
 * key -> { p50, p99, max, script } for X4, X4a, X4b, X10, R2, S1, S4, O1, O2.
 */
export function runFresh(dir, { quick, smoke = false }) {
  try {
    createRequire(path.join(dir, 'floors.mjs')).resolve('xstate');
  } catch {
    throw new Error(`${dir}: xstate does not resolve there (run npm ci in a copy of node-floors, or use the default bench/node-floors)`);
  }
  // smoke: tiny counts, only that every script still runs and prints the rows read here.
  const n = smoke ? ['--n=50', '--warmup=5'] : quick ? ['--n=2000', '--warmup=200'] : [];
  const jobs = [
    ['xstate-restart.mjs', n, { X4: 'child_callback_spawnChild', X10: 'child_promise_spawnChild', X4a: 'child_callback_spawnChild_breakdown.1', X4b: 'child_callback_spawnChild_breakdown.2' }],
    ['raw-restart.mjs', n, { R2: 'raw_async_fn' }],
    ['one-for-all.mjs', smoke ? ['--n=20', '--warmup=2'] : quick ? ['--n=500', '--warmup=50'] : [], { O1: 'xstate_one_for_all_100', O2: 'raw_one_for_all_100' }],
    ['xstate-siblings.mjs', [smoke ? '--sizes=1,100' : '--sizes=1,10000', '--stopmax=0'], smoke ? { S1: 'siblings_1_restart', S4: 'siblings_100_restart' } : { S1: 'siblings_1_restart', S4: 'siblings_10000_restart' }],
  ];
  const fresh = {};
  const raw = [];
  for (const [script, args, keys] of jobs) {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [script, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
    raw.push(`# ${script} ${args.join(' ')} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    const rows = parse(r.stdout);
    for (const [key, row] of Object.entries(keys)) {
      if (!rows[row]) throw new Error(`${script}: no row ${row} in its output`);
      fresh[key] = { ...rows[row], script: `${script}:${row}` };
      raw.push(`#   ${key.padEnd(4)} ${row.padEnd(38)} n=${String(rows[row].n).padEnd(6)} p50=${dur(rows[row].p50).padEnd(9)} p99=${dur(rows[row].p99).padEnd(9)} max=${dur(rows[row].max)}`);
    }
  }
  return { fresh, raw };
}
