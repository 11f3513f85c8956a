// The @trellis/core benchmark scenarios. Each returns a plain result object; run.mjs prints them
// and builds the comparison table. Method as /work/shared/node-floors/RESULTS.md:
//  * restart interval = stamp just before `new Error` + reject (or throw) in the old child ->
//    stamp taken as the first statement of the new child;
//  * serial: the next crash only once the new child is up; one setImmediate tick between
//    samples, outside the interval; warm-up samples discarded; nearest-rank percentiles.
import { fromCallback } from 'xstate';
import {
  countChildren,
  defineDynamicSupervisor,
  defineSupervisor,
  fromWorker,
  startChild,
  startSupervisor,
  stopSupervisor,
  whichChildren,
} from '../dist/index.js';
import { settle } from '../dist/testing/index.js';
import { deferred, fullGc, now, summarize, withTimeout } from './lib.mjs';

/** The tick between samples: one setImmediate turn (the testing helper `settle` is exactly that). */
const tick = settle;

/** Fewest restarts for a heap-per-restart figure: half of them lie between the two heap samples. */
export const HEAP_MIN_RESTARTS = 5_000;

/** Heap used after full GCs (needs --expose-gc). */
function heapAfterFullGc() {
  fullGc();
  return process.memoryUsage().heapUsed;
}

/** Restart intensity that never gives up in a benchmark; the ring grows one slot per restart (O(1)). */
const NO_LIMIT = { intensity: 1e9, periodMs: 1 };

/**
 * Kills the process if a scenario stops making progress (e.g. the supervisor gave up and the
 * next child never starts). One interval timer per scenario, never inside a measured interval.
 */
function watchdog(name, getProgress, ms = 10_000) {
  let last = -1;
  const timer = setInterval(() => {
    const p = getProgress();
    if (p === last) {
      console.error(`${name}: no progress for ${ms} ms (at sample ${p}); aborting`);
      process.exit(2);
    }
    last = p;
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** An idle worker that never settles by itself and is stopped with brutal_kill (no AbortController). */
const idleKill = fromWorker(() => new Promise(() => {}));

/** An idle worker that ends when asked to stop: the idiomatic graceful worker. */
const idleGraceful = fromWorker(({ signal }) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })));

// ------------------------------------------------------------------------------------------
// restart-1 / restart-10k: one_for_one restart of one fromWorker child, crash -> new child running

export async function restart({ name, siblings, warmup, n, breakdownN = 0 }) {
  let tFirst = 0n;
  let starts = 0;
  let incarnation = -1;
  let crash = null; // rejects the running incarnation's promise
  let onUp = null;

  const crasher = fromWorker((ctx) => {
    tFirst = now(); // first statement of the new child
    starts++;
    incarnation = ctx.handover.incarnation;
    const running = new Promise((_, reject) => {
      crash = reject;
    });
    onUp?.();
    return running;
  });

  const children = [];
  for (let i = 0; i < siblings; i++) children.push({ id: `idle${i}`, start: idleKill, shutdown: 'brutal_kill' });
  children.push({ id: 'crasher', start: crasher, shutdown: 'brutal_kill' }); // last: the worst place for any scan
  const logic = defineSupervisor({ id: 'bench', strategy: 'one_for_one', ...NO_LIMIT, children });

  const s0 = now();
  const sup = await startSupervisor(logic);
  const startNs = Number(now() - s0);
  if (starts !== 1) throw new Error(`${name}: the crasher started ${starts} times`);
  await tick();

  const lat = new Float64Array(n);
  let i = 0;
  const stopWatch = watchdog(name, () => i);
  // Heap retained per restart: the heap after full GCs at half the restarts and at the end. Not
  // from the start: the first restarts compile code V8 keeps for good (bytecode, feedback, optimised
  // code), which divided by a few restarts looked like a leak. `undefined` heap = no --expose-gc.
  const rounds = warmup + n;
  const half = Math.floor(rounds / 2);
  const gcExposed = typeof globalThis.gc === 'function';
  let heapHalf = NaN;
  for (; i < rounds; i++) {
    const d = deferred();
    onUp = d.resolve;
    const reject = crash;
    crash = null;
    tFirst = 0n;
    const tCrash = now(); // crash stamp: right before `new Error` + reject
    reject(new Error('boom'));
    await d.promise;
    onUp = null;
    const dt = tFirst - tCrash;
    if (dt <= 0n) throw new Error(`${name}: bad sample ${dt}`);
    if (i >= warmup) lat[i - warmup] = Number(dt);
    await tick();
    if (gcExposed && i + 1 === half) heapHalf = heapAfterFullGc(); // between samples, outside every interval
  }
  stopWatch();
  // Should be ~0 for a supervisor that runs forever. Below HEAP_MIN_RESTARTS the figure is noise
  // (heap after full GCs moves by tens of KiB), so it is not computed.
  const heapPerRestart = gcExposed && rounds >= HEAP_MIN_RESTARTS ? (heapAfterFullGc() - heapHalf) / (rounds - half) : NaN;
  const heapNote = !gcExposed ? 'n/a (no --expose-gc)' : rounds < HEAP_MIN_RESTARTS ? `n/a (${rounds.toLocaleString('en')} restarts; needs ${HEAP_MIN_RESTARTS.toLocaleString('en')})` : `${heapPerRestart.toFixed(1)} B`;

  // Breakdown, in a second loop so the figure above is not perturbed: the supervisor's runtime
  // `handle` (what the machine's action calls) is wrapped on this instance to stamp when the
  // child's error reaches it. a = crash -> runtime.handle(xstate.error.actor.*) entered (XState:
  // rejection, worker transition, error relay, supervisor macrostep); b = handle -> new child's
  // first statement (trellis runtime: exit status, restart decision, intensity, createActor, start).
  let breakdown;
  if (breakdownN > 0) {
    const runtime = sup.getSnapshot().context.runtime;
    const original = runtime.handle;
    let tHandle = 0n;
    runtime.handle = function (event) {
      if (tHandle === 0n && event.type === 'trellis.child.error') tHandle = now();
      return original.call(this, event);
    };
    const a = new Float64Array(breakdownN);
    const b = new Float64Array(breakdownN);
    const warm = Math.min(warmup, breakdownN / 10);
    for (let j = 0; j < warm + breakdownN; j++) {
      const d = deferred();
      onUp = d.resolve;
      const reject = crash;
      crash = null;
      tFirst = 0n;
      tHandle = 0n;
      const tCrash = now();
      reject(new Error('boom'));
      await d.promise;
      onUp = null;
      if (!(tHandle > tCrash && tFirst > tHandle)) throw new Error(`${name}: bad breakdown sample`);
      if (j >= warm) {
        a[j - warm] = Number(tHandle - tCrash);
        b[j - warm] = Number(tFirst - tHandle);
      }
      await tick();
    }
    delete runtime.handle;
    breakdown = [
      { name: `${name}.a`, kind: 'latency', label: 'crash -> supervisor runtime.handle', stats: summarize(a) },
      { name: `${name}.b`, kind: 'latency', label: 'runtime.handle -> new child 1st stmt', stats: summarize(b) },
    ];
  }

  // Sanity: every crash gave exactly one new incarnation, nothing else moved.
  const info = whichChildren(sup).find((c) => c.id === 'crasher');
  const counts = countChildren(sup);
  const xstateChildren = Object.keys(sup.getSnapshot().children).length;
  const total = starts - 1;
  if (incarnation !== total || info.restarts !== total || info.status !== 'running')
    throw new Error(`${name}: starts=${starts} incarnation=${incarnation} restarts=${info.restarts} status=${info.status}`);
  if (counts.active !== siblings + 1) throw new Error(`${name}: active=${counts.active}`);

  const t0 = now();
  const exit = await withTimeout(stopSupervisor(sup), 60_000, `${name} stopSupervisor`);
  const stopNs = Number(now() - t0);
  const main = {
    name,
    kind: 'latency',
    label: 'crash -> new child first stmt',
    stats: summarize(lat),
    heapPerRestart,
    heapNote,
    extra: `restarts=${info.restarts} active=${counts.active} sup.snapshot.children=${xstateChildren} heap retained/restart=${heapNote} startSupervisor=${fmtMs(startNs)} stopSupervisor=${fmtMs(stopNs)} (${exit.reason})`,
  };
  return breakdown ? [main, ...breakdown] : main;
}

// ------------------------------------------------------------------------------------------
// one-for-all-100: crash a random child -> 99 stopped (reverse order) -> 100 started (in order)
// -> the 100th child's first statement.

export async function oneForAll({ name, childKind, k, warmup, n }) {
  let tLast = 0n;
  let starts = 0;
  let cleanups = 0;
  let onLast = null;
  const selves = new Array(k); // callback children: their self, to send 'crash'
  const rejecters = new Array(k); // worker children: reject their promise
  let tCrash = 0n;

  // fromCallback children: stop is immediate (no trellis stop protocol), as the floor's O1.
  const callbackChild = fromCallback(({ input, self, receive }) => {
    const idx = input.idx;
    if (idx === k - 1) tLast = now(); // first statement of the 100th child
    starts++;
    selves[idx] = self;
    receive((e) => {
      if (e.type === 'crash') {
        tCrash = now();
        throw new Error('boom');
      }
    });
    return () => {
      cleanups++;
    };
  });

  // fromWorker children: graceful stop (abort signal; the worker resolves; default shutdown 5000 ms).
  const workerChild = fromWorker(({ input, signal }) => {
    const idx = input.idx;
    if (idx === k - 1) tLast = now();
    starts++;
    const running = new Promise((resolve, reject) => {
      rejecters[idx] = reject;
      signal.addEventListener(
        'abort',
        () => {
          cleanups++;
          resolve();
        },
        { once: true },
      );
    });
    if (idx === k - 1) onLast?.();
    return running;
  });

  const start = childKind === 'callback' ? callbackChild : workerChild;
  const children = [];
  for (let i = 0; i < k; i++) children.push({ id: `c${i}`, start, input: { idx: i } });
  const logic = defineSupervisor({ id: 'ofa', strategy: 'one_for_all', ...NO_LIMIT, children });
  const sup = await startSupervisor(logic);
  if (starts !== k) throw new Error(`${name}: initial starts ${starts}`);
  await tick();

  const lat = new Float64Array(n);
  let i = 0;
  const stopWatch = watchdog(name, () => i);
  for (; i < warmup + n; i++) {
    const victim = Math.floor(Math.random() * k);
    const s0 = starts;
    const c0 = cleanups;
    tLast = 0n;
    tCrash = 0n;
    if (childKind === 'callback') {
      // Synchronous chain: the throw inside `receive` reaches the supervisor, which stops and
      // restarts everything before send() returns.
      selves[victim].send({ type: 'crash' });
    } else {
      const d = deferred();
      onLast = d.resolve;
      const reject = rejecters[victim];
      tCrash = now(); // right before `new Error` + reject
      reject(new Error('boom'));
      await d.promise;
      onLast = null;
    }
    if (starts - s0 !== k) throw new Error(`${name}: ${starts - s0} starts in round ${i}`);
    if (childKind === 'worker' && cleanups - c0 !== k - 1) throw new Error(`${name}: ${cleanups - c0} graceful stops in round ${i}`);
    const dt = tLast - tCrash;
    if (tCrash === 0n || dt <= 0n) throw new Error(`${name}: bad sample ${dt}`);
    if (i >= warmup) lat[i - warmup] = Number(dt);
    await tick();
  }
  stopWatch();
  const counts = countChildren(sup);
  if (counts.active !== k) throw new Error(`${name}: active=${counts.active}`);
  const t0 = now();
  await withTimeout(stopSupervisor(sup), 60_000, `${name} stopSupervisor`);
  const stopNs = Number(now() - t0);
  return {
    name,
    kind: 'latency',
    label: `crash -> all ${k} running`,
    stats: summarize(lat),
    extra: `children=${childKind} active=${counts.active} stops/round=${childKind === 'worker' ? 'graceful' : 'immediate'} stopSupervisor=${fmtMs(stopNs)}`,
  };
}

// ------------------------------------------------------------------------------------------
// tree-10x10x10: root -> 10 supervisors -> 10 supervisors each -> 10 workers each
// (1,000 workers + 111 supervisors). startSupervisor resolves / stopSupervisor resolves.
// `fanout` gives other shapes: OTP's bench also measures 10x10x100 and 10x100x100.

const idleCallback = fromCallback(() => () => {});

export async function tree({ name, leafKind, warmup, n, fanout = [10, 10, 10], watchdogMs = 10_000 }) {
  const [a, b, c] = fanout;
  const leaves = [];
  // 'worker': fromWorker that ends when its signal aborts (graceful stop, default shutdown 5000 ms);
  // 'callback': xstate fromCallback, stopped at once (like an OTP worker that does not trap exits).
  const leaf = leafKind === 'callback' ? idleCallback : idleGraceful;
  for (let w = 0; w < c; w++) leaves.push({ id: `w${w}`, start: leaf });
  const level2 = defineSupervisor({ id: 'l2', children: leaves });
  const mids = [];
  for (let s = 0; s < b; s++) mids.push({ id: `s${s}`, start: level2 });
  const level1 = defineSupervisor({ id: 'l1', children: mids });
  const tops = [];
  for (let s = 0; s < a; s++) tops.push({ id: `s${s}`, start: level1 });
  const root = defineSupervisor({ id: 'root', children: tops });

  const startLat = new Float64Array(n);
  const stopLat = new Float64Array(n);
  let workers = 0;
  let sups = 0;
  let i = 0;
  const stopWatch = watchdog(name, () => i, watchdogMs);
  for (; i < warmup + n; i++) {
    const t0 = now();
    const sup = await startSupervisor(root);
    const t1 = now();
    if (i === 0) {
      // Count the tree once (outside the timings).
      const walk = (ref) => {
        sups++;
        for (const ch of whichChildren(ref)) {
          if (ch.status !== 'running') throw new Error(`${name}: ${ch.id} is ${ch.status}`);
          if (ch.type === 'supervisor') walk(ch.ref);
          else workers++;
        }
      };
      walk(sup);
      if (workers !== a * b * c || sups !== 1 + a + a * b) throw new Error(`${name}: ${workers} workers, ${sups} supervisors`);
    }
    await tick();
    const t2 = now();
    const exit = await stopSupervisor(sup);
    const t3 = now();
    if (exit.reason !== 'normal') throw new Error(`${name}: exit ${JSON.stringify(exit)}`);
    if (i >= warmup) {
      startLat[i - warmup] = Number(t1 - t0);
      stopLat[i - warmup] = Number(t3 - t2);
    }
    await tick();
  }
  stopWatch();
  const extra = `${workers} workers (${leafKind === 'callback' ? 'fromCallback, immediate stop' : 'fromWorker, graceful stop'}) + ${sups} supervisors`;
  return [
    { name: `${name}.start`, kind: 'latency', label: 'startSupervisor -> resolved', stats: summarize(startLat), extra },
    { name: `${name}.stop`, kind: 'latency', label: 'stopSupervisor -> resolved', stats: summarize(stopLat), extra },
  ];
}

// ------------------------------------------------------------------------------------------
// memory: N idle children under one one_for_one supervisor, started with startChild in a loop.

export async function memory({ name, n, budgetMs, worker = 'graceful' }) {
  const start = worker === 'graceful' ? idleGraceful : idleKill;
  const shutdown = worker === 'graceful' ? undefined : 'brutal_kill';
  fullGc();
  const h0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  // OTP row 3a: 100k children under simple_one_for_one, so a dynamic supervisor here.
  const sup = await startSupervisor(defineDynamicSupervisor({ id: 'mem', child: shutdown ? { id: 'w', start, shutdown } : { id: 'w', start } }));
  const marks = []; // [count, ms since start]
  const t0 = now();
  const deadline = t0 + BigInt(budgetMs) * 1_000_000n;
  let started = 0;
  let timedOut = false;
  const step = Math.max(1, Math.floor(n / 10));
  for (let i = 0; i < n; i++) {
    await startChild(sup, {});
    started++;
    if (started % step === 0) marks.push([started, Number(now() - t0) / 1e6]);
    if ((i & 255) === 255 && now() > deadline) {
      timedOut = true;
      break;
    }
  }
  const startNs = Number(now() - t0);
  fullGc();
  const h1 = process.memoryUsage().heapUsed;
  const rss1 = process.memoryUsage().rss;
  const counts = countChildren(sup);
  if (counts.active !== started) throw new Error(`${name}: active=${counts.active} started=${started}`);
  const w0 = now();
  const listed = whichChildren(sup).length;
  const whichNs = Number(now() - w0);
  if (listed !== started) throw new Error(`${name}: whichChildren listed ${listed}`);

  const s0 = now();
  let stopNs = NaN;
  let stopNote = '';
  try {
    await withTimeout(stopSupervisor(sup), Math.max(5_000, budgetMs), `${name} stopSupervisor`);
    stopNs = Number(now() - s0);
  } catch (error) {
    stopNote = ` (${error.message})`;
  }
  // Per-chunk rate: shows whether startChild is O(1) or grows with N.
  const chunks = [];
  let prev = [0, 0];
  for (const m of marks) {
    chunks.push(`${Math.round(prev[0] / 1000)}k-${Math.round(m[0] / 1000)}k: ${(((m[1] - prev[1]) * 1000) / (m[0] - prev[0])).toFixed(1)} µs/child`);
    prev = m;
  }
  return {
    name,
    kind: 'memory',
    worker,
    requested: n,
    started,
    timedOut,
    budgetMs,
    startNs,
    stopNs,
    stopNote,
    whichNs,
    heapPerChild: (h1 - h0) / started,
    rssPerChild: (rss1 - rss0) / started,
    chunks,
  };
}

function fmtMs(ns) {
  return `${(ns / 1e6).toFixed(ns >= 1e8 ? 0 : 2)} ms`;
}
