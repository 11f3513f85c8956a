/**
 * `@trellis/process`: OS processes as supervised children of a trellis tree. `fromProcess()`
 * makes actor logic for a child spec; each incarnation is a process group that gets its
 * handover in `TRELLIS_*` variables, is stopped with SIGTERM then SIGKILL, can be watched by
 * readiness and liveness probes, has its output logged in bounded lines, and never outlives
 * the Node process that supervises it.
 *
 * @module
 */
export { InvalidProcessOptionsError, isProcessError, ProcessError, ReadinessTimeoutError, SpawnError, type ProcessErrorCode } from './errors.js';
export { exitReasonOf, ProcessCrashError, type ExitFacts } from './exitStatus.js';
export { fromProcess, type ProcessActorLogic, type ProcessActorRef, type ProcessInput, type ProcessSnapshot } from './fromProcess.js';
export { setDefaultProcessLogger } from './defaultLogger.js';
export { createNodeSpawner, nodeSpawner, type NodeSpawnerOptions } from './nodeSpawner.js';
export type { MemoryLimit } from './memory/memoryLimit.js';
export type { OutputOptions, ProcessOptions } from './options.js';
export type { Liveness, LivenessProbe, Readiness } from './probes.js';
export { SPAWN_CHANNEL, type SpawnMessage } from './spawnChannel.js';
export type { ProcessExitInfo, ProcessHandle, ProcessSpawner, SpawnOptions } from './spawner.js';
export { fromWorkerThread, type WorkerThreadLogic, type WorkerThreadSnapshot } from './workerThread/fromWorkerThread.js';
export { ThreadCrashError, threadExitOf, type ThreadExitFacts } from './workerThread/threadExit.js';
export type { ThreadResourceLimits, WorkerThreadOptions } from './workerThread/threadOptions.js';
