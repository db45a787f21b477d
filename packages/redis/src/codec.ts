// How events become the strings stored in Redis, and back.

/**
 * Turns events into the strings stored in Redis and back. `encode` may throw for an event it
 * cannot represent; `decode` gets exactly what `encode` returned.
 *
 * @example
 * ```ts
 * import type { Codec } from '@dispenser/redis';
 *
 * const dates: Codec<Date> = {
 *   encode: (date) => date.toISOString(),
 *   decode: (text) => new Date(text),
 * };
 * ```
 */
export interface Codec<E> {
  /** The stored form of one event. */
  encode(event: E): string;
  /** The event back from its stored form. */
  decode(text: string): E;
}

/**
 * The default codec: `JSON.stringify` / `JSON.parse`. An event JSON cannot represent (a
 * function, a symbol, `undefined`, a `BigInt`, a cycle) is refused with a `CodecError`;
 * class instances come back as plain objects and `Date`s as strings.
 */
export const jsonCodec: Codec<unknown> = {
  encode(event) {
    const text = JSON.stringify(event) as string | undefined;
    if (text === undefined) throw new TypeError(`JSON cannot represent a value of type ${typeof event}`);
    return text;
  },
  decode: (text) => JSON.parse(text) as unknown,
};
