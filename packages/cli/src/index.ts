/**
 * `@trellis/cli`: the `trellis` binary (`trellis run | check | tree <config>`) and the helpers
 * a config module uses: {@link defineTreeConfig} for a raw tree config that `trellis check`
 * can report every error of, plus the loader and static checks the binary is built on.
 *
 * @module
 */
export { checkTreeConfig, describeTree, formatTree, type StaticNode, type TreeIssue } from './check.js';
export {
  ConfigLoadError,
  defineTreeConfig,
  isSupervisorLogic,
  isTreeConfig,
  loadConfig,
  toSupervisorLogic,
  type LoadedConfig,
  type TreeChildInput,
  type TreeConfig,
  type TreeModule,
} from './config.js';
