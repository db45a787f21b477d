// The demo's command line: flags parsed with node:util parseArgs and checked, or a usage error.
import { parseArgs } from 'node:util';

/** How events are split among the subscribers. */
export type StrategyName = 'even' | 'greedy' | 'demand' | 'broadcast' | 'partition';

/** Every strategy the demo can run. */
export const strategyNames: readonly StrategyName[] = ['even', 'greedy', 'demand', 'broadcast', 'partition'];

/** What the demo runs, from its flags. */
export interface DemoOptions {
  readonly strategy: StrategyName;
  /** Most events buffered. */
  readonly capacity: number;
  /** What a full buffer drops. */
  readonly drop: 'newest' | 'oldest';
  /** Seconds of producing before the summary. */
  readonly duration: number;
  /** `BatchingBufferServer` instead of `BufferServer`. */
  readonly batch: boolean;
  /** Seed of every random choice (load and strategies), so a run can be replayed. */
  readonly seed: number;
  /**
   * Worker threads of a `WorkerPool` as the subscribers, instead of the 4 simulated ones; absent
   * without `--workers`.
   */
  readonly workers?: number;
  /**
   * The Redis url of `--redis`: a `RedisBuffer` on that server, with a producer here and 3
   * subscriber processes, one of them killed mid-run; absent without `--redis`.
   */
  readonly redis?: string;
  /** Print the usage and stop. */
  readonly help: boolean;
}

/** The strategies `--workers` works with: a broadcast cannot redeliver, a partition needs one subscriber per partition. */
export const workerStrategies: readonly StrategyName[] = ['even', 'greedy', 'demand'];

/** The url of `--redis` given without one. */
export const defaultRedisUrl = 'redis://127.0.0.1:6379';

/** Flag values used when a flag is not given. */
export const defaults = { strategy: 'even', capacity: 5_000, drop: 'newest', duration: 10, seed: 1 } as const;

/** The usage text printed for `--help` and after a bad flag. */
export const usage = `Usage: npm run demo -- [options]

A BufferServer under a bursty producer, with 4 subscribers of different speeds
(or N worker threads with --workers, or a RedisBuffer and 3 subscriber processes
with --redis).

Options:
  --strategy <name>   even | greedy | demand | broadcast | partition   (default: ${defaults.strategy})
  --capacity <n>      most events buffered, an integer >= 1             (default: ${defaults.capacity})
  --drop <which>      newest | oldest: what a full buffer drops          (default: ${defaults.drop})
  --duration <s>      seconds to run, > 0                                (default: ${defaults.duration})
  --batch             use a BatchingBufferServer instead of a BufferServer
  --seed <n>          seed of the load and the strategies, an integer >= 0 (default: ${defaults.seed})
  --workers <n>       n worker threads of a WorkerPool as the subscribers, an integer >= 1
                      (with --strategy even, greedy or demand)
  --redis [url]       a RedisBuffer on the Redis at url (default: ${defaultRedisUrl}):
                      a producer and 3 subscriber processes, one killed mid-run
                      (with --capacity, --drop, --duration and --seed only)
  -h, --help          print this help
`;

/** A bad command line; the message says which flag and why. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function integer(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`--${flag} must be an integer >= ${min}, received '${text}'`);
  }
  return value;
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, received '${text}'`);
  }
  return text as T;
}

/** The url of `--redis`, checked: a `redis:` or `rediss:` url with a host. */
function redisUrl(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || !['redis:', 'rediss:'].includes(url.protocol) || url.hostname === '') {
    throw new UsageError(`--redis must be a redis:// or rediss:// url, received '${text}'`);
  }
  return text;
}

/**
 * `--redis` takes an optional value, which parseArgs cannot express: a bare `--redis` (last, or
 * followed by another flag) becomes `--redis=<default url>`, `--redis <url>` becomes `--redis=<url>`.
 */
function expandRedisFlag(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg !== '--redis') {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('-')) {
      out.push(`--redis=${next}`);
      i++;
    } else {
      out.push(`--redis=${defaultRedisUrl}`);
    }
  }
  return out;
}

/**
 * Parses the demo's flags.
 *
 * @throws UsageError for an unknown flag, a missing value or a value out of range
 */
export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: expandRedisFlag(argv),
      options: {
        strategy: { type: 'string' },
        capacity: { type: 'string' },
        drop: { type: 'string' },
        duration: { type: 'string' },
        batch: { type: 'boolean' },
        seed: { type: 'string' },
        workers: { type: 'string' },
        redis: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  const durationText = values.duration ?? String(defaults.duration);
  const duration = Number(durationText);
  if (durationText.trim() === '' || !Number.isFinite(duration) || duration <= 0) {
    throw new UsageError(`--duration must be a number of seconds > 0, received '${durationText}'`);
  }
  const strategy = oneOf('strategy', values.strategy ?? defaults.strategy, strategyNames);
  const workers = values.workers === undefined ? undefined : integer('workers', values.workers, 1);
  if (workers !== undefined) oneOf('strategy with --workers', strategy, workerStrategies);
  const redis = values.redis === undefined ? undefined : redisUrl(values.redis);
  if (redis !== undefined) {
    // The Redis subscribers pull by their own demand: no strategy, no batching server, no threads.
    for (const flag of ['strategy', 'batch', 'workers'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--redis cannot be combined with --${flag}`);
    }
  }
  return {
    strategy,
    capacity: values.capacity === undefined ? defaults.capacity : integer('capacity', values.capacity, 1),
    drop: oneOf('drop', values.drop ?? defaults.drop, ['newest', 'oldest'] as const),
    duration,
    batch: values.batch ?? false,
    seed: values.seed === undefined ? defaults.seed : integer('seed', values.seed, 0),
    ...(workers === undefined ? {} : { workers }),
    ...(redis === undefined ? {} : { redis }),
    help: values.help ?? false,
  };
}
