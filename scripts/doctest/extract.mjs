// Extracts the ```ts fences of `@example` blocks from the doc comments of a package's
// `src/**/*.ts`, so each one can be run (vitest.mjs) or type-checked (typecheck.mjs) as its own
// module. Shared by every package of the repo.
//
// A fence is one module. Its info string is `ts` or `typescript`, optionally followed by flags:
// `no-run` makes it type-check only; `@import.meta.vitest` (STYLE-ANCHORS §6.8) is accepted and
// ignored. A fence that contains `declare const` is type-check only too: it describes values it
// does not make. Fences outside `@example` (in `@remarks`, say) are documentation, not tests.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An absolute path from a path or a `file:` URL (string or `URL`). */
export function toPath(pathOrUrl) {
  if (pathOrUrl instanceof URL) return fileURLToPath(pathOrUrl);
  if (typeof pathOrUrl === 'string' && pathOrUrl.startsWith('file:')) return fileURLToPath(pathOrUrl);
  return resolve(String(pathOrUrl));
}

/** Where generated modules of one kind (`run`, `typecheck`) go: `<packageRoot>/test/doctest/.generated/<kind>` (git-ignored). */
export function generatedDir(packageRoot, kind) {
  return join(toPath(packageRoot), 'test', 'doctest', '.generated', kind);
}

/** Every `.ts` file under `dir` (not `.d.ts`), sorted, as absolute paths. */
export function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

const DECLARATION =
  /^\s*export\s+(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|interface|type|const|let|var|enum|namespace)\s+([A-Za-z_$][\w$]*)/;
const MEMBER =
  /^\s*(?:(?:readonly|static|private|public|protected|override|abstract|declare|async|get|set)\s+)*(\[?[A-Za-z_$][\w$]*\]?)\s*[?!]?\s*[(:<=;]/;
const CONTAINER = /^export\s+(?:declare\s+)?(?:abstract\s+)?(?:class|interface|const)\s+([A-Za-z_$][\w$]*)/;

/** The name of what a doc comment ending on line `end` (0-based) documents, best effort. */
function symbolAfter(lines, end) {
  let i = end + 1;
  while (i < lines.length && (lines[i].trim() === '' || lines[i].trim().startsWith('//'))) i++;
  const line = lines[i] ?? '';
  const top = DECLARATION.exec(line);
  if (top) return top[1];
  const member = MEMBER.exec(line);
  if (member) {
    for (let j = end; j >= 0; j--) {
      const container = CONTAINER.exec(lines[j]);
      if (container) return `${container[1]}.${member[1]}`;
    }
    return member[1];
  }
  return '(anonymous)';
}

/**
 * The example fences of one source file.
 *
 * @returns `{ file, line, symbol, title, code, runnable }` per fence: `file` relative to the
 * package root with `/` separators, `line` the 1-based source line of the fence's first code
 * line, so generated line `k` (1-based) is source line `line + k - 1`.
 */
export function extractFile(packageRoot, path) {
  const root = toPath(packageRoot);
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const file = relative(root, path).split(sep).join('/');
  const examples = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\/\*\*/.test(lines[i]) || /\*\//.test(lines[i].replace(/^\s*\/\*\*/, ''))) continue;
    let end = i + 1;
    while (end < lines.length && !/\*\//.test(lines[end])) end++;
    const symbol = symbolAfter(lines, end);
    let inExample = false;
    let title = '';
    let fence;
    for (let j = i + 1; j < end; j++) {
      const content = lines[j].replace(/^\s*\* ?/, '');
      if (fence) {
        if (/^```\s*$/.test(content)) {
          if (fence.lang === 'ts' || fence.lang === 'typescript') {
            const code = fence.body.join('\n');
            const runnable = !fence.flags.includes('no-run') && !/\bdeclare\s+const\b/.test(code);
            examples.push({ file, line: fence.line, symbol, title, code, runnable });
          }
          fence = undefined;
        } else {
          fence.body.push(content);
        }
        continue;
      }
      const tag = /^@(\w+)\s*(.*)$/.exec(content);
      if (tag) {
        inExample = tag[1] === 'example';
        title = inExample ? tag[2].trim() : '';
        continue;
      }
      const open = /^```(\S*)\s*(.*)$/.exec(content);
      if (open && inExample) {
        fence = { lang: open[1], flags: open[2].split(/\s+/).filter(Boolean), line: j + 2, body: [] };
      } else if (open) {
        // A fence outside @example: skip to its end so its lines are not read as tags.
        fence = { lang: '', flags: [], line: j + 2, body: [] };
      }
    }
    if (fence) throw new Error(`${file}:${fence.line - 1}: unterminated code fence in a doc comment`);
    i = end;
  }
  return examples;
}

/** Every example fence of `<packageRoot>/<entrySrcDir>/**\/*.ts`, in file then line order. */
export function extractExamples(packageRoot, entrySrcDir = 'src') {
  const root = toPath(packageRoot);
  return sourceFiles(join(root, entrySrcDir)).flatMap((path) => extractFile(root, path));
}

/** `<file>:<line> <symbol>`: the test name, and how diagnostics name a fence. */
export function exampleName(example) {
  return `${example.file}:${example.line} ${example.symbol}`;
}

/**
 * Writes each example to its own module `<file-stem>_L<line>.ts` in `outDir`, emptying that
 * directory first. Line `k` of a module is line `k` of its fence; `export {}` at the end makes
 * every fence a module even when it imports nothing.
 *
 * @returns the examples, each with `path`, the absolute path of its module.
 */
export function writeExamples(examples, outDir) {
  const dir = toPath(outDir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return examples.map((example) => {
    const stem = example.file.replace(/^src\//, '').replace(/\.ts$/, '').replace(/[^\w]+/g, '_');
    const path = join(dir, `${stem}_L${example.line}.ts`);
    writeFileSync(path, `${example.code}\nexport {};\n`);
    return { ...example, path };
  });
}
