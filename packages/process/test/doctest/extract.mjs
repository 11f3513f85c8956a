// Extracts the ```ts fences of `@example` blocks from the doc comments of `src/**/*.ts`, each as
// its own module, for typecheck.mjs. A small standalone cousin of packages/core's extractor:
// every `ts`/`typescript` fence of an `@example` counts, flags such as `no-run` included (here
// nothing is run, only type-checked). Fences outside `@example` are documentation, not tests.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `packages/process`, whatever the working directory. */
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Where generated modules go (git-ignored). */
export const generatedRoot = join(packageRoot, 'test', 'doctest', '.generated');

/** Every `.ts` file under `dir`, sorted, as absolute paths. */
export function sourceFiles(dir = join(packageRoot, 'src')) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

/**
 * The example fences of one source file: `{ file, line, code }` per fence, `file` relative to
 * the package with `/` separators, `line` the 1-based source line of the fence's first code line
 * (so generated line `k` is source line `line + k - 1`).
 */
export function extractFile(path) {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const file = relative(packageRoot, path).split(sep).join('/');
  const examples = [];
  let inComment = false;
  let inExample = false;
  let fence;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (!inComment) {
      if (/^\s*\/\*\*/.test(raw) && !/\*\//.test(raw.replace(/^\s*\/\*\*/, ''))) {
        inComment = true;
        inExample = false;
      }
      continue;
    }
    if (/\*\//.test(raw)) {
      if (fence) throw new Error(`${file}:${fence.line - 1}: unterminated code fence in a doc comment`);
      inComment = false;
      continue;
    }
    const content = raw.replace(/^\s*\* ?/, '');
    if (fence) {
      if (/^```\s*$/.test(content)) {
        if (fence.keep) examples.push({ file, line: fence.line, code: fence.body.join('\n') });
        fence = undefined;
      } else {
        fence.body.push(content);
      }
      continue;
    }
    const tag = /^@(\w+)/.exec(content);
    if (tag) {
      inExample = tag[1] === 'example';
      continue;
    }
    const open = /^```(\S*)/.exec(content);
    // A fence outside @example is skipped to its end, so its lines are not read as tags.
    if (open) fence = { keep: inExample && (open[1] === 'ts' || open[1] === 'typescript'), line: i + 2, body: [] };
  }
  return examples;
}

/**
 * Writes every example under `src` to its own module in `.generated/<subdir>/`, emptying that
 * directory first; `export {}` at the end makes each a module even when it imports nothing.
 *
 * @returns the examples, each with `path`, the absolute path of its module.
 */
export function writeExamples(subdir) {
  const dir = join(generatedRoot, subdir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return sourceFiles()
    .flatMap(extractFile)
    .map((example) => {
      const stem = example.file.replace(/^src\//, '').replace(/\.ts$/, '').replace(/[^\w]+/g, '_');
      const path = join(dir, `${stem}_L${example.line}.ts`);
      writeFileSync(path, `${example.code}\nexport {};\n`);
      return { ...example, path };
    });
}
