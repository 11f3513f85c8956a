/**
 * `trellis run <config>`: start a tree, log its facts with pino to stdout, serve the HTTP
 * endpoints on request, stop it in order on SIGTERM/SIGINT, reload it (a rolling restart) on SIGHUP.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { startSupervisor, stopOnSignals, stopSupervisor, type SupervisorExit, type SupervisorRef } from '@trellis/core';
import { reloadOnHangup } from './reload.js';
import { createDashboard, createHealthServer, createMetrics, createPinoReporter, createTreeObserver, fanOut, type HealthServer } from '@trellis/observe';
import { setDefaultProcessLogger } from '@trellis/process';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { logSignal } from './logSignal.js';
import { type Io, parseAddress, UsageError } from './shared.js';
import { startOtel } from '../otel/startOtel.js';

export const runHelp = `Usage: trellis run <config> [--http HOST:PORT] [--ui-actions] [--log-level LEVEL] [--otel] [--reload PATH]

Starts the tree a config module exports (TS or JS; TS is loaded without a build step) and
logs every supervisor report as one pino JSON line on stdout. The default export is a
supervisor from defineSupervisor, a defineTreeConfig({...}) config, or { root, http? }.

SIGTERM or SIGINT stops the tree in order (children in reverse start order, each by its
shutdown) and exits 0. Repeats are ignored (launchers send signals in pairs), except a SIGINT
1 s or more after the first, which exits at once with 130. Every process child's output is
logged (stdout at info, stderr at warn) unless it has a logger of its own.
SIGHUP reloads: a rolling restart (rollingRestart, defaults) of the root's worker children, or
of the supervisor --reload names; each replacement is ready before the child it replaces stops.
The order is logged (event "reload.started"), then "reload.completed" or "reload.aborted".
Exits 1 when the tree fails to start or the root supervisor gives up.

Options:
  --http HOST:PORT   serve /healthz /readyz /metrics /tree and the live dashboard at /ui
                     (port 0 picks a free port; the bound address is logged as event
                     "http.listening" and the page's URL printed); default none, or the config's http
  --ui-actions       let the dashboard terminate and restart children; the URL printed
                     then carries the token the actions need (#token=...)
  --log-level LEVEL  trace|debug|info|warn|error|fatal|silent; default $TRELLIS_LOG_LEVEL or info
  --otel             also export traces, metrics and logs with OpenTelemetry, configured by the
                     standard OTEL_* variables (default OTLP/HTTP to localhost:4318)
  --reload PATH      the supervisor SIGHUP reloads, by its path in the tree (e.g. root/web);
                     default the root
  -h, --help         show this help`;

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

function gaveUp(exit: SupervisorExit | undefined): boolean {
  return exit?.detail === 'reached_max_restart_intensity' || exit?.detail instanceof Error;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      http: { type: 'string' },
      'ui-actions': { type: 'boolean' },
      'log-level': { type: 'string' },
      otel: { type: 'boolean' },
      reload: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(runHelp);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError('run takes exactly one config file');
  const level = values['log-level'] ?? process.env.TRELLIS_LOG_LEVEL ?? 'info';
  if (!LEVELS.has(level)) throw new UsageError(`--log-level must be one of ${[...LEVELS].join(', ')} (got '${level}')`);
  const httpFlag = values.http === undefined ? undefined : parseAddress(values.http);
  const reloadPath = values.reload;
  if (reloadPath !== undefined && (reloadPath.length === 0 || reloadPath.startsWith('/') || reloadPath.endsWith('/') || reloadPath.includes('//')))
    throw new UsageError(`--reload must be a supervisor's path in the tree, such as root/web (got '${reloadPath}')`);

  const logger = pino({ level, name: 'trellis' }, pino.destination({ dest: 1, sync: true }));
  const dashboard = createDashboard({ actions: values['ui-actions'] === true });
  // Process children without a logger of their own log here, and the dashboard keeps their last lines.
  const restoreProcessLogger = setDefaultProcessLogger(dashboard.outputLogger(logger));
  const loaded = await loadConfig(file);
  const http = httpFlag ?? (loaded.http === undefined ? undefined : parseAddress(loaded.http));

  const metrics = createMetrics({ defaultMetrics: true });
  const otel = values.otel === true ? await startOtel() : undefined;
  // One inspect option per actor system: the tree observer forwards to the telemetry's.
  const observer = createTreeObserver(fanOut(createPinoReporter(logger), metrics.handle, dashboard.handle), otel === undefined ? {} : { inspect: otel.inspect });

  let root: SupervisorRef | undefined;
  let server: HealthServer | undefined;
  let settle: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    settle = resolve;
  });
  // No timer of our own keeps the program up: the started tree holds it (decision 0008).
  const starting = startSupervisor(loaded.logic(), { inspect: observer.inspect });
  // Handled from before the tree has started, so a signal that arrives meanwhile is not lost.
  const signals = stopOnSignals(starting, { onSignal: logSignal(logger) });
  // SIGHUP's default would end the program: it is a reload here, from the start on (ignored until the tree runs).
  const reload = reloadOnHangup(starting, { logger, path: reloadPath, stopping: () => signals.signal !== undefined });
  const finish = async (code: number): Promise<void> => {
    reload.dispose();
    restoreProcessLogger();
    await server?.close();
    dashboard.close();
    observer.unsubscribe();
    await otel?.shutdown();
    // Last: a launcher's second signal that arrives while the server closes or telemetry flushes
    // must still find our listeners, not Node's default exit (decision 0010).
    signals.dispose();
    settle(code);
  };
  signals.stopped.then(
    (exit) => {
      logger.info({ event: 'tree.stopped', exit }, 'tree stopped');
      void finish(0);
    },
    (error: unknown) => {
      logger.error({ event: 'tree.stopFailed', err: error }, 'the tree did not stop cleanly');
      void finish(1);
    },
  );

  try {
    root = await starting;
  } catch (error) {
    logger.fatal({ event: 'tree.startFailed', err: error }, 'the tree failed to start');
    io.err(`trellis: the tree in ${file} failed to start: ${error instanceof Error ? error.message : String(error)}`);
    await finish(1);
    return 1;
  }
  const started = root;
  metrics.track(started);
  const rootId = (started as { logic?: { id?: string } }).logic?.id ?? started.id;
  if (signals.signal !== undefined) return done; // a signal arrived while the tree was starting: it is stopping

  if (http !== undefined) {
    server = createHealthServer({ root: started, metrics, dashboard, host: http.host, port: http.port });
    try {
      const bound = await server.listen();
      const ui = `${bound.url}/ui${dashboard.token === undefined ? '' : `#token=${dashboard.token}`}`;
      logger.info({ event: 'http.listening', ...bound, ui }, `serving /healthz /readyz /metrics /tree at ${bound.url}`);
      io.err(`trellis: dashboard at ${ui}`);
    } catch (error) {
      logger.fatal({ event: 'http.failed', err: error }, 'cannot serve the HTTP endpoints');
      io.err(`trellis: cannot listen on ${values.http ?? loaded.http}: ${error instanceof Error ? error.message : String(error)}`);
      server = undefined;
      await stopSupervisor(started);
      await finish(1);
      return 1;
    }
  }
  logger.info({ event: 'tree.started', root: rootId, pid: process.pid }, 'tree started');

  const onEnd = (exit: SupervisorExit | undefined, error?: unknown): void => {
    if (signals.signal !== undefined) return;
    subscription.unsubscribe();
    if (error !== undefined) {
      logger.fatal({ event: 'tree.failed', err: error }, 'the root supervisor failed');
      io.err(`trellis: the root supervisor '${rootId}' failed: ${error instanceof Error ? error.message : String(error)}`);
      void finish(1);
    } else if (gaveUp(exit)) {
      logger.fatal({ event: 'tree.gaveUp', exit }, 'the root supervisor gave up');
      io.err(`trellis: the root supervisor '${rootId}' gave up (${String(exit?.detail)}); exiting 1`);
      void finish(1);
    } else {
      logger.info({ event: 'tree.ended', exit }, 'the root supervisor ended by itself');
      void finish(0);
    }
  };
  const subscription = started.subscribe({
    next: (snapshot) => {
      if (snapshot.status === 'done') onEnd(snapshot.output);
    },
    error: (error) => onEnd(undefined, error ?? new Error('unknown error')),
  });
  const now = started.getSnapshot();
  if (now.status === 'done') onEnd(now.output); // ended before we subscribed
  return done;
}
