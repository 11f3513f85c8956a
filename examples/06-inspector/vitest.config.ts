import { exampleConfig } from '../vitest.shared.ts';

export default exampleConfig(new URL('./package.json', import.meta.url));
