/**
 * Run: `npx --yes pnpm@10.34.9 --filter @trellis/example-handover-resume start`.
 *
 * Part 1: the importer crashes twice and resumes from its checkpoint each time, printing the
 * handover of every incarnation. Part 2: the whole tree is stopped and started again on the same
 * handover journal, as a new program would be: incarnations continue.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
import { buildTree, finished } from './resume.js';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'trellis-resume-'));
const log = (line: string) => console.log(line);

console.log(`-- program 1 (state in ${dir})`);
const first = await startSupervisor(buildTree({ dir, total: 10, crashAt: [4, 8], log }));
await finished(first);
console.log(`   importer: ${JSON.stringify(whichChildren(first).map(({ status, incarnation, restarts }) => ({ status, incarnation, restarts }))[0])}`);
console.log(`   app stopped: ${JSON.stringify(await stopSupervisor(first))}`);

console.log('-- program 2 (same journal: the history continues)');
const second = await startSupervisor(buildTree({ dir, total: 12, crashAt: [], log }));
await finished(second);
console.log(`   app stopped: ${JSON.stringify(await stopSupervisor(second))}`);
