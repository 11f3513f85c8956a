// OTP's supervisor benchmark (bench/otp/otp_sup_bench.erl, a copy of the project's otp-bench
// anchor) run in this session, so every ratio compares figures from the same machine and load.
// Absolute figures move a lot between sessions on a shared host; ratios measured side by side
// do not (issue 20).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBinary, systemBinary } from '../../../scripts/system/systemBinary.mjs';

const SOURCE = fileURLToPath(new URL('./otp/otp_sup_bench.erl', import.meta.url));
const US = 1e3;
const MS = 1e6;

/**
 * Whether OTP can run here: `erl` and `erlc` on PATH. With TRELLIS_REQUIRE_SYSTEM=1 (CI) a
 * missing Erlang is an error, so the smoke cannot silently stop covering the OTP side.
 */
export function otpAvailable() {
  return systemBinary('Erlang/OTP', ['erl'], 'erlang-nox') !== undefined && findBinary(['erlc']) !== undefined;
}

/**
 * Parses otp_sup_bench's report lines into key -> figures (ns for times, bytes for memory).
 *  - latency rows:  `<row> <label> (us) n=… min=… p50=… p90=… p99=…` (the first measure)
 *  - scale rows:    `<row> N=… | start all: X ms … | mem total: B B/child … | shutdown sup: Y ms`
 *  - tree rows:     `tree_AxBxW … | startup: min=… p50=… p99=… … ms | shutdown: min=… p50=… p99=… … ms`
 */
export function parseOtp(text) {
  const out = {};
  for (const l of text.split('\n')) {
    let m = /^(\S+)\s+.*?\(us\) n=(\d+) min=\S+ p50=([\d.]+) p90=([\d.]+) p99=([\d.]+)/.exec(l);
    if (m) {
      out[m[1]] = { n: Number(m[2]), p50: Number(m[3]) * US, p90: Number(m[4]) * US, p99: Number(m[5]) * US };
      continue;
    }
    m = /^(scale_\S+)\s+N=(\d+) .*start all: ([\d.]+) ms .*mem total: (\d+) B\/child.*shutdown sup: ([\d.]+) ms/.exec(l);
    if (m) {
      out[m[1]] = { n: Number(m[2]), startNs: Number(m[3]) * MS, bytesPerChild: Number(m[4]), stopNs: Number(m[5]) * MS };
      continue;
    }
    m = /^(tree_\d+x\d+x\d+)\s+.*startup: min=\S+ p50=([\d.]+) p99=([\d.]+) .*shutdown: min=\S+ p50=([\d.]+) p99=([\d.]+)/.exec(l);
    if (m) out[m[1]] = { start: { p50: Number(m[2]) * MS, p99: Number(m[3]) * MS }, stop: { p50: Number(m[4]) * MS, p99: Number(m[5]) * MS } };
  }
  return out;
}

/**
 * Compiles and runs the OTP benchmark; mode `full`, `quick` or `smoke` (tiny counts and tree
 * shapes: only that it runs). Returns the parsed rows and the raw report.
 */
export function runOtp(mode) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-otp-bench-'));
  try {
    const c = spawnSync('erlc', ['-o', dir, '+inline', SOURCE], { encoding: 'utf8' });
    if (c.status !== 0) throw new Error(`erlc otp_sup_bench.erl failed: ${c.stderr || c.stdout}`);
    const r = spawnSync('erl', ['-noshell', '-pa', dir, '+P', '1048576', '-eval', `otp_sup_bench:main([${mode}]), halt().`], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      timeout: mode === 'full' ? 600_000 : 120_000,
    });
    if (r.status !== 0 || !/# done/.test(r.stdout)) throw new Error(`otp_sup_bench (${mode}) failed: status ${r.status} signal ${r.signal}\n${r.stderr}\n${r.stdout.slice(-2000)}`);
    const rows = parseOtp(r.stdout);
    for (const key of ['restart_gs_kill_freshsup10', 'one_for_all_100', 'scale_simple_one_for_one']) {
      if (!rows[key]) throw new Error(`otp_sup_bench: no ${key} row in its report (did its format change?)`);
    }
    return { rows, raw: r.stdout.split('\n').filter((l) => l.trim() !== '') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
