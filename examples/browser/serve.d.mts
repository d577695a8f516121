// Types for serve.mjs, so TypeScript tests can import the demo server.
export interface ServerOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** The repository or package root (default: two levels above serve.mjs). */
  root?: string;
  /** MNIST subset sizes served under /data/mnist/ (defaults 6000 and 1000). */
  train?: number;
  test?: number;
  /** The directory served as /out/mnist/ (default <root>/out/mnist, where `npm start` saves). */
  models?: string;
  /** Send COOP/COEP headers so pages are crossOriginIsolated (threads need it); default true. */
  isolate?: boolean;
}

export interface StartedServer {
  /** The demo page's URL. */
  url: string;
  port: number;
  mnist: { train: number; test: number } | null;
  distBuilt: boolean;
  close(): Promise<void>;
}

export function startServer(options?: ServerOptions): Promise<StartedServer>;
