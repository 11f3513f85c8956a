export interface PublicEntry {
  /** `@trellis/core`, `@trellis/core/testing`, … */
  readonly specifier: string;
  /** Absolute path of its source file. */
  readonly file: string;
}
export declare const repoRoot: string;
export declare function publicEntries(root?: string): PublicEntry[];
/** For vite/vitest `resolve.alias`. */
export declare const aliases: { find: RegExp; replacement: string }[];
/** For TypeScript `compilerOptions.paths`. */
export declare const paths: Record<string, string[]>;
