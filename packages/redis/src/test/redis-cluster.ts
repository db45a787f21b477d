// A throwaway Redis Cluster of three masters for the cluster tests, built with redis-cli.
import { spawnSync } from 'node:child_process';
import { startRedisServer, type RedisServer } from '@dispenser/testing-utils/redis-server';

/** A running cluster: its nodes' addresses, and how to stop it. */
export interface TestCluster {
  readonly nodes: ReadonlyArray<{ host: string; port: number }>;
  stop(): Promise<void>;
}

/** Whether `redis-cli` runs (it builds the cluster). */
export const hasRedisCli = spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * Starts three `redis-server`s with cluster mode on, joins them with
 * `redis-cli --cluster create` (no replicas), and resolves once every node says `cluster_state:ok`.
 */
export async function startRedisCluster(): Promise<TestCluster> {
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < 3; i++) servers.push(await startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'] }));
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stderr || create.stdout}`);
    const deadline = Date.now() + 20_000;
    while (!servers.every((server) => clusterOk(server.port))) {
      if (Date.now() > deadline) throw new Error('the cluster did not reach cluster_state:ok within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      nodes: servers.map((server) => ({ host: '127.0.0.1', port: server.port })),
      stop: async () => {
        await Promise.all(servers.map((server) => server.stop()));
      },
    };
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }
}

function clusterOk(port: number): boolean {
  const info = spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' });
  return info.stdout.includes('cluster_state:ok');
}
