// Type-checks every ```ts fence of an `@example` in `src/**/*.ts`, `no-run` ones included, each as
// its own module: writes them to `.generated/typecheck/` and compiles them with
// `tsconfig.doctest.json` (the house compiler options; `@trellis/process` mapped to `src`,
// `@trellis/core*` to `../core/src`). Diagnostics are reported at the fence's line in the source
// file. Exits 1 on any error. Run from `pnpm run typecheck`.
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { packageRoot, writeExamples } from './extract.mjs';

const ts = createRequire(import.meta.url)('typescript');

const examples = writeExamples('typecheck');
const byPath = new Map(examples.map((example) => [example.path, example]));

const config = ts.getParsedCommandLineOfConfigFile(join(packageRoot, 'tsconfig.doctest.json'), undefined, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
    throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  },
});
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, projectReferences: config.projectReferences });
const errors = [...config.errors, ...ts.getPreEmitDiagnostics(program)].filter((d) => d.category === ts.DiagnosticCategory.Error);

const failed = new Set();
for (const diagnostic of errors) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  const path = diagnostic.file === undefined ? undefined : join(diagnostic.file.fileName);
  const example = path === undefined ? undefined : byPath.get(path);
  if (diagnostic.file !== undefined && diagnostic.start !== undefined) {
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    if (example !== undefined) {
      failed.add(path);
      console.error(`${example.file}:${example.line + line}:${character + 1} (example) TS${diagnostic.code}: ${message}`);
    } else {
      console.error(`${relative(packageRoot, path)}:${line + 1}:${character + 1} TS${diagnostic.code}: ${message}`);
    }
  } else {
    console.error(`TS${diagnostic.code}: ${message}`);
  }
}
if (examples.length === 0) {
  console.error('doctest typecheck: no examples found under src');
  process.exitCode = 1;
} else {
  console.log(`doctest typecheck: ${examples.length} examples, ${examples.length - failed.size} clean, ${failed.size} with errors (${errors.length} errors)`);
  process.exitCode = errors.length === 0 ? 0 : 1;
}
