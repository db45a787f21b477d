// The options of WorkerPool, their defaults, and the checks that word their errors.
import { pathToFileURL } from 'node:url';
import { systemClock, type Clock } from '@dispenser/core';
import { assertClock, assertCount, assertFunction, assertKnownKeys, assertObject, describeValue } from '@dispenser/core/internal';
import type { WorkerPoolOptions, WorkerResourceLimits } from '../worker-pool-types';

/** The options with their defaults applied, checked. */
export interface PoolSettings<E> {
  /** The handler module as a URL `import()` takes. */
  readonly url: string;
  readonly size: number;
  readonly maxDemand: number;
  readonly maxRestarts: number;
  readonly restartWindow: number;
  readonly batchTimeout: number;
  readonly resourceLimits: WorkerResourceLimits | undefined;
  readonly execArgv: readonly string[] | undefined;
  readonly transfer: ((events: readonly E[]) => readonly object[]) | undefined;
  readonly onError: (error: unknown) => void;
  readonly clock: Clock;
}

const KNOWN = [
  'filename',
  'size',
  'maxDemand',
  'maxRestarts',
  'restartWindow',
  'batchTimeout',
  'resourceLimits',
  'execArgv',
  'transfer',
  'onError',
  'clock',
];

const LIMITS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'];

/**
 * Checks `options` and fills in the defaults.
 *
 * @throws TypeError or RangeError naming the option (`options.size`…), or listing the known keys
 * @example
 * ```ts
 * const settings = resolvePoolOptions({ filename: './worker.js', size: 2 }, console.error);
 * settings.maxDemand; // 100
 * ```
 */
export function resolvePoolOptions<E>(options: unknown, reportError: (error: unknown) => void): PoolSettings<E> {
  assertObject('options', options);
  assertKnownKeys('options', options, KNOWN);
  const {
    filename,
    size,
    maxDemand = 100,
    maxRestarts = 5,
    restartWindow = 10_000,
    batchTimeout = Number.POSITIVE_INFINITY,
    resourceLimits,
    execArgv,
    transfer,
    onError = reportError,
    clock = systemClock,
  } = options as WorkerPoolOptions<E>;
  const url = moduleUrl(filename);
  assertCount('options.size', size, 1);
  assertCount('options.maxDemand', maxDemand, 1);
  assertCount('options.maxRestarts', maxRestarts, 0);
  assertPositive('options.restartWindow', restartWindow);
  assertPositive('options.batchTimeout', batchTimeout);
  if (resourceLimits !== undefined) {
    assertObject('options.resourceLimits', resourceLimits);
    assertKnownKeys('options.resourceLimits', resourceLimits, LIMITS);
    for (const key of LIMITS) {
      const value = (resourceLimits as Record<string, unknown>)[key];
      if (value !== undefined) assertPositive(`options.resourceLimits.${key}`, value);
    }
  }
  if (execArgv !== undefined && (!Array.isArray(execArgv) || execArgv.some((flag) => typeof flag !== 'string'))) {
    throw new TypeError(`options.execArgv must be an array of strings, received ${describeValue(execArgv)}`);
  }
  if (transfer !== undefined) assertFunction('options.transfer', transfer);
  assertFunction('options.onError', onError);
  assertClock('options.clock', clock);
  return {
    url,
    size,
    maxDemand,
    maxRestarts,
    restartWindow,
    batchTimeout,
    resourceLimits: resourceLimits === undefined ? undefined : { ...resourceLimits },
    execArgv: execArgv === undefined ? undefined : [...execArgv],
    transfer,
    onError,
    clock,
  };
}

/** The URL of the handler module: a `file:` URL for a path (made absolute), or the URL given. */
function moduleUrl(filename: unknown): string {
  if (typeof filename === 'string') {
    if (filename === '') throw new RangeError('options.filename must not be empty');
    return pathToFileURL(filename).href;
  }
  if (filename instanceof URL) return filename.href;
  throw new TypeError(`options.filename must be a path or a URL, received ${describeValue(filename)}`);
}

/** Checks a duration or a size: a number > 0, `Infinity` allowed. */
function assertPositive(name: string, value: unknown): asserts value is number {
  const message = `${name} must be a number > 0, received ${describeValue(value)}`;
  if (typeof value !== 'number') throw new TypeError(message);
  if (!(value > 0)) throw new RangeError(message);
}
