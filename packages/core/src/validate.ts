// Argument checks shared by every package: one place that words the errors for bad counts and options.
import type { Clock } from './clock';
import type { DemandBuffer } from './demand-buffer';
import type { DropStrategy } from './drop-strategy';

/**
 * Renders a received value for an error message: strings quoted, numbers with their type,
 * other values by their kind.
 *
 * @example
 * ```ts
 * describeValue('4');  // '"4"'
 * describeValue(1.5);  // '1.5 (number)'
 * describeValue({});   // 'an object'
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return `${String(value)} (${typeof value})`;
  }
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  const kind = typeof value;
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

/**
 * Checks that `value` is a safe integer of at least `min`, as every count in dispenser must be.
 *
 * @param name - the argument's name, used in the message
 * @param value - what the caller passed
 * @param min - smallest allowed value
 * @default min 0
 * @throws TypeError when `value` is not a number
 * @throws RangeError when it is not a safe integer of at least `min`
 * @example
 * ```ts
 * assertCount('demand', demand);       // 0, 1, 2, …
 * assertCount('capacity', capacity, 1); // 1, 2, 3, …
 * ```
 */
export function assertCount(name: string, value: unknown, min = 0): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(
      `${name} must be a safe integer >= ${min}, received ${describeValue(value)}`,
    );
  }
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(
      `${name} must be a safe integer >= ${min}, received ${describeValue(value)}`,
    );
  }
}

/**
 * Checks that `value` is a {@link DropStrategy}.
 *
 * @throws TypeError when `value` is not a string
 * @throws RangeError when it is a string other than `'drop-newest'` or `'drop-oldest'`
 * @example
 * ```ts
 * assertDropStrategy('dropStrategy', options.dropStrategy ?? 'drop-newest');
 * ```
 */
export function assertDropStrategy(name: string, value: unknown): asserts value is DropStrategy {
  if (value === 'drop-newest' || value === 'drop-oldest') return;
  const message = `${name} must be 'drop-newest' or 'drop-oldest', received ${describeValue(value)}`;
  throw typeof value === 'string' ? new RangeError(message) : new TypeError(message);
}

/**
 * Checks that `value` is an array, as every batch of events must be (a string or another
 * iterable passed as a batch is a mistake, not a batch of its elements).
 *
 * @throws TypeError when it is not
 * @example
 * ```ts
 * assertBatch('events', events);
 * ```
 */
export function assertBatch(name: string, value: unknown): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${name} must be an array of events, received ${describeValue(value)}`);
  }
}

/**
 * Checks that `value` is iterable (an array, a Set, a generator…).
 *
 * @throws TypeError when it is not
 * @example
 * ```ts
 * assertIterable('values', values);
 * ```
 */
export function assertIterable(name: string, value: unknown): asserts value is Iterable<unknown> {
  if (
    value === null ||
    value === undefined ||
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(`${name} must be an iterable (for example an array), received ${describeValue(value)}`);
  }
}

/**
 * Checks that `value` is a function.
 *
 * @throws TypeError when it is not
 * @example
 * ```ts
 * assertFunction('flush', options.flush);
 * ```
 */
export function assertFunction(name: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') {
    throw new TypeError(`${name} must be a function, received ${describeValue(value)}`);
  }
}

/**
 * Checks that `value` is an `AbortSignal` (or `undefined`, for an optional signal). Duck-typed, so
 * signals from other realms or polyfills pass.
 *
 * @throws TypeError when it is something else
 * @example
 * ```ts
 * assertSignal('options.signal', options.signal);
 * ```
 */
export function assertSignal(name: string, value: unknown): asserts value is AbortSignal | undefined {
  if (value === undefined) return;
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as AbortSignal).addEventListener !== 'function' ||
    typeof (value as AbortSignal).aborted !== 'boolean'
  ) {
    throw new TypeError(`${name} must be an AbortSignal, received ${describeValue(value)}`);
  }
}

/**
 * Checks that `value` is a non-null object, as every `options` argument must be.
 *
 * @throws TypeError when it is not
 * @example
 * ```ts
 * assertObject('options', options);
 * ```
 */
export function assertObject(name: string, value: unknown): asserts value is object {
  if (value === null || typeof value !== 'object') {
    throw new TypeError(`${name} must be an object, received ${describeValue(value)}`);
  }
}

/**
 * Checks that `value` is a {@link Clock}: an object with `now`, `setTimeout` and `clearTimeout`.
 *
 * @throws TypeError when it is not
 * @example
 * ```ts
 * assertClock('options.clock', clock);
 * ```
 */
export function assertClock(name: string, value: unknown): asserts value is Clock {
  const clock = value as Partial<Clock> | null;
  if (
    clock === null ||
    typeof clock !== 'object' ||
    typeof clock.now !== 'function' ||
    typeof clock.setTimeout !== 'function' ||
    typeof clock.clearTimeout !== 'function'
  ) {
    throw new TypeError(
      `${name} must be a Clock (an object with now, setTimeout and clearTimeout), received ${describeValue(value)}`,
    );
  }
}

/**
 * Checks that `value` has the members of a {@link DemandBuffer} that servers and wrappers drive
 * (`append`, `ask`, `assignEvents`, `delete`, `stats`). Structural, so buffers from any copy of
 * `@dispenser/core`, or written by hand, pass.
 *
 * @throws TypeError when it does not
 * @example
 * ```ts
 * assertDemandBuffer('options.buffer', options.buffer);
 * ```
 */
export function assertDemandBuffer(name: string, value: unknown): asserts value is DemandBuffer<unknown, unknown> {
  const candidate = value as Partial<Record<keyof DemandBuffer<unknown, unknown>, unknown>> | null;
  if (
    candidate === null ||
    typeof candidate !== 'object' ||
    typeof candidate.append !== 'function' ||
    typeof candidate.ask !== 'function' ||
    typeof candidate.assignEvents !== 'function' ||
    typeof candidate.delete !== 'function' ||
    typeof candidate.stats !== 'function'
  ) {
    throw new TypeError(`${name} must be a DemandBuffer (append, ask, assignEvents, delete, stats), received ${describeValue(value)}`);
  }
}

/**
 * Checks that `options` has no key outside `known`, so a typo (`onerror` for `onError`) fails
 * loudly instead of silently doing nothing. Keys whose value is `undefined` count as absent.
 *
 * @throws TypeError naming the unknown keys and listing the known ones
 * @example
 * ```ts
 * assertKnownKeys('options', options, ['capacity', 'dropStrategy']);
 * ```
 */
export function assertKnownKeys(name: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if ((options as Record<string, unknown>)[key] === undefined || known.includes(key)) continue;
    const unknown = Object.keys(options).filter((k) => !known.includes(k) && (options as Record<string, unknown>)[k] !== undefined);
    throw new TypeError(
      `${name} has unknown ${unknown.length === 1 ? 'key' : 'keys'} ${unknown.map((k) => JSON.stringify(k)).join(', ')}; known keys: ${known.join(', ')}`,
    );
  }
}

/**
 * The optional `signal` of an `options` argument that may hold nothing else (the options of
 * every call that only waits: `close`, `onIdle`, a channel's `read`…), checked.
 *
 * @throws TypeError naming `options` or `options.signal`, or listing the known keys
 * @example
 * ```ts
 * const signal = readSignal({ signal: AbortSignal.timeout(1_000) });
 * ```
 */
export function readSignal(options: unknown): AbortSignal | undefined {
  if (options === undefined) return undefined;
  assertObject('options', options);
  assertKnownKeys('options', options, ['signal']);
  const signal = (options as { signal?: unknown }).signal;
  assertSignal('options.signal', signal);
  return signal;
}
