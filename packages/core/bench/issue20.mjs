// Issue 20's table: each scenario's trellis figures beside OTP's and the Node floor measured in
// the same session, the ratio, and the issue's target with pass/miss. Every target is a ratio
// (to OTP or to a floor of the same run), never an absolute time: absolute figures move with the
// host's load, ratios measured side by side much less.
import { dur, num } from './lib.mjs';

/** The targets of issue 20 ("Performance: at or past OTP on the same machine, in the same run"). */
export const issue20 = {
  restartVsOtp: 2, // one_for_one restart p50 <= 2x OTP
  restartVsX10: 0.7, // ... and <= 0.7x the naive XState restart (node-floors X10) of the same run
  restartP90VsOtp: 3, // tail: restart p90 <= 3x OTP's p90
  oneForAllVsOtp: 1, // one_for_all over 100 children (graceful and immediate) <= 1x OTP
  treeVsOtp: 1.5, // tree start / stop p50 <= 1.5x OTP (given for 10x10x10; the larger shapes keep it)
  bigVsOtp: 1, // 100,000 children: start, heap per child, stop <= 1x OTP
};

const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
const times = (r) => (Number.isFinite(r) ? `${num(r)}×` : '–');
const verdict = (checks) => (checks.some((c) => !Number.isFinite(c.r)) ? '–' : checks.every((c) => c.r <= c.max) ? 'pass' : `**miss**`);

/**
 * Prints the table. `results` are this run's trellis results by name, `otp` the parsed OTP rows
 * (undefined without erl), `fresh` the floors measured in this session.
 */
export function printIssue20({ results, otp, fresh, smoke }) {
  const rows = [];
  const o = otp ?? {};
  const r1 = results['restart-1'];
  const otpRestart = o.restart_gs_kill_freshsup10; // OTP's restart mechanism (1a: fresh sup every 10 restarts)
  if (r1) {
    const vsOtp = ratio(r1.stats.p50, otpRestart?.p50);
    const vsX10 = ratio(r1.stats.p50, fresh.X10?.p50);
    rows.push([
      'one_for_one restart p50 (crash → new child first statement)',
      dur(r1.stats.p50),
      dur(r1.stats.p99),
      otpRestart ? `${dur(otpRestart.p50)} (p99 ${dur(otpRestart.p99)})` : '–',
      fresh.X10 ? `X10 naive XState ${dur(fresh.X10.p50)} → ${times(vsX10)}` : '–',
      times(vsOtp),
      `≤ ${issue20.restartVsOtp}× OTP and ≤ ${issue20.restartVsX10}× X10`,
      verdict([{ r: vsOtp, max: issue20.restartVsOtp }, { r: vsX10, max: issue20.restartVsX10 }]),
    ]);
    const tail = ratio(r1.stats.p90, otpRestart?.p90);
    rows.push(['… its tail: p90', dur(r1.stats.p90), '', otpRestart ? `p90 ${dur(otpRestart.p90)}` : '–', '', times(tail), `≤ ${issue20.restartP90VsOtp}× OTP's p90`, verdict([{ r: tail, max: issue20.restartP90VsOtp }])]);
  }
  for (const [kind, label] of [
    ['worker', 'one_for_all over 100 graceful fromWorker children p50'],
    ['callback', 'one_for_all over 100 immediate-stop children p50'],
  ]) {
    const r = results[`one-for-all-100/${kind}`];
    if (!r) continue;
    const vs = ratio(r.stats.p50, o.one_for_all_100?.p50);
    rows.push([
      label,
      dur(r.stats.p50),
      dur(r.stats.p99),
      o.one_for_all_100 ? `${dur(o.one_for_all_100.p50)} (p99 ${dur(o.one_for_all_100.p99)})` : '–',
      fresh.O1 ? `O1 naive XState ${dur(fresh.O1.p50)}` : '–',
      times(vs),
      `≤ ${issue20.oneForAllVsOtp}× OTP`,
      verdict([{ r: vs, max: issue20.oneForAllVsOtp }]),
    ]);
  }
  for (const name of Object.keys(results)) {
    const m = /^tree-(\d+x\d+x\d+)\/worker\.start$/.exec(name);
    if (!m) continue;
    const shape = m[1];
    const ot = o[`tree_${shape}`];
    for (const phase of ['start', 'stop']) {
      const r = results[`tree-${shape}/worker.${phase}`];
      if (!r) continue;
      const vs = ratio(r.stats.p50, ot?.[phase].p50);
      rows.push([
        `tree ${shape.replaceAll('x', '×')}, graceful workers, ${phase} p50 (n=${r.stats.n})`,
        dur(r.stats.p50),
        dur(r.stats.p99),
        ot ? `${dur(ot[phase].p50)} (p99 ${dur(ot[phase].p99)})` : '–',
        '–',
        times(vs),
        `≤ ${issue20.treeVsOtp}× OTP${shape === '10x10x10' ? '' : ' (as 10×10×10)'}`,
        verdict([{ r: vs, max: issue20.treeVsOtp }]),
      ]);
    }
  }
  const mem = results.memory;
  const sc = o.scale_simple_one_for_one; // OTP's DynamicSupervisor: simple_one_for_one
  if (mem) {
    const same = sc !== undefined && sc.n === mem.started;
    // Per child when the two sides ran different counts (--quick, --smoke).
    const startVs = ratio(mem.startNs / mem.started, sc ? sc.startNs / sc.n : NaN);
    const stopVs = ratio(mem.stopNs / mem.started, sc ? sc.stopNs / sc.n : NaN);
    const heapVs = ratio(mem.heapPerChild, sc?.bytesPerChild);
    const n = mem.started.toLocaleString('en');
    const otpN = sc ? (same ? '' : ` for ${sc.n.toLocaleString('en')}`) : '';
    rows.push([`${n} graceful children under one dynamic supervisor: start (startChild loop)`, dur(mem.startNs), '', sc ? `${dur(sc.startNs)}${otpN}` : '–', '–', `${times(startVs)}${same ? '' : ' per child'}`, `≤ ${issue20.bigVsOtp}× OTP`, verdict([{ r: startVs, max: issue20.bigVsOtp }])]);
    rows.push(['… heap per child', `${num(mem.heapPerChild)} B`, '', sc ? `${num(sc.bytesPerChild)} B` : '–', 'M4 XState pending fromPromise 2,504 B (stored)', times(heapVs), `≤ ${issue20.bigVsOtp}× OTP`, verdict([{ r: heapVs, max: issue20.bigVsOtp }])]);
    rows.push(['… stop', Number.isFinite(mem.stopNs) ? dur(mem.stopNs) : 'n/a', '', sc ? `${dur(sc.stopNs)}${otpN}` : '–', '–', `${times(stopVs)}${same ? '' : ' per child'}`, `≤ ${issue20.bigVsOtp}× OTP`, verdict([{ r: stopVs, max: issue20.bigVsOtp }])]);
  }

  console.log(`## Issue 20: beside OTP and the Node floors, same session${smoke ? ' (--smoke: tiny counts, the verdicts mean nothing)' : ''}`);
  console.log('');
  if (otp === undefined) console.log('No OTP figures: erl is not on PATH or --no-otp was given; ratios to OTP are –.\n');
  console.log('| scenario | trellis p50 | trellis p99 | OTP, same session | floor, same session | ratio to OTP | target (issue 20) | verdict |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log('');
  console.log('OTP restart row: restart_gs_kill_freshsup10 (the restart mechanism: a fresh supervisor every 10 restarts, so OTP 25\'s restart window stays short); 100k rows: scale_simple_one_for_one (OTP\'s DynamicSupervisor). OS process restarts (floor + 1 ms) are not in this bench: see packages/process.');
  console.log('');
}
