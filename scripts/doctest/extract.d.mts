/** One ```ts fence of an `@example` block. */
export interface Example {
  /** Source file, relative to the package root, with `/` separators. */
  readonly file: string;
  /** 1-based source line of the fence's first code line. */
  readonly line: number;
  /** What the doc comment documents: `name` or `Container.member` (best effort). */
  readonly symbol: string;
  /** The `@example` title, or `''`. */
  readonly title: string;
  /** The fence's code, comment markers stripped. */
  readonly code: string;
  /** False for `no-run` fences and fences with `declare const`: they are only type-checked. */
  readonly runnable: boolean;
}

export interface WrittenExample extends Example {
  /** Absolute path of the generated module. */
  readonly path: string;
}

/** A directory: an absolute or relative path, or a `file:` URL. */
export type PathLike = string | URL;

export declare function toPath(pathOrUrl: PathLike): string;
export declare function generatedDir(packageRoot: PathLike, kind: string): string;
export declare function sourceFiles(dir: string): string[];
export declare function extractFile(packageRoot: PathLike, path: string): Example[];
export declare function extractExamples(packageRoot: PathLike, entrySrcDir?: string): Example[];
export declare function exampleName(example: Example): string;
export declare function writeExamples(examples: readonly Example[], outDir: PathLike): WrittenExample[];
