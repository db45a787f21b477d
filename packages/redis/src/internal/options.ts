// The options of RedisBuffer, their defaults, and the checks that word their errors.
import { systemClock, type Clock, type DropStrategy } from '@dispenser/core';
import { assertClock, assertCount, assertDropStrategy, assertFunction, assertKnownKeys, assertObject, describeValue } from '@dispenser/core/internal';
import { jsonCodec, type Codec } from '../codec';
import type { RedisBufferOptions } from '../redis-buffer-types';
import { connect, isRedisClient, type Connection } from './connection';
import { bufferKeys, type BufferKeys } from './keys';

/** The options with their defaults applied, checked. */
export interface BufferSettings<E> {
  readonly connection: Connection;
  readonly name: string;
  readonly keys: BufferKeys;
  readonly capacity: number;
  readonly dropStrategy: DropStrategy;
  readonly codec: Codec<E>;
  readonly leaseTtl: number;
  readonly reaperInterval: number;
  readonly visibilityTimeout: number;
  readonly maxDeliveries: number;
  readonly deadLetterLimit: number;
  readonly detectDisconnects: boolean;
  readonly readCount: number;
  readonly onError: (error: unknown) => void;
  readonly clock: Clock;
}

const KNOWN = [
  'client',
  'name',
  'capacity',
  'dropStrategy',
  'codec',
  'prefix',
  'leaseTtl',
  'reaperInterval',
  'visibilityTimeout',
  'maxDeliveries',
  'deadLetterLimit',
  'detectDisconnects',
  'readCount',
  'onError',
  'clock',
];

/**
 * Checks `options` and fills in the defaults.
 *
 * @throws TypeError or RangeError naming the option (`options.capacity`…), or listing the known keys
 * @example
 * ```ts
 * const settings = resolveBufferOptions({ client, name: 'jobs', capacity: 100 }, console.error);
 * settings.keys.stream; // 'dispenser:{jobs}'
 * ```
 */
export function resolveBufferOptions<E>(options: unknown, reportError: (error: unknown) => void): BufferSettings<E> {
  assertObject('options', options);
  assertKnownKeys('options', options, KNOWN);
  const {
    client,
    name,
    capacity,
    dropStrategy = 'drop-newest',
    codec = jsonCodec as Codec<E>,
    prefix = 'dispenser',
    leaseTtl = 10_000,
    reaperInterval = 200,
    visibilityTimeout = 300_000,
    maxDeliveries = 5,
    deadLetterLimit = 10_000,
    detectDisconnects = true,
    readCount = 1000,
    onError = reportError,
    clock = systemClock,
  } = options as RedisBufferOptions<E>;
  if (!isRedisClient(client)) {
    throw new TypeError(`options.client must be a node-redis or ioredis client, received ${describeValue(client)}`);
  }
  assertKeyPart('options.name', name, false);
  assertKeyPart('options.prefix', prefix, true);
  assertCount('options.capacity', capacity, 1);
  assertDropStrategy('options.dropStrategy', dropStrategy);
  assertObject('options.codec', codec);
  assertFunction('options.codec.encode', codec.encode);
  assertFunction('options.codec.decode', codec.decode);
  assertMilliseconds('options.leaseTtl', leaseTtl, false);
  assertMilliseconds('options.reaperInterval', reaperInterval, false);
  assertMilliseconds('options.visibilityTimeout', visibilityTimeout, true);
  if (maxDeliveries !== Number.POSITIVE_INFINITY) assertCount('options.maxDeliveries', maxDeliveries, 1);
  assertCount('options.deadLetterLimit', deadLetterLimit, 1);
  if (typeof detectDisconnects !== 'boolean') {
    throw new TypeError(`options.detectDisconnects must be a boolean, received ${describeValue(detectDisconnects)}`);
  }
  assertCount('options.readCount', readCount, 1);
  assertFunction('options.onError', onError);
  assertClock('options.clock', clock);
  return {
    connection: connect(client),
    name,
    keys: bufferKeys(prefix, name),
    capacity,
    dropStrategy,
    codec,
    leaseTtl,
    reaperInterval,
    visibilityTimeout,
    maxDeliveries,
    deadLetterLimit,
    detectDisconnects,
    readCount,
    onError,
    clock,
  };
}

function assertKeyPart(name: string, value: unknown, emptyAllowed: boolean): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, received ${describeValue(value)}`);
  if ((!emptyAllowed && value.length === 0) || /[{}]/.test(value)) {
    throw new RangeError(`${name} must be a ${emptyAllowed ? '' : 'non-empty '}string without '{' or '}', received ${describeValue(value)}`);
  }
}

function assertMilliseconds(name: string, value: unknown, infinityAllowed: boolean): asserts value is number {
  if (infinityAllowed && value === Number.POSITIVE_INFINITY) return;
  assertCount(name, value, 10);
}
