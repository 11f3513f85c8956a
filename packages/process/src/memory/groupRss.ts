/**
 * The resident set size of a process group: what a memory limit samples. Linux reads
 * `/proc/<pid>/stat` (the group of each process and its RSS in pages) without spawning anything;
 * elsewhere one `ps` call lists every process's group and RSS.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

/** The page size `/proc/<pid>/stat`'s `rss` field counts in; 4 KiB on every Linux Node supports but a few arm64 kernels. */
const PAGE_BYTES = 4096;

/**
 * `[pgrp, rssBytes]` from the text of `/proc/<pid>/stat`, or `undefined` when it does not parse.
 * The command name (field 2) may hold spaces and parentheses, so fields are counted from the last `)`.
 */
export function parseProcStat(text: string, pageBytes = PAGE_BYTES): readonly [number, number] | undefined {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state(3) ppid(4) pgrp(5) ... rss(24), so index 2 is pgrp and 21 is rss.
  const pgrp = Number(rest[2]);
  const pages = Number(rest[21]);
  if (!Number.isInteger(pgrp) || !Number.isInteger(pages)) return undefined;
  return [pgrp, pages * pageBytes];
}

/** The summed RSS in bytes of the processes of group `pgid`, from `ps -A -o pgid=,rss=` output (RSS in KiB). */
export function parsePsOutput(text: string, pgid: number): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const [group, kib] = line.trim().split(/\s+/).map(Number);
    if (group === pgid && Number.isFinite(kib)) total += (kib as number) * 1024;
  }
  return total;
}

async function procGroupRss(pgid: number): Promise<number | undefined> {
  let total = 0;
  let seen = false;
  for (const entry of await readdir('/proc')) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue; // not a pid
    let text: string;
    try {
      text = await readFile(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // it exited while we looked
    }
    const parsed = parseProcStat(text);
    if (parsed !== undefined && parsed[0] === pgid) {
      total += parsed[1];
      seen = true;
    }
  }
  return seen ? total : undefined;
}

function psGroupRss(pgid: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile('ps', ['-A', '-o', 'pgid=,rss='], { timeout: 5_000 }, (error, stdout) => {
      if (error !== null) resolve(undefined);
      else {
        const total = parsePsOutput(stdout, pgid);
        resolve(total > 0 ? total : undefined);
      }
    });
  });
}

/**
 * The summed resident set size, in bytes, of every process in the group led by `pgid`: the
 * leader and whatever it started (a shell wrapper's `node`, a server's workers). `undefined` when
 * the group has no process left, or cannot be read.
 */
export function groupRssBytes(pgid: number): Promise<number | undefined> {
  return process.platform === 'linux' ? procGroupRss(pgid) : psGroupRss(pgid);
}
