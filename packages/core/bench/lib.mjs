// Shared helpers of the @trellis/core benchmarks (same method as /work/shared/node-floors/lib.mjs).
// Timestamps: process.hrtime.bigint() (libuv uv_hrtime = CLOCK_MONOTONIC, ns).
// Percentiles: nearest-rank over the measured samples (rank = ceil(p/100 * n)).
import os from 'node:os';

export const now = process.hrtime.bigint;

export function nearestRank(sorted, p) {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[Math.min(rank, n) - 1];
}

/** samples: Float64Array or number[] of nanoseconds (or any unit); returns the usual figures. */
export function summarize(samples) {
  const s = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return {
    n: s.length,
    min: s[0],
    p50: nearestRank(s, 50),
    p90: nearestRank(s, 90),
    p99: nearestRank(s, 99),
    max: s[s.length - 1],
    mean: s.length ? sum / s.length : NaN,
  };
}

/** A number with 3 significant-ish digits. */
export function num(v) {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** Nanoseconds in the unit that reads best: ns, µs or ms. */
export function dur(ns) {
  if (!Number.isFinite(ns)) return String(ns);
  if (ns >= 1e9) return `${num(ns / 1e9)} s`;
  if (ns >= 1e6) return `${num(ns / 1e6)} ms`;
  if (ns >= 1e3) return `${num(ns / 1e3)} µs`;
  return `${num(ns)} ns`;
}

/** One result line: name, what is measured, n and the percentiles. */
export function line(name, label, st) {
  return `${name.padEnd(34)} ${label.padEnd(34)} n=${String(st.n).padEnd(6)} min=${dur(st.min).padEnd(9)} p50=${dur(st.p50).padEnd(9)} p90=${dur(st.p90).padEnd(9)} p99=${dur(st.p99).padEnd(9)} max=${dur(st.max).padEnd(9)} mean=${dur(st.mean)}`;
}

export const tick = () => new Promise((r) => setImmediate(r));

export function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export function arg(name, dflt) {
  const a = process.argv.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  if (a === undefined) return dflt;
  if (a === `--${name}`) return true;
  return a.slice(name.length + 3);
}

export function intArg(name, dflt) {
  const v = arg(name, undefined);
  return v === undefined || v === true ? dflt : Number(v);
}

/** Two full collections, as the floors' memory benchmark does; no-op without --expose-gc. */
export function fullGc() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
}

export function machineLine() {
  const cpu = os.cpus()[0]?.model ?? '?';
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return `node ${process.version} (v8 ${process.versions.v8}), ${os.cpus().length} cpu (${cpu}), linux ${os.release()}, loadavg ${load}`;
}

/** Overhead of one back-to-back hrtime.bigint() pair (the timer floor), ns. */
export function timerFloor(n = 100000) {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = now();
    const b = now();
    out[i] = Number(b - a);
  }
  return summarize(out);
}

/** Rejects if `promise` has not settled within `ms` (the timer is cleared either way). */
export function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}
