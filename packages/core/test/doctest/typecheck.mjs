// Type-checks every ```ts fence of an `@example` in `src/**/*.ts`, runnable or not, each as its
// own module: writes them to `.generated/typecheck/` and compiles them with `tsconfig.doctest.json`
// (the house compiler options, `@trellis/core*` mapped to `src`). Diagnostics are reported at the
// fence's line in the source file. Exits 1 on any error. Run from `pnpm run typecheck`.
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { exampleName, extractAll, packageRoot, writeExamples } from './extract.mjs';

const ts = createRequire(import.meta.url)('typescript');

const examples = writeExamples(extractAll(), 'typecheck');
const byPath = new Map(examples.map((example) => [example.path, example]));

const configPath = join(packageRoot, 'tsconfig.doctest.json');
const config = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
    throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  },
});
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, projectReferences: config.projectReferences });
const diagnostics = [...config.errors, ...ts.getPreEmitDiagnostics(program)];

let errors = 0;
for (const diagnostic of diagnostics) {
  if (diagnostic.category !== ts.DiagnosticCategory.Error) continue;
  errors++;
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  const path = diagnostic.file?.fileName;
  const example = path === undefined ? undefined : byPath.get(join(path));
  if (example !== undefined && diagnostic.start !== undefined) {
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    console.error(`${example.file}:${example.line + line}:${character + 1} (${exampleName(example)}) TS${diagnostic.code}: ${message}`);
  } else if (path !== undefined && diagnostic.start !== undefined) {
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    console.error(`${relative(packageRoot, path)}:${line + 1}:${character + 1} TS${diagnostic.code}: ${message}`);
  } else {
    console.error(`TS${diagnostic.code}: ${message}`);
  }
}
const failed = new Set(diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error && d.file && byPath.has(join(d.file.fileName))).map((d) => d.file.fileName));
console.log(`doctest typecheck: ${examples.length} examples, ${examples.length - failed.size} clean, ${failed.size} with errors (${errors} errors)`);
process.exitCode = errors === 0 ? 0 : 1;
