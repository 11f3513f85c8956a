/**
 * What the commands share: writing to stdout/stderr, usage errors and address parsing.
 *
 * @module
 */

/** Where a command writes; the binary passes process.stdout/stderr. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** The process's own streams. */
export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** A bad command line: the binary prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses `host:port` (`[::1]:9464` for IPv6; a bare port means 127.0.0.1). */
export function parseAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--http must be HOST:PORT such as 127.0.0.1:9464 (got '${value}')`);
  return { host: match[1] || match[2] || '127.0.0.1', port };
}
