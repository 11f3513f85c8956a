/**
 * `@trellis/observe`: operations for trellis trees. One subscription to the facts of a whole
 * tree ({@link observeTree}), OTP-style pino reports ({@link createPinoReporter}), Prometheus
 * metrics ({@link createMetrics}), the tree as data ({@link reduceTree}, {@link tree}) and the
 * HTTP endpoints `/healthz`, `/readyz`, `/metrics` and `/tree` ({@link createHealthServer}), and a
 * live dashboard at `/ui` ({@link createDashboard}).
 *
 * @module
 */
export { createDashboard, type Dashboard, type DashboardOptions } from './dashboard/createDashboard.js';
export { createHealthServer, type BoundAddress, type HealthServer, type HealthServerOptions } from './http.js';
export { createMetrics, type MetricsOptions, type TrellisMetrics } from './metrics.js';
export { createTreeObserver, fanOut, observeTree, type FactHandler, type TreeObserver, type TreeObserverOptions, type Unsubscribe } from './observeTree.js';
export { attachPinoReporter, createPinoReporter } from './pinoReporter.js';
export { levelOf, toReport, type ErrorContext, type Offender, type Report, type ReportLevel } from './reports.js';
export { serializeFact, toJSONValue, type JsonValue, type SerializedFact } from './serialize.js';
export { emptyTree, notRunning, reduceTree, tree, type ChildModel, type SupervisorModel, type TreeNode, type TreeState } from './treeModel.js';
