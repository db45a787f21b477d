import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { hasRedisServer, startRedisServer } from './redis-server';

const run = hasRedisServer() || process.env['CI'] === 'true';
if (!run) console.warn('@dispenser/testing-utils: redis-server tests skipped: install redis-server (apt-get install redis-server)');

/** Sends one inline command and resolves with the first reply line. */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(`${line}\r\n`));
    let reply = '';
    socket.on('data', (data) => {
      reply += data.toString();
      if (!reply.includes('\r\n')) return;
      socket.destroy();
      resolve(reply.split('\r\n')[0] ?? '');
    });
    socket.on('error', reject);
  });
}

describe.skipIf(!run)('startRedisServer', () => {
  it('starts a server that answers, keeps AOF data across a crash, and stops it', async () => {
    const redis = await startRedisServer({ appendOnly: true });
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await command(redis.port, 'SET kept 1')).toBe('+OK');
    const first = redis.pid;
    await redis.crash();
    await expect(command(redis.port, 'PING')).rejects.toThrow();
    await redis.restart();
    expect(redis.pid).not.toBe(first);
    expect(await command(redis.port, 'GET kept')).toBe('$1');
    await redis.stop();
    await expect(command(redis.port, 'PING')).rejects.toThrow();
  });

  it('rejects for a binary that does not exist', async () => {
    expect(hasRedisServer('/nonexistent/redis-server')).toBe(false);
    await expect(startRedisServer({ binary: '/nonexistent/redis-server' })).rejects.toThrow();
  });
});
