import type { Browser, BrowserContext } from 'playwright-core';
export declare function chromiumPath(): string | undefined;
export declare function launchChromium(options?: { executablePath?: string }): Promise<{ browser: Browser | null; context: BrowserContext; close(): Promise<void> }>;
