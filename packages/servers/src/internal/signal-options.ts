// The `{ signal }` options of every call that waits (close, onIdle, a channel's read and write).
import { assertKnownKeys, assertObject, assertSignal } from '@dispenser/core/internal';

/**
 * The optional `signal` of an `options` argument that may hold nothing else, checked.
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
