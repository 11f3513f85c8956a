#!/usr/bin/env node
// Usage: node scripts/doctest/typecheck.mjs <packageRoot>
//
// Type-checks every ```ts fence of an `@example` in `<packageRoot>/src/**/*.ts`, runnable or not
// (`no-run` and `declare const` fences included), each as its own module: writes them to
// `<packageRoot>/test/doctest/.generated/typecheck/` and compiles them with the TypeScript
// compiler API, using the house options of tsconfig.base.json plus `paths` mapping every public
// `@trellis/*` name to its source file (aliases.mjs). Diagnostics are reported at the fence's
// line in the source file. Exits 1 on any error, or when the package has no examples.
// Run from each package's `typecheck` script.
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { paths, repoRoot } from './aliases.mjs';
import { exampleName, extractExamples, generatedDir, toPath, writeExamples } from './extract.mjs';

const ts = createRequire(import.meta.url)('typescript');

const packageRoot = toPath(process.argv[2] ?? '.');
const examples = writeExamples(extractExamples(packageRoot), generatedDir(packageRoot, 'typecheck'));
const byPath = new Map(examples.map((example) => [join(example.path), example]));

const base = ts.readConfigFile(join(repoRoot, 'tsconfig.base.json'), ts.sys.readFile);
if (base.error) throw new Error(ts.flattenDiagnosticMessageText(base.error.messageText, '\n'));
const parsed = ts.parseJsonConfigFileContent(
  {
    compilerOptions: {
      ...base.config.compilerOptions,
      noEmit: true,
      composite: false,
      incremental: false,
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      paths,
    },
    files: examples.map((example) => example.path),
  },
  ts.sys,
  packageRoot,
  undefined,
  join(packageRoot, 'tsconfig.doctest.json'), // a name for diagnostics; no such file is read
);
const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
const errors = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)].filter((d) => d.category === ts.DiagnosticCategory.Error);

const failed = new Set();
for (const diagnostic of errors) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  const path = diagnostic.file === undefined ? undefined : join(diagnostic.file.fileName);
  const example = path === undefined ? undefined : byPath.get(path);
  if (diagnostic.file !== undefined && diagnostic.start !== undefined) {
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    if (example !== undefined) {
      failed.add(path);
      console.error(`${example.file}:${example.line + line}:${character + 1} (${exampleName(example)}) TS${diagnostic.code}: ${message}`);
    } else {
      console.error(`${relative(packageRoot, path)}:${line + 1}:${character + 1} TS${diagnostic.code}: ${message}`);
    }
  } else {
    console.error(`TS${diagnostic.code}: ${message}`);
  }
}
const name = relative(repoRoot, packageRoot) || '.';
if (examples.length === 0) {
  console.error(`doctest typecheck (${name}): no examples found under src`);
  process.exitCode = 1;
} else {
  const runnable = examples.filter((example) => example.runnable).length;
  console.log(
    `doctest typecheck (${name}): ${examples.length} examples (${runnable} runnable, ${examples.length - runnable} type-check only), ` +
      `${examples.length - failed.size} clean, ${failed.size} with errors (${errors.length} errors)`,
  );
  process.exitCode = errors.length === 0 ? 0 : 1;
}
