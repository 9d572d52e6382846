/**
 * moto server for integration tests: the real AWS SDK v3 talks to an independent AWS emulator on a
 * loopback port the test picks, and the test checks real effects (what was created, revoked, sent).
 *
 *   const moto = await startMoto();          // one server per test file
 *   beforeEach(() => moto.reset());
 *   afterAll(() => moto.stop());
 *   new CloudTrailClient(moto.clientConfig('us-east-1'))
 *
 * Without `moto_server` on PATH, `startMoto()` resolves to undefined and the caller skips with the
 * printed reason; under CI (CI=true) its absence is a failure instead, so CI cannot pass by skipping.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Moto {
  endpoint: string;
  port: number;
  /** POST /moto-api/reset: every service back to empty. */
  reset(): Promise<void>;
  /** GET a /moto-api/ path (e.g. "data.json", "sns/" ...) as JSON. */
  api<T = unknown>(path: string): Promise<T>;
  clientConfig(region?: string): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string }; maxAttempts: number };
  stop(): Promise<void>;
}

export const MOTO_UNAVAILABLE_REASON = 'moto_server is not on PATH (install moto[server] 5.x): skipping the AWS emulator tests';

export function motoAvailable(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms: ${String(lastError)}`);
}

/** Starts moto_server on 127.0.0.1 and a free port; undefined (with the reason printed) when it is not installed outside CI. */
export async function startMoto(): Promise<Moto | undefined> {
  if (!motoAvailable()) {
    if (process.env.CI === 'true') throw new Error(`${MOTO_UNAVAILABLE_REASON} — but CI=true, where the emulator tests must run`);
    console.warn(MOTO_UNAVAILABLE_REASON);
    return undefined;
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitUntilUp(endpoint, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    port,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
    async api<T>(path: string) {
      const response = await fetch(`${endpoint}/moto-api/${path.replace(/^\//, '')}`);
      if (!response.ok) throw new Error(`moto-api ${path}: HTTP ${response.status}`);
      return (await response.json()) as T;
    },
    clientConfig(region = 'us-east-1') {
      return { endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 };
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      });
    },
  };
}

type Middleware = (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>;
/** What oneAtATime needs of a client: the SDK v3 middleware stack. */
interface WithMiddleware {
  middlewareStack: object;
}

let inFlight: Promise<void> = Promise.resolve();

/**
 * Sends the client's requests one at a time, across every client it is given. moto runs requests on threads
 * without isolating them: its TransactWriteItems snapshots the whole table and restores that snapshot when a
 * condition fails, so two transactions in flight at once can undo each other's writes (measured with moto
 * 5.2: 40 concurrent transactions, one of which succeeded, left 4 of their writes behind). DynamoDB makes every
 * request atomic; serialising them gives each request that atomicity while the store's operations still
 * interleave request by request, which is where its races are.
 */
export function oneAtATime<T extends WithMiddleware>(client: T): T {
  const stack = client.middlewareStack as { add(middleware: Middleware, options: { step: 'build'; name: string }): void };
  stack.add(
    (next) => async (args) => {
      const previous = inFlight;
      let done!: () => void;
      inFlight = new Promise<void>((resolve) => (done = resolve));
      await previous;
      try {
        return await next(args);
      } finally {
        done();
      }
    },
    { step: 'build', name: 'motoOneRequestAtATime' },
  );
  return client;
}
