import type { PathLike, WrittenExample } from './extract.mjs';

export declare const EXAMPLE_TIMEOUT_MS: number;
/** Registers one vitest test per example fence of the package at `packageRoot` (a path or `file:` URL). */
export declare function defineDoctests(packageRoot: PathLike, entrySrcDir?: string): WrittenExample[];
