// The vitest tests of the repository's packages, read from the sources with the TypeScript
// compiler: each test's title, the describe titles around it, and whether it runs. No test file is
// executed, so this needs no build and sees exactly what is committed.
//
// A test runs unless it, or a describe around it, is `.skip`, `.todo`, `.fails` (it passes when
// its body fails), or `.skipIf`/`.runIf` (it runs only on some machines). `it.each(rows)(title)`
// is expanded when `rows` is an array literal of literals (`%s`, `%d`, `%i`, `%j`, `%o`, `%%`
// filled from each row, as vitest does); otherwise its title is kept as written.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(join(repoRoot, 'package.json'));
const ts = require('typescript');

const TEST_NAMES = new Set(['it', 'test']);
const NOT_RUN = new Set(['skip', 'todo', 'fails', 'skipIf', 'runIf']);

/** Every `*.test.ts` under `dir`, recursively, skipping node_modules. */
function testFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(path));
    else if (entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

/** `it.skip.each([...])` → `{ base: 'it', modifiers: ['skip', 'each'], eachRows }` for the callee of a title call. */
function parseCallee(callee) {
  const modifiers = [];
  let eachRows;
  let node = callee;
  for (;;) {
    if (ts.isIdentifier(node)) return { base: node.text, modifiers: modifiers.reverse(), eachRows };
    if (ts.isPropertyAccessExpression(node)) {
      modifiers.push(node.name.text);
      node = node.expression;
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      // it.each(rows)(...), it.skipIf(cond)(...)
      const name = node.expression.name.text;
      modifiers.push(name);
      if (name === 'each') eachRows = node.arguments[0];
      node = node.expression.expression;
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      return undefined;
    } else return undefined;
  }
}

const unwrap = (node) => {
  while (node && (ts.isAsExpression(node) || ts.isParenthesizedExpression(node) || ts.isSatisfiesExpression?.(node) || ts.isTypeAssertionExpression?.(node))) node = node.expression;
  return node;
};

/** A literal's value, or undefined when it is not a literal. */
function literal(node) {
  node = unwrap(node);
  if (!node) return undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { value: node.text };
  if (ts.isNumericLiteral(node)) return { value: Number(node.text) };
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand)) return { value: -Number(node.operand.text) };
  if (node.kind === ts.SyntaxKind.TrueKeyword) return { value: true };
  if (node.kind === ts.SyntaxKind.FalseKeyword) return { value: false };
  if (node.kind === ts.SyntaxKind.NullKeyword) return { value: null };
  return undefined;
}

/** The rows of `.each(rows)` as arrays of values, or undefined when they are not all literals. */
function eachRowsOf(node) {
  node = unwrap(node);
  if (!node || !ts.isArrayLiteralExpression(node)) return undefined;
  const rows = [];
  for (const element of node.elements) {
    const inner = unwrap(element);
    if (ts.isArrayLiteralExpression(inner)) {
      const values = inner.elements.map(literal);
      if (values.some((v) => v === undefined)) return undefined;
      rows.push(values.map((v) => v.value));
    } else {
      const value = literal(inner);
      if (value === undefined) return undefined;
      rows.push([value.value]);
    }
  }
  return rows;
}

/** vitest's printf-style title formatting for one row of `.each`. */
function formatTitle(template, row) {
  let i = 0;
  return template.replace(/%[sdijo%]/g, (spec) => {
    if (spec === '%%') return '%';
    const value = row[i++];
    if (spec === '%d' || spec === '%i') return String(spec === '%i' ? Math.trunc(Number(value)) : Number(value));
    if (spec === '%j' || spec === '%o') return JSON.stringify(value);
    return String(value);
  });
}

/**
 * Every test of every package: `{ file, line, describes, title, runs }`, `file` relative to the
 * repository root with `/` separators.
 *
 * @param {string} [root] the repository root
 * @returns {Array<{ file: string; line: number; describes: string[]; title: string; runs: boolean }>}
 */
export function collectTests(root = repoRoot) {
  const tests = [];
  const packagesDir = join(root, 'packages');
  for (const pkg of readdirSync(packagesDir).sort()) {
    let files;
    try {
      files = testFiles(join(packagesDir, pkg, 'test'));
    } catch {
      continue;
    }
    for (const path of files) {
      const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
      const file = relative(root, path).split(sep).join('/');
      const visit = (node, describes, runs) => {
        if (ts.isCallExpression(node) && node.arguments.length > 0) {
          const callee = parseCallee(node.expression);
          const title = literal(node.arguments[0]);
          if (callee && title && typeof title.value === 'string' && (TEST_NAMES.has(callee.base) || callee.base === 'describe')) {
            const here = runs && !callee.modifiers.some((m) => NOT_RUN.has(m));
            const rows = callee.modifiers.includes('each') ? eachRowsOf(callee.eachRows) : undefined;
            const titles = rows ? rows.map((row) => formatTitle(title.value, row)) : [title.value];
            if (callee.base === 'describe') {
              // A describe.each is rare here: its body is walked once per expanded title.
              for (const t of titles) node.arguments.slice(1).forEach((arg) => visit(arg, [...describes, t], here));
              return;
            }
            const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
            for (const t of titles) tests.push({ file, line, describes, title: t, runs: here });
            return;
          }
        }
        ts.forEachChild(node, (child) => visit(child, describes, runs));
      };
      visit(source, [], true);
    }
  }
  return tests;
}
