#!/usr/bin/env node
// Checks that every ```ts fence in docs/guides/*.md compiles and runs.
//
// Each fence whose info string is `ts` or `typescript` is one module. A fence marked
// ```ts no-run is skipped (it may need real binaries, signals or a real path). Every other fence
// is written to packages/cli/test/doctest/.generated/guides/<guide>_L<line>.ts (git-ignored),
// where <line> is the 1-based line of the opening fence in the guide, then:
//
//   1. type-checked with the house compiler options (tsconfig.base.json, no emit), resolving
//      every `@trellis/*` package (core and its subpaths, process, observe, schedule (a dev
//      dependency of cli for this), and cli itself by
//      its own name) through the packages' `exports`, i.e. against their dist, as a user's code
//      would; packages/cli is the host because it depends on all the others (and on pino);
//   2. run with `node --import tsx <file>` from packages/cli, each with a time limit.
//
// It needs every package's dist: run `npx --yes pnpm@10.34.9 build` first.
//
// Usage (from anywhere in the repository):
//   node scripts/check-guides.mjs                 # every guide
//   node scripts/check-guides.mjs strategies testing   # only these guides (file names without .md)
//   node scripts/check-guides.mjs --no-typecheck  # run only
//   node scripts/check-guides.mjs --timeout=8000  # per-fence limit in ms (default 20000)
//
// Exits 1 when any fence fails to type-check or to run, naming it as <guide>.md:<line>.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const guidesDir = join(repoRoot, 'docs', 'guides');
const coreRoot = join(repoRoot, 'packages', 'core');
const hostRoot = join(repoRoot, 'packages', 'cli');
const outDir = join(hostRoot, 'test', 'doctest', '.generated', 'guides');

const args = process.argv.slice(2);
const typecheck = !args.includes('--no-typecheck');
const timeoutArg = args.find((a) => a.startsWith('--timeout='));
const timeoutMs = timeoutArg ? Number(timeoutArg.slice('--timeout='.length)) : 20_000; // a bound for a hang, not a timing
const only = new Set(args.filter((a) => !a.startsWith('--')).map((a) => a.replace(/\.md$/, '')));

if (['core', 'process', 'observe', 'cli', 'schedule'].some((name) => !existsSync(join(repoRoot, 'packages', name, 'dist', 'index.js'))) || !existsSync(join(coreRoot, 'dist', 'testing', 'index.js'))) {
  console.error('check-guides: a package\'s dist is missing; run `npx --yes pnpm@10.34.9 build` first.');
  process.exit(2);
}

/** The newest modification time (ms) of the files under `dir` that `keep` accepts. */
function newest(dir, keep) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path, keep));
    else if (keep(entry.name)) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}
if (newest(join(coreRoot, 'src'), (n) => n.endsWith('.ts')) > newest(join(coreRoot, 'dist'), (n) => n.endsWith('.js'))) {
  console.error('check-guides: warning: packages/core/src is newer than dist; the fences run against dist (rebuild with `npx --yes pnpm@10.34.9 build`).');
}

/** The ```ts fences of one markdown file: `{ guide, line, code, run }`. */
function fencesOf(guide, text) {
  const lines = text.split(/\r?\n/);
  const fences = [];
  let open; // { ticks, lang, flags, line, body }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (open === undefined) {
      const m = /^(`{3,})\s*([\w-]*)\s*(.*)$/.exec(line);
      if (m) open = { ticks: m[1], lang: m[2], flags: m[3].trim().split(/\s+/).filter(Boolean), line: i + 1, body: [] };
      continue;
    }
    if (new RegExp(`^${open.ticks}\\s*$`).test(line)) {
      if (open.lang === 'ts' || open.lang === 'typescript') {
        fences.push({ guide, line: open.line, code: open.body.join('\n'), run: !open.flags.includes('no-run') });
      }
      open = undefined;
      continue;
    }
    open.body.push(line);
  }
  if (open !== undefined) throw new Error(`docs/guides/${guide}.md:${open.line}: fence is never closed`);
  return fences;
}

const guides = readdirSync(guidesDir)
  .filter((name) => name.endsWith('.md'))
  .map((name) => name.slice(0, -3))
  .filter((guide) => only.size === 0 || only.has(guide))
  .sort();
for (const name of only) if (!guides.includes(name)) console.error(`check-guides: no guide docs/guides/${name}.md`);

const all = guides.flatMap((guide) => fencesOf(guide, readFileSync(join(guidesDir, `${guide}.md`), 'utf8')));
const fences = all.filter((fence) => fence.run);

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
for (const fence of fences) {
  fence.path = join(outDir, `${fence.guide}_L${fence.line}.ts`);
  // `export {}` keeps each file a module even when the fence has no import.
  writeFileSync(fence.path, `${fence.code}\n\nexport {};\n`);
}

const failures = new Map(); // "guide.md:line" -> [messages]
const where = (fence) => `docs/guides/${fence.guide}.md:${fence.line}`;
const fail = (fence, message) => {
  const key = where(fence);
  if (!failures.has(key)) failures.set(key, []);
  failures.get(key).push(message);
};

if (typecheck && fences.length > 0) {
  const ts = createRequire(join(coreRoot, 'package.json'))('typescript');
  const base = ts.getParsedCommandLineOfConfigFile(join(repoRoot, 'tsconfig.base.json'), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  const options = { ...base.options, noEmit: true, composite: false, declaration: false, declarationMap: false, sourceMap: false, incremental: false, rootDir: hostRoot };
  delete options.tsBuildInfoFile;
  const program = ts.createProgram({ rootNames: fences.map((f) => f.path), options });
  const byPath = new Map(fences.map((f) => [f.path, f]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (d.category !== ts.DiagnosticCategory.Error) continue;
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n    ');
    const fence = d.file ? byPath.get(join(d.file.fileName)) : undefined;
    if (fence && d.start !== undefined) {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      // Generated line k (0-based) is guide line fence.line + 1 + k.
      fail(fence, `type error at docs/guides/${fence.guide}.md:${fence.line + 1 + line}:${character + 1} TS${d.code}: ${message}`);
    } else {
      console.error(`check-guides: TS${d.code} outside the fences: ${message}`);
    }
  }
}

function runOne(fence) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', relative(hostRoot, fence.path)], { cwd: hostRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      if (signal === 'SIGKILL') fail(fence, `did not finish within ${timeoutMs} ms (killed)\n${indent(output)}`);
      else if (code !== 0) fail(fence, `exited with code ${code} after ${ms} ms\n${indent(output)}`);
      resolve(ms);
    });
  });
}

const indent = (text) =>
  text
    .trimEnd()
    .split('\n')
    .slice(-25)
    .map((l) => `    | ${l}`)
    .join('\n');

const queue = [...fences];
const workers = Array.from({ length: Math.max(1, Math.min(4, availableParallelism())) }, async () => {
  for (let fence = queue.shift(); fence !== undefined; fence = queue.shift()) await runOne(fence);
});
await Promise.all(workers);

const skipped = all.length - fences.length;
for (const [key, messages] of [...failures].sort()) {
  console.error(`FAIL ${key}`);
  for (const m of messages) console.error(`  ${m}`);
}
const perGuide = guides.map((g) => {
  const n = fences.filter((f) => f.guide === g).length;
  const bad = [...failures.keys()].filter((k) => k.startsWith(`docs/guides/${g}.md:`)).length;
  const s = all.filter((f) => f.guide === g && !f.run).length;
  return `  ${g}.md: ${n - bad}/${n} passed${s ? `, ${s} no-run` : ''}`;
});
console.log(perGuide.join('\n'));
console.log(
  `check-guides: ${fences.length} fences run${typecheck ? ' and type-checked' : ''}, ${fences.length - failures.size} passed, ${failures.size} failed, ${skipped} skipped (no-run)`,
);
process.exitCode = failures.size === 0 ? 0 : 1;
