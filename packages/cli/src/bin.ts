#!/usr/bin/env node
/**
 * The `trellis` binary: `run`, `check` and `tree` a tree config. Parses the command line with
 * `node:util` `parseArgs`, prints usage errors with exit code 2 and any other error with 1.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { check, checkHelp } from './commands/check.js';
import { run, runHelp } from './commands/run.js';
import { processIo, UsageError } from './commands/shared.js';
import { tree, treeHelp } from './commands/tree.js';

const help = `Usage: trellis <command> [options]

Commands:
  run <config>     start a supervision tree; pino logs on stdout; SIGTERM/SIGINT stop it in order;
                   SIGHUP reloads it (a rolling restart)
  check <config>   validate every child spec of a tree config and print every error
  tree <config>    print the static tree of a config

A config is a TS or JS module whose default export is a supervisor (defineSupervisor from
@trellis/core), a raw tree config (defineTreeConfig from @trellis/cli) or { root, http? }.

Options:
  -h, --help       show help (also: trellis <command> --help)
  -v, --version    print the version`;

const commands = { run: [run, runHelp], check: [check, checkHelp], tree: [tree, treeHelp] } as const;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    if (name === 'help' && rest[0] !== undefined && rest[0] in commands) processIo.out(commands[rest[0] as keyof typeof commands][1]);
    else processIo.out(help);
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    processIo.out(pkg.version);
    return 0;
  }
  const command = commands[name as keyof typeof commands];
  if (command === undefined) throw new UsageError(`unknown command '${name}'`);
  try {
    return await command[0](rest, processIo);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      processIo.err(`trellis ${name}: ${(error as Error).message}\n\n${command[1]}`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      processIo.err(`trellis: ${error.message}\n\n${help}`);
      process.exit(2);
    }
    processIo.err(`trellis: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
