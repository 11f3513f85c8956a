// Runs the same sequences on trellis, on the test clock: a honouring or deaf child's shutdown
// timer is moved on by exactly its SHUTDOWN_MS, as OTP's real timer runs out.
import {
  countChildren,
  defineDynamicSupervisor,
  defineSupervisor,
  deleteChild,
  exit,
  fromWorker,
  restartChild,
  startChild,
  startSupervisor,
  stopSupervisor,
  terminateChild,
  whichChildren,
  type ChildSpecInput,
  type SupervisorLogic,
  type SupervisorRef,
} from '@trellis/core';
import { createTestClock, settle, type TestClock } from '@trellis/core/testing';
import type { AnyActorRef } from 'xstate';
import type { Observation, Step, SupView } from './compare.js';
import { SHUTDOWN_MS, type Command, type Setup, type Spec, type SupSetup } from './sequences.js';

/** The in-process stand-in for otp_diff's worker process: one per id. */
interface Controller {
  failStarts: number | 'always';
  current: { resolve(v: unknown): void; reject(e: unknown): void } | undefined;
}

class Run {
  readonly clock: TestClock = createTestClock(1_000);
  readonly log: [string, string][] = [];
  private readonly controllers = new Map<string, Controller>();
  /** Dynamic children: trellis's generated id → the sequence's id, and the newest child of each id. */
  private readonly dynamicIds = new Map<string, string>();
  private readonly newest = new Map<string, string>();
  root: SupervisorRef | undefined;
  startFailed = false;
  events = 0;

  controller(id: string): Controller {
    let c = this.controllers.get(id);
    if (c === undefined) this.controllers.set(id, (c = { failStarts: 0, current: undefined }));
    return c;
  }

  record(what: string, id: string): void {
    // A killed worker's promise is abandoned, not settled: its end is known from the supervisor.
    if (what === 'down') this.controller(id).current = undefined;
    this.log.push([what, id]);
    this.events++;
  }

  /** A worker that fails its start while told to, and otherwise runs until a signal ends it. */
  worker(deaf: boolean, fixedId?: string) {
    return fromWorker<{ key?: string }>((ctx) => {
      const id = fixedId ?? ctx.input.key!;
      const c = this.controller(id);
      if (c.failStarts === 'always' || c.failStarts > 0) {
        if (c.failStarts !== 'always') c.failStarts--;
        this.record('fail', id);
        throw new Error('scripted start failure');
      }
      this.record('start', id);
      return new Promise((resolve, reject) => {
        const me = {
          resolve: (v: unknown) => {
            if (c.current === me) c.current = undefined;
            resolve(v);
          },
          reject: (e: unknown) => {
            if (c.current === me) c.current = undefined;
            reject(e);
          },
        };
        c.current = me;
        ctx.signal.addEventListener('abort', () => {
          if (!deaf) me.resolve(exit.shutdown());
        });
      });
    });
  }

  spec(s: Spec): ChildSpecInput {
    if (s.sup !== undefined) return { id: s.id, start: this.sup(s.id, s.sup), restart: s.restart, significant: s.significant, shutdown: 'infinity' };
    return { id: s.id, start: this.worker(s.stop === 'deaf', s.id), restart: s.restart, significant: s.significant, shutdown: s.stop === 'brutal_kill' ? 'brutal_kill' : SHUTDOWN_MS };
  }

  sup(id: string, s: SupSetup): SupervisorLogic {
    return defineSupervisor({ id, strategy: s.strategy, intensity: s.intensity, periodMs: 3_600_000, autoShutdown: s.autoShutdown, children: s.specs.map((c) => this.spec(c)) });
  }

  async start(setup: Setup): Promise<string> {
    const logic =
      setup.kind === 'static'
        ? this.sup('root', setup.root)
        : defineDynamicSupervisor({
            id: 'root',
            intensity: setup.intensity,
            periodMs: 3_600_000,
            child: { id: 'worker', start: this.worker(setup.template.stop === 'deaf'), restart: setup.template.restart, shutdown: setup.template.stop === 'brutal_kill' ? 'brutal_kill' : SHUTDOWN_MS },
          });
    // Every supervisor of the tree, nested ones and their later incarnations included, reports its
    // children's ends: subscribe to each actor as XState creates it (`on` of an actor that emits
    // nothing is harmless).
    const started = startSupervisor(logic, {
      clock: this.clock,
      // The comparator checks every give-up itself: opting out of the stderr line keeps CI's log readable.
      onGiveUp: () => {},
      inspect: (e) => {
        if (e.type === '@xstate.actor') (e.actorRef as AnyActorRef).on('sup.child.exited', (f: { child: string }) => this.record('down', this.dynamicIds.get(f.child) ?? f.child));
      },
    });
    const outcome = await this.settled(started);
    if (!outcome.ok) {
      this.startFailed = true;
      return replyOf(outcome);
    }
    this.root = outcome.value;
    return 'ok';
  }

  /** Awaits a command while moving the test clock, so a deaf child's shutdown timer can run out. */
  async settled<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
    let done: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    promise.then(
      (value) => (done = { ok: true, value }),
      (error: unknown) => (done = { ok: false, error }),
    );
    for (let i = 0; i < 10_000 && done === undefined; i++) {
      await settle();
      if (done === undefined && this.clock.pending() > 0) this.clock.advance(SHUTDOWN_MS);
    }
    if (done === undefined) throw new Error('a trellis command never settled');
    return done;
  }

  /** Quiet: no timer pending and nothing logged for three event-loop turns (a restart loop retries once per turn). */
  async quiet(): Promise<void> {
    let stable = 0;
    let last = -1;
    for (let i = 0; i < 100_000; i++) {
      await settle();
      if (this.clock.pending() > 0) {
        this.clock.advance(SHUTDOWN_MS);
        stable = 0;
        continue;
      }
      if (this.events === last) {
        if (++stable >= 3) return;
      } else {
        stable = 0;
        last = this.events;
      }
    }
    throw new Error('trellis never became quiet');
  }

  ended(): boolean {
    return this.root === undefined || this.root.getSnapshot().status === 'done';
  }

  async command(c: Command): Promise<string> {
    const root = this.root;
    if (root === undefined || this.ended()) return 'not_running';
    switch (c.k) {
      case 'signal': {
        const cur = this.controller(c.id).current;
        if (cur === undefined) return 'not_running';
        if (c.signal === 'crash') cur.reject(new Error('crash'));
        else if (c.signal === 'normal') cur.resolve(undefined);
        else if (c.signal === 'shutdown') cur.resolve(exit.shutdown());
        else cur.resolve(exit.of('killed'));
        return 'ok';
      }
      case 'failStarts':
        this.controller(c.id).failStarts = c.n;
        return 'ok';
      case 'terminate':
        return replyOf(await this.settled(terminateChild(root, c.id)));
      case 'restart':
        return replyOf(await this.settled(restartChild(root, c.id)));
      case 'delete':
        return replyOf(await this.settled(deleteChild(root, c.id)));
      case 'startChild':
        return replyOf(await this.settled(startChild(root, this.spec(c.spec))));
      case 'startDynamic': {
        const out = await this.settled(startChild(root, { input: { key: c.id } }));
        if (out.ok) {
          this.dynamicIds.set(out.value.id, c.id);
          this.newest.set(c.id, out.value.id);
        }
        return replyOf(out);
      }
      case 'terminateDynamic': {
        const tid = this.newest.get(c.id);
        if (tid === undefined || this.controller(c.id).current === undefined) return 'error:not_found';
        return replyOf(await this.settled(terminateChild(root, tid)));
      }
    }
  }

  observe(dynamic: boolean): Observation {
    const log = this.log.splice(0);
    if (this.startFailed) return { exit: 'start_failed', sups: [], log };
    const snap = this.root!.getSnapshot();
    if (snap.status === 'done') return { exit: String((snap.output as { reason: string }).reason), sups: [], log };
    return { exit: 'none', sups: tree(this.root!, 'root', dynamic), log };
  }
}

function tree(ref: SupervisorRef | AnyActorRef, path: string, dynamic: boolean): SupView[] {
  const kids = whichChildren(ref as SupervisorRef);
  const c = countChildren(ref as SupervisorRef);
  const self: SupView = { path, children: kids.map((k) => [dynamic ? 'dynamic' : k.id, k.status, k.type]), counts: [c.specs, c.active, c.supervisors, c.workers] };
  const nested = kids.filter((k) => k.type === 'supervisor' && k.status === 'running' && k.ref !== undefined).flatMap((k) => tree(k.ref!, k.id, false));
  return [self, ...nested];
}

function replyOf(outcome: { ok: true; value: unknown } | { ok: false; error: unknown }): string {
  if (outcome.ok) return 'ok';
  const code = (outcome.error as { code?: unknown }).code;
  return typeof code === 'string' ? `error:${code}` : `unexpected:${String(outcome.error)}`;
}

/** Runs one sequence on a fresh trellis tree; one step per command, as OtpRunner.run. */
export async function runTrellis(setup: Setup, commands: readonly Command[]): Promise<Step[]> {
  const run = new Run();
  const dynamic = setup.kind === 'dynamic';
  const steps: Step[] = [];
  const reply = await run.start(setup);
  await run.quiet();
  steps.push({ reply, obs: run.observe(dynamic) });
  for (const c of commands) {
    const r = await run.command(c);
    await run.quiet();
    steps.push({ reply: r, obs: run.observe(dynamic) });
  }
  if (run.root !== undefined && !run.ended()) await run.settled(stopSupervisor(run.root, 'shutdown'));
  return steps;
}
