/**
 * `trellis check <config>`: validate every child spec of a tree config and print every error.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { checkTreeConfig } from '../check.js';
import { ConfigLoadError, loadConfig } from '../config.js';
import { type Io, UsageError } from './shared.js';

export const checkHelp = `Usage: trellis check <config> [--json]

Validates every supervisor and child spec of a tree config and prints every error with its
path (OTP's check_childspecs, for a whole tree). Exits 0 when valid, 1 otherwise.

A config whose default export is already a supervisor (defineSupervisor) was validated when it
was imported, and defineSupervisor stops at the first error; export defineTreeConfig({...})
from @trellis/cli instead to see every error.

Options:
  --json      print the errors as JSON
  -h, --help  show this help`;

export async function check(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.out(checkHelp);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError('check takes exactly one config file');
  let loaded;
  try {
    loaded = await loadConfig(file);
  } catch (error) {
    const cause = error instanceof ConfigLoadError ? error.cause : error;
    const code = typeof (cause as { code?: unknown })?.code === 'string' ? (cause as { code: string }).code : 'config_load_failed';
    const message = error instanceof Error ? error.message : String(error);
    if (values.json) io.out(JSON.stringify({ ok: false, issues: [{ path: file, code, message }] }));
    else io.err(`✗ ${message}`);
    return 1;
  }
  const issues = loaded.raw === undefined ? [] : checkTreeConfig(loaded.raw);
  if (values.json) {
    io.out(JSON.stringify({ ok: issues.length === 0, issues }));
  } else if (issues.length === 0) {
    io.out(loaded.raw === undefined ? `✓ ${file}: valid (a defineSupervisor tree, validated when defined)` : `✓ ${file}: valid`);
  } else {
    for (const issue of issues) io.err(`✗ ${issue.path}: ${issue.message} [${issue.code}]`);
    io.err(`${issues.length} error${issues.length === 1 ? '' : 's'} in ${file}`);
  }
  return issues.length === 0 ? 0 : 1;
}
