/**
 * `@trellis/core`: OTP-exact supervision trees for TypeScript, where every supervisor is an
 * XState v5 machine and every (re)started child gets a persistent ResumeID, its incarnation
 * and the exit status of the incarnation before it.
 *
 * @mergeModuleWith <project>
 * @module
 */
export { backoffDelay, backoffStarted, initialBackoffState, nextAttempt, type BackoffState, type BackoffStep } from './backoff.js';
export { childProtocolOf, notifyReady, READY_EVENT, SHUTDOWN_REQUEST, withChildProtocol, type ChildProtocol } from './childProtocol.js';
export { childSpec, childSpecIssues, isChildSpec } from './childSpec.js';
export { defineDynamicSupervisor, type DynamicSupervisorConfig, type DynamicSupervisorLogic, type DynamicSupervisorRef } from './defineDynamicSupervisor.js';
export { isClock, systemClock, type Clock } from './clock.js';
export {
  defineSupervisor,
  supervisorConfigIssues,
  type SupervisorContext,
  type SupervisorEvent,
  type SupervisorInput,
  type SupervisorLogic,
  type StaticSupervisorRef,
  type SupervisorRef,
} from './defineSupervisor.js';
export {
  countChildren,
  deleteChild,
  getChildSpec,
  restartBudgetUsage,
  restartChild,
  startChild,
  startSupervisor,
  stopSupervisor,
  terminateChild,
  whichChildren,
  type StartSupervisorOptions,
} from './commands.js';
export { handoverFromEnv, handoverToEnv, HandoverEnvError } from './env.js';
export { rollingRestart, type RollingRestartOptions, type RollingRestartReport } from './rollingRestart.js';
export {
  ChildAlreadyPresentError,
  ChildAlreadyStartedError,
  ChildNotFoundError,
  ChildRestartingError,
  ChildRunningError,
  DuplicateChildIdError,
  DynamicSupervisorError,
  InvalidChildSpecError,
  InvalidSupervisorFlagsError,
  isSupervisorError,
  MaxChildrenError,
  StartChildError,
  SupervisorArgumentError,
  SupervisorError,
  SupervisorNotRunningError,
  type SupervisorErrorCode,
} from './errors.js';
export type {
  ChildExitedEvent,
  ChildReplacedEvent,
  ChildRestartingEvent,
  ChildStartedEvent,
  ChildStartFailedEvent,
  IntensityExceededEvent,
  RollingRestartAbortedEvent,
  RollingRestartCompletedEvent,
  RollingRestartStartedEvent,
  ShutdownTimedOutEvent,
  SupervisorFact,
  SupervisorStoppedEvent,
  SupervisorStoppingEvent,
} from './events.js';
export { EXIT_REASONS, isExitReason, type ExitReason, type TimeoutDetail } from './exitReasons.js';
export { exit, isExitRequest, serializeError, type ExitRequest } from './exit.js';
export {
  fileHandoverStore,
  HandoverStoreError,
  type FileHandoverStoreOptions,
  type HandoverEntry,
  type HandoverStore,
} from './handover/HandoverStore.js';
export { fromWorker, type WorkerContext, type WorkerInput, type WorkerLogic, type WorkerOptions, type WorkerSnapshot } from './fromWorker.js';
export { RestartWindow } from './intensity.js';
export { stopOnSignals, type SignalAction, type SignalSource, type SignalStop, type StopOnSignalsOptions, type StopSignal } from './signals/stopOnSignals.js';
export { silentLogger, type LogFn, type Logger } from './logger.js';
export { decideRestart, type RestartDecision } from './restartDecision.js';
export { levelOf, toReport, type ErrorContext, type Offender, type Report, type ReportContext, type ReportLevel } from './reports/toReport.js';
export { toJSONValue, type JsonValue } from './reports/toJSONValue.js';
export type { SubStatus } from './subStatus.js';
export { closestKey, unknownKeyMessage, unknownKeys } from './validation/unknownKeys.js';
export { poolMemberId, poolSpecs, resizePool, type PoolOptions } from './pool.js';
export { DecayingRestartBudget, intensityBudget, type DecayingBudgetOptions, type RestartBudget, type RestartBudgetUsage, type RestartVerdict } from './restartBudget.js';
export { planRestart, type PlanChild, type RestartPlan } from './strategies.js';
export type {
  AutoShutdown,
  Backoff,
  ChildCounts,
  ChildId,
  ChildInfo,
  ChildSpec,
  ChildSpecInput,
  ChildStatus,
  ChildType,
  DynamicChildInput,
  ExitStatus,
  Handover,
  HealthCheck,
  RestartType,
  Shutdown,
  Strategy,
  SupervisorConfig,
  SupervisorExit,
} from './types.js';
