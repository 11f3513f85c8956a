// Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, self time
// by file, and inclusive time of functions whose name matches --focus.
//
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/run.mjs --only=restart-1
//   node bench/cpuprofile-summary.mjs /tmp/prof/CPU.*.cpuprofile [--top=40] [--focus=regex]
import fs from 'node:fs';

const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: node bench/cpuprofile-summary.mjs <file.cpuprofile> [--top=40] [--focus=regex]');
  process.exit(1);
}
const opt = (name, d) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? d;
const TOP = Number(opt('top', 40));
const FOCUS = opt('focus', undefined);

const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from samples and timeDeltas (µs).
const selfUs = new Map();
let total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i + 1] ?? 0; // the delta after sample i is the time spent in it
  selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + dt);
  total += dt;
}

const short = (url) => {
  if (!url) return '(native)';
  const m = /packages\/core\/(.*)$/.exec(url) ?? /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(.*)$/.exec(url);
  return m ? m[1] : url.replace(/^file:\/\//, '');
};
const keyOf = (n) => `${n.callFrame.functionName || '(anonymous)'}  ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const byFn = new Map();
const byFile = new Map();
for (const [id, us] of selfUs) {
  const n = nodes.get(id);
  const k = keyOf(n);
  byFn.set(k, (byFn.get(k) ?? 0) + us);
  const f = short(n.callFrame.url);
  byFile.set(f, (byFile.get(f) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const ms = (us) => `${(us / 1000).toFixed(1).padStart(8)} ms`;

console.log(`# ${file}: ${(total / 1000).toFixed(0)} ms sampled, ${prof.samples.length} samples`);
console.log(`\n## top ${TOP} functions by self time`);
for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${ms(us)} ${pct(us)}  ${k}`);
console.log('\n## self time by file');
for (const [k, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${ms(us)} ${pct(us)}  ${k}`);

// Inclusive time: a sample counts once for every distinct function on its stack.
if (FOCUS) {
  const re = new RegExp(FOCUS);
  const incl = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i + 1] ?? 0;
    const seen = new Set();
    for (let id = prof.samples[i]; id !== undefined; id = parent.get(id)) {
      const k = keyOf(nodes.get(id));
      if (seen.has(k) || !re.test(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + dt);
    }
  }
  console.log(`\n## inclusive time of functions matching /${FOCUS}/`);
  for (const [k, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${ms(us)} ${pct(us)}  ${k}`);
}
