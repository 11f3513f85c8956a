import { vitestConfig } from '../../scripts/vitestConfig.mjs';

export default vitestConfig(new URL('./package.json', import.meta.url), { testTimeout: 30_000 });
