/**
 * `@trellis/schedule`: scheduled children for trellis trees. `fromSchedule(run, options)` makes a
 * child that starts `run` at each due time of a cron expression (with a time zone) or a fixed
 * interval, with no overlap by default, no run at boot unless asked, a missed-run policy read from
 * the durable handover, and jitter; a failing run is a crash under the supervisor's intensity.
 *
 * @module
 */
export { fromSchedule, type LastRun, type ScheduleLogic, type ScheduleSnapshot } from './fromSchedule.js';
export type { ScheduleOptions } from './scheduleOptions.js';
