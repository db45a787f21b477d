// `@dispenser/testing-utils/redis-server`: a throwaway redis-server for tests and benchmarks (Node only).
/**
 * A throwaway `redis-server` on a free port of 127.0.0.1, for tests and benchmarks of code on
 * `@dispenser/redis`. Node only (`node:child_process`).
 *
 * @packageDocumentation
 * @module @dispenser/testing-utils/redis-server
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Turn AOF on with `appendfsync always`, so a crash keeps every acknowledged write. @default false */
  appendOnly?: boolean;
  /** The executable. @default 'redis-server' (from the `PATH`) */
  binary?: string;
  /** More arguments, such as `['--cluster-enabled', 'yes']`, after the ones it sets itself. */
  args?: readonly string[];
}

/** A running server started by {@link startRedisServer}. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** The process id of the server running now. */
  readonly pid: number | undefined;
  /** Kills the server with SIGKILL (nothing saved at shutdown) and waits for it to exit. */
  crash(): Promise<void>;
  /** Starts it again on the same port and data dir (after {@link RedisServer.crash}). */
  restart(): Promise<void>;
  /** Stops it and removes its data dir. */
  stop(): Promise<void>;
}

/**
 * Whether `binary` runs (`redis-server --version`).
 *
 * @example
 * ```ts
 * const run = hasRedisServer() || process.env.CI === 'true';
 * ```
 */
export function hasRedisServer(binary = 'redis-server'): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts `redis-server` on a free port of 127.0.0.1 in a new temp dir, with no RDB saves and
 * `maxmemory-policy noeviction`, and resolves once it answers `PING`. Stop it by its PID with
 * {@link RedisServer.stop} (in an `afterAll`).
 *
 * **Gotchas:** it rejects when the binary is missing or the server does not answer within 10 s.
 *
 * @example
 * ```ts
 * import { startRedisServer } from '@dispenser/testing-utils/redis-server';
 *
 * const redis = await startRedisServer();
 * process.env['REDIS_URL'] = redis.url; // where the code under test connects
 * // … the tests …
 * await redis.stop();
 * ```
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? 'redis-server';
  const dir = mkdtempSync(join(tmpdir(), 'dispenser-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--maxmemory-policy', 'noeviction'];
  args.push(...(options.appendOnly === true ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  args.push(...(options.args ?? []));
  let child: ChildProcess;
  try {
    child = await launch(binary, args, port);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child.pid;
    },
    async crash() {
      await stopProcess(child, 'SIGKILL');
    },
    async restart() {
      child = await launch(binary, args, port);
    },
    async stop() {
      await stopProcess(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launch(binary: string, args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: 'ignore' });
  let failure: Error | undefined;
  const onError = (error: Error): void => {
    failure = error;
  };
  const onExit = (code: number | null): void => {
    failure = new Error(`${binary} exited with code ${code} before answering PING`);
  };
  child.once('error', onError);
  child.once('exit', onExit);
  const deadline = Date.now() + 10_000;
  try {
    while (!(await ping(port))) {
      if (failure !== undefined) throw failure;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${binary} on port ${port} did not answer PING within 10 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    child.off('error', onError);
    child.off('exit', onExit);
  }
  return child;
}

function stopProcess(child: ChildProcess, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Whether something on `port` answers `PING` with `+PONG`. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      reply += data.toString();
      if (!reply.includes('\r\n')) return;
      socket.destroy();
      resolve(reply.startsWith('+PONG'));
    });
    socket.on('error', () => resolve(false));
  });
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
