/**
 * The logger a supervisor reports through: a structural subset of pino, so a real `pino()`
 * instance fits, while `@trellis/core` never imports pino.
 *
 * @module
 */

/**
 * One logging method of {@link Logger}: pino's `(obj, msg)` form.
 *
 * @remarks
 * Called with a bindings object and an optional message, so a pino logger's methods fit as they
 * are. A logger that throws is guarded: its error never reaches the supervisor.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { LogFn } from '@trellis/core';
 * const lines: string[] = [];
 * const info: LogFn = (obj, msg) => lines.push(`${msg ?? ''} ${JSON.stringify(obj)}`);
 * info({ child: 'db' }, 'started');
 * assert.equal(lines[0], 'started {"child":"db"}');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type LogFn = (obj: object, msg?: string) => void;

/**
 * What a supervisor needs of a logger: pino's `child`, level methods and `isLevelEnabled`.
 *
 * @remarks
 * Supervisors make one child logger per supervisor (`{ supervisor: path }`) and one per child
 * incarnation (`{ child, incarnation }`), so bindings are serialised once, as pino recommends.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, type Logger } from '@trellis/core';
 * const lines: unknown[] = [];
 * const logger: Logger = {
 *   child: () => logger,
 *   debug: () => {},
 *   info: (obj) => lines.push(obj),
 *   warn: (obj) => lines.push(obj),
 *   error: (obj) => lines.push(obj),
 * };
 * assert.ok(defineSupervisor({ id: 'root', children: [], logger }));
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface Logger {
  /** A logger that adds `bindings` to every record it writes, as pino's `child`. */
  child(bindings: Record<string, unknown>): Logger;
  /** Writes a record at level `debug`. */
  debug: LogFn;
  /** Writes a record at level `info`. */
  info: LogFn;
  /** Writes a record at level `warn`. */
  warn: LogFn;
  /** Writes a record at level `error`. */
  error: LogFn;
  /** Whether records at `level` are written, as pino's `isLevelEnabled`; optional. */
  isLevelEnabled?(level: string): boolean;
}

const noop: LogFn = () => {};

/**
 * A logger that drops everything: the default at the root of a tree.
 *
 * @remarks
 * A tree logs nothing unless a `logger` is given in its {@link SupervisorConfig}. Every method is a
 * no-op and `isLevelEnabled` is always false, so callers can skip building log objects.
 *
 * @example
 * ```ts
 * import { silentLogger } from '@trellis/core';
 * silentLogger.child({ supervisor: 'root' }).info({ event: 'x' }, 'ignored');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export const silentLogger: Logger = {
  child: () => silentLogger,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  isLevelEnabled: () => false,
};

/**
 * Wraps a logger so that a throwing logger can never take down the supervisor that reports
 * through it: every call is guarded, and child loggers are guarded too. What a broken logger
 * throws is dropped (there is nowhere safer to report it).
 */
const guardedLoggers = new WeakSet<Logger>();

export function guardLogger(logger: Logger): Logger {
  if (logger === silentLogger || guardedLoggers.has(logger)) return logger;
  const guard =
    (fn: LogFn): LogFn =>
    (obj, msg) => {
      try {
        fn.call(logger, obj, msg);
      } catch {
        // a logger that throws must not break supervision
      }
    };
  const guarded: Logger = {
    child: (bindings) => {
      try {
        return guardLogger(logger.child(bindings));
      } catch {
        return guarded;
      }
    },
    debug: guard(logger.debug),
    info: guard(logger.info),
    warn: guard(logger.warn),
    error: guard(logger.error),
  };
  if (typeof logger.isLevelEnabled === 'function') {
    guarded.isLevelEnabled = (level) => {
      try {
        return logger.isLevelEnabled!(level);
      } catch {
        return false;
      }
    };
  }
  guardedLoggers.add(guarded);
  return guarded;
}
