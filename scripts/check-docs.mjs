#!/usr/bin/env node
// Checks the doc comments of every public export against issue 8's spec.
//
// For each package in packages/*, the exports reachable from its entry points (src/index.ts; for
// core also src/testing/index.ts and src/env.ts) are collected with the TypeScript compiler API,
// each alias resolved to its declaration, and the leading JSDoc of that declaration checked:
//
//   - it has a one-sentence summary before the first tag;
//   - it has @remarks (members of interfaces and classes are not checked: they are not exports);
//   - its tags are in the fixed order summary < @remarks < @param/@typeParam/@returns < @throws
//     < @example < @category < @since (missing ones are skipped; other tags are not ranked);
//   - it has at least one @example;
//   - it has exactly one @category, from the closed list;
//   - it has @since;
//   - a function (or a constant holding an arrow function) has a @param for each parameter and,
//     unless it returns void, a @returns; a class's public constructor has a @param for each
//     parameter (on the class or on the constructor's own doc comment).
//
// Every document of docs/guides, docs/decisions and examples must also be linked from its folder's
// README.md, the reading order the docs site follows (docs/site/readingOrder.mjs).
//
// The supervisor_SUITE table of docs/guides/otp-suite.md must be current, and every OTP case it
// maps to a test must have a running test named after it (scripts/otpSuite/supervisorSuite.mjs).
//
// Tags inside ``` fences are code, not tags. Every src/**/*.ts file must also start (after an
// optional shebang) with a block comment that says what the module is for and ends with @module.
//
// Prints each violation as `path:line symbol: rule`, then `check-docs: N exports, M violations`.
// Exits 1 on any violation. Needs no build: it reads the sources.
//
// Usage: node scripts/check-docs.mjs
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { READING_ORDERS, readingOrder } from '../docs/site/readingOrder.mjs';
import { sourceFiles } from './doctest/extract.mjs';
import { GUIDE_FILE, otpSuiteProblems } from './otpSuite/supervisorSuite.mjs';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const require = createRequire(join(repoRoot, 'package.json'));
const ts = require('typescript');

const CATEGORIES = new Set([
  'constructors',
  'models',
  'commands',
  'events',
  'strategies',
  'intensity',
  'handover',
  'process',
  'observability',
  'errors',
  'testing',
]);

/** The rank of each ordered tag; tags not listed are not ranked. */
const RANK = {
  remarks: 1,
  param: 2,
  typeParam: 2,
  typeparam: 2,
  returns: 2,
  throws: 3,
  example: 4,
  category: 5,
  since: 6,
};

const violations = [];
const report = (file, line, symbol, rule) => violations.push({ file: relative(repoRoot, file).split(sep).join('/'), line, symbol, rule });

/** The lines of a JSDoc comment's text, without the comment markers and leading `*`. */
function commentLines(text) {
  return text
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split(/\r?\n/)
    .map((line) => line.replace(/^\s*\* ?/, ''));
}

/** The block tags of a doc comment outside code fences, in order, and its summary text. */
function parseDoc(text) {
  const tags = [];
  const summary = [];
  let inFence = false;
  let seenTag = false;
  for (const line of commentLines(text)) {
    const trimmed = line.trim();
    if (trimmed.startsWith('```')) {
      inFence = !inFence;
      if (!seenTag) summary.push(trimmed);
      continue;
    }
    if (inFence) {
      if (!seenTag) summary.push(trimmed);
      continue;
    }
    const tag = /^@([A-Za-z]+)\b\s*(.*)$/.exec(trimmed);
    if (tag) {
      seenTag = true;
      tags.push({ name: tag[1], value: tag[2].trim() });
    } else if (!seenTag) {
      summary.push(trimmed);
    }
  }
  return { tags, summary: summary.join(' ').trim() };
}

/** The node whose leading comments hold the doc comment of `decl`. */
function docHost(decl) {
  if (ts.isVariableDeclaration(decl)) return decl.parent?.parent ?? decl;
  return decl;
}

/** The last `/** ... *\/` comment leading `node`, as `{ text, pos }`, or undefined. */
function leadingDoc(node) {
  const source = node.getSourceFile();
  const text = source.getFullText();
  const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
  for (let i = ranges.length - 1; i >= 0; i--) {
    const range = ranges[i];
    const body = text.slice(range.pos, range.end);
    if (range.kind === ts.SyntaxKind.MultiLineCommentTrivia && body.startsWith('/**') && !body.startsWith('/**/')) {
      return { text: body, pos: range.pos };
    }
  }
  return undefined;
}

/** The names of the parameters of a signature, `{ a, b }` destructured ones included as their binding text. */
function parameterNames(params) {
  return params.filter((p) => !(ts.isIdentifier(p.name) && p.name.text === 'this')).map((p) => (ts.isIdentifier(p.name) ? p.name.text : undefined));
}

/** Whether `@param` tags cover `params` (by name, or by count for destructured parameters). */
function checkParams(file, line, symbol, params, tags, where) {
  const documented = tags.filter((t) => t.name === 'param').map((t) => /^(?:\{[^}]*\}\s*)?\[?([\w$.]+)/.exec(t.value)?.[1]);
  const names = parameterNames(params);
  names.forEach((name, i) => {
    const ok = name === undefined ? documented.length > i : documented.includes(name);
    if (!ok) report(file, line, symbol, `${where}parameter ${name ?? `#${i + 1}`} has no @param`);
  });
}

/** Whether a function's declared or inferred return type is void (or Promise<void>). */
function returnsVoid(checker, decl) {
  const signature = checker.getSignatureFromDeclaration(decl);
  if (!signature) return true;
  const type = checker.getReturnTypeOfSignature(signature);
  const text = checker.typeToString(type);
  return text === 'void' || text === 'Promise<void>' || text === 'never' || text === 'undefined';
}

/** @param/@returns for functions (and arrow-function constants), @param for class constructors. */
function checkSignature(checker, file, line, symbol, decl, tags) {
  let fn;
  if (ts.isFunctionDeclaration(decl)) fn = decl;
  else if (ts.isVariableDeclaration(decl) && decl.initializer && (ts.isArrowFunction(decl.initializer) || ts.isFunctionExpression(decl.initializer))) fn = decl.initializer;
  if (fn) {
    checkParams(file, line, symbol, fn.parameters, tags, '');
    if (!returnsVoid(checker, fn) && !tags.some((t) => t.name === 'returns')) report(file, line, symbol, 'no @returns');
    return;
  }
  if (ts.isClassDeclaration(decl)) {
    for (const member of decl.members) {
      if (!ts.isConstructorDeclaration(member) || member.parameters.length === 0 || !member.body) continue;
      if (member.modifiers?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
      const own = leadingDoc(member);
      const ctorTags = [...tags, ...(own ? parseDoc(own.text).tags : [])];
      checkParams(file, line, symbol, member.parameters, ctorTags, 'constructor ');
    }
  }
}

/** How many sentences `text` has: ends of sentence outside `code`, `{@link ...}` and parentheses, e.g. `... it. The ...`. */
function sentences(text) {
  const plain = text.replace(/`[^`]*`/g, 'x').replace(/\{@\w+[^}]*\}/g, 'x').replace(/\([^)]*\)/g, 'x');
  return plain.split(/[.!?](?=\s+[A-Z])/).filter((part) => part.trim() !== '').length;
}

function checkDoc(file, line, symbol, doc) {
  const { tags, summary } = parseDoc(doc);
  if (summary === '') report(file, line, symbol, 'no summary sentence before the first tag');
  else if (sentences(summary) > 1) report(file, line, symbol, 'summary is more than one sentence (move the rest to @remarks)');
  let last = 0;
  let lastName = 'summary';
  for (const tag of tags) {
    const rank = RANK[tag.name];
    if (rank === undefined) continue;
    if (rank < last) report(file, line, symbol, `@${tag.name} after @${lastName} (order: summary, @remarks, @param/@returns, @throws, @example, @category, @since)`);
    else {
      last = rank;
      lastName = tag.name;
    }
  }
  if (!tags.some((t) => t.name === 'example')) report(file, line, symbol, 'no @example');
  if (!tags.some((t) => t.name === 'remarks')) report(file, line, symbol, 'no @remarks');
  const categories = tags.filter((t) => t.name === 'category');
  if (categories.length === 0) report(file, line, symbol, 'no @category');
  else if (categories.length > 1) report(file, line, symbol, `${categories.length} @category tags (exactly one allowed)`);
  for (const category of categories) {
    if (!CATEGORIES.has(category.value)) report(file, line, symbol, `@category "${category.value}" is not in the closed list (${[...CATEGORIES].join(', ')})`);
  }
  const since = tags.filter((t) => t.name === 'since');
  if (since.length === 0) report(file, line, symbol, 'no @since');
  for (const tag of since) if (tag.value === '') report(file, line, symbol, '@since without a version');
}

let exportCount = 0;
const packagesDir = join(repoRoot, 'packages');
for (const name of readdirSync(packagesDir).sort()) {
  const packageDir = join(packagesDir, name);
  const srcDir = join(packageDir, 'src');
  if (!existsSync(srcDir)) continue;

  // Module headers.
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, 'utf8').replace(/^#![^\n]*\n/, '');
    const header = /^\s*\/\*[\s\S]*?\*\//.exec(text);
    if (!header || !/@module\b/.test(header[0])) report(file, 1, '(module)', 'file does not start with a block comment containing @module');
    else if (!commentLines(header[0].trim()).join('\n').trim().endsWith('@module'))
      report(file, 1, '(module)', 'the header comment does not end with @module');
  }

  // Exports.
  const entries = ['src/index.ts'];
  if (name === 'core') entries.push('src/testing/index.ts', 'src/env.ts');
  if (name === 'process') entries.push('src/thread.ts');
  const roots = entries.map((entry) => join(packageDir, entry)).filter((path) => existsSync(path));
  const program = ts.createProgram(roots, {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const seen = new Set();
  for (const root of roots) {
    const source = program.getSourceFile(root);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) {
      report(root, 1, '(module)', 'entry point has no exports the compiler can see');
      continue;
    }
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const decls = (target.declarations ?? []).filter((d) => {
        const path = d.getSourceFile().fileName;
        return path.startsWith(srcDir.split(sep).join('/')) || path.startsWith(srcDir);
      });
      if (decls.length === 0) continue;
      const key = `${decls[0].getSourceFile().fileName}#${exported.getName()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      exportCount++;
      // Overloads and merged declarations: the first declaration with a doc comment documents them.
      let doc;
      let host = docHost(decls[0]);
      for (const decl of decls) {
        const found = leadingDoc(docHost(decl));
        if (found) {
          doc = found;
          host = docHost(decl);
          break;
        }
      }
      const sf = host.getSourceFile();
      const line = sf.getLineAndCharacterOfPosition(host.getStart(sf)).line + 1;
      if (!doc) report(sf.fileName, line, exported.getName(), 'no doc comment');
      else {
        checkDoc(sf.fileName, line, exported.getName(), doc.text);
        const decl = ts.isVariableStatement(host) ? decls[0] : host;
        checkSignature(checker, sf.fileName, line, exported.getName(), decl, parseDoc(doc.text).tags);
      }
    }
  }
}

for (const folder of READING_ORDERS) {
  for (const problem of readingOrder(join(repoRoot, folder)).problems) report(join(repoRoot, folder, 'README.md'), 1, 'reading order', problem);
}

for (const problem of otpSuiteProblems(repoRoot)) report(join(repoRoot, GUIDE_FILE), 1, 'supervisor_SUITE map', problem);

violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));
for (const v of violations) console.log(`${v.file}:${v.line} ${v.symbol}: ${v.rule}`);
console.log(`check-docs: ${exportCount} exports, ${violations.length} violations`);
process.exit(violations.length === 0 ? 0 : 1);
