/**
 * `trellis tree <config>`: print the static tree of a config.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { describeTree, formatTree } from '../check.js';
import { loadConfig } from '../config.js';
import { type Io, UsageError } from './shared.js';

export const treeHelp = `Usage: trellis tree <config> [--json]

Prints the tree a config declares: supervisors with their strategy and intensity, children
in start order with their restart type and shutdown. Nothing is started.

Children of a config whose default export is already a supervisor (defineSupervisor) cannot be
listed without starting it; export defineTreeConfig({...}) from @trellis/cli instead.

Options:
  --json      print the tree as JSON
  -h, --help  show this help`;

export async function tree(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    io.out(treeHelp);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError('tree takes exactly one config file');
  const loaded = await loadConfig(file);
  if (loaded.raw === undefined) {
    const logic = loaded.logic();
    const id = (logic as { id?: string }).id ?? 'root';
    if (values.json) io.out(JSON.stringify({ id, path: id, type: 'supervisor', children: null }));
    else io.out(`${id}  supervisor  (children are known only once started: export defineTreeConfig({...}) to print them)`);
    return 0;
  }
  const root = describeTree(loaded.raw);
  io.out(values.json ? JSON.stringify(root, null, 2) : formatTree(root));
  return 0;
}
