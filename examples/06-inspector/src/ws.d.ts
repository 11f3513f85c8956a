// `ws` ships no types and @types/ws is not a dependency: the little the inspector test uses.
declare module 'ws' {
  import type { EventEmitter } from 'node:events';
  import type { AddressInfo } from 'node:net';
  export interface WebSocket extends EventEmitter {
    on(event: 'message', listener: (data: Buffer) => void): this;
    terminate(): void;
  }
  export class WebSocketServer extends EventEmitter {
    constructor(options: { host?: string; port?: number });
    readonly clients: Set<WebSocket>;
    address(): AddressInfo | string;
    close(callback?: (error?: Error) => void): void;
    on(event: 'connection', listener: (socket: WebSocket) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
