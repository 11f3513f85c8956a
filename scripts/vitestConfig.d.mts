import type { ViteUserConfig } from 'vitest/config';
type AliasOptions = NonNullable<NonNullable<ViteUserConfig['resolve']>['alias']>;
export declare function vitestConfig(packageJsonUrl: URL, options: { testTimeout: number; alias?: AliasOptions }): ViteUserConfig;
