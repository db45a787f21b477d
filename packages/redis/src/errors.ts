// Errors defined by @dispenser/redis, each a DispenserError with a stable `code`.
import { DispenserError } from '@dispenser/core';

/**
 * The stable codes of the errors this package defines (it also throws core's
 * `BufferClosedError`, code `BUFFER_CLOSED`, for a buffer used after `close()`).
 *
 * | code | class | when |
 * | --- | --- | --- |
 * | `REDIS_COMMAND` | {@link RedisCommandError} | Redis or the client refused or failed a command: connection lost, `NOPERM`, out of memory |
 * | `REDIS_VERSION` | {@link RedisVersionError} | the server is older than Redis 7.0 |
 * | `GROUP_MISSING` | {@link GroupMissingError} | the buffer's stream exists but its consumer group was destroyed |
 * | `CODEC` | {@link CodecError} | an event could not be encoded, or a stored entry could not be decoded |
 * | `OWNERSHIP_LOST` | {@link OwnershipLostError} | an ack came after the events were given to another consumer |
 */
export const RedisErrorCode = {
  /** A command failed ({@link RedisCommandError}). */
  REDIS_COMMAND: 'REDIS_COMMAND',
  /** The server is too old ({@link RedisVersionError}). */
  REDIS_VERSION: 'REDIS_VERSION',
  /** The consumer group is gone ({@link GroupMissingError}). */
  GROUP_MISSING: 'GROUP_MISSING',
  /** Encoding or decoding failed ({@link CodecError}). */
  CODEC: 'CODEC',
  /** A late ack was refused ({@link OwnershipLostError}). */
  OWNERSHIP_LOST: 'OWNERSHIP_LOST',
} as const;

/** One of the codes in {@link RedisErrorCode}. */
export type RedisErrorCode = (typeof RedisErrorCode)[keyof typeof RedisErrorCode];

/**
 * A Redis command failed: the connection was lost, the server refused it (`NOPERM`, `OOM`,
 * `READONLY`…), or the client gave up on it. `cause` is what the client threw.
 *
 * **What was done:** for `append`, the events may or may not have been stored (the reply was
 * lost); retrying can store them twice. Reads and acks inside subscriptions are retried by the
 * buffer itself and only reported to `onError`: unacked events stay pending in Redis and come back.
 */
export class RedisCommandError extends DispenserError {
  /** The command that failed, such as `XREADGROUP` or `EVALSHA`. */
  readonly command: string;

  /**
   * @param command - the command that failed
   * @param cause - what the client threw
   */
  constructor(command: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(RedisErrorCode.REDIS_COMMAND, `Redis command ${command} failed: ${detail}`, { cause });
    this.name = 'RedisCommandError';
    this.command = command;
  }
}

/** The server runs a Redis older than 7.0, which lacks what the buffer relies on (`ENTRIESREAD`, the group `lag`). */
export class RedisVersionError extends DispenserError {
  /** The version the server reported. */
  readonly version: string;

  /** @param version - the version the server reported */
  constructor(version: string) {
    super(RedisErrorCode.REDIS_VERSION, `@dispenser/redis needs Redis 7.0 or newer; the server runs ${version}`);
    this.name = 'RedisVersionError';
    this.version = version;
  }
}

/**
 * The buffer's stream exists but its consumer group does not (someone ran `XGROUP DESTROY` or
 * replaced the key). The buffer does not recreate it, because the group held which events were
 * delivered: delete the stream key to start over, or recreate the group yourself.
 */
export class GroupMissingError extends DispenserError {
  /** The stream key. */
  readonly key: string;

  /**
   * @param key - the stream key
   * @param cause - the `NOGROUP` reply, when there was one
   */
  constructor(key: string, cause?: unknown) {
    super(RedisErrorCode.GROUP_MISSING, `the consumer group of stream ${key} is missing`, cause === undefined ? undefined : { cause });
    this.name = 'GroupMissingError';
    this.key = key;
  }
}

/**
 * An event could not be encoded (`append` and `write` throw it before anything is sent), or a
 * stored entry could not be decoded (the entry goes to the dead-letter stream and this error
 * reaches `onError`).
 */
export class CodecError extends DispenserError {
  /** Where it failed. */
  readonly direction: 'encode' | 'decode';
  /** The position of the event in the batch (`encode`), or the entry id (`decode`). */
  readonly at: number | string;

  /**
   * @param direction - where it failed
   * @param at - the position in the batch or the entry id
   * @param detail - what failed, for the message
   * @param cause - what the codec threw
   */
  constructor(direction: 'encode' | 'decode', at: number | string, detail: string, cause?: unknown) {
    super(RedisErrorCode.CODEC, `${direction === 'encode' ? `event ${at}` : `entry ${at}`} could not be ${direction}d: ${detail}`, cause === undefined ? undefined : { cause });
    this.name = 'CodecError';
    this.direction = direction;
    this.at = at;
  }
}

/**
 * Reaches `onError` when a consumer acked events that had meanwhile been given to another
 * consumer (its lease expired while it was stopped, hung or cut off). Those events were not
 * acked by this call: the new owner acks them. The events were processed at least twice.
 */
export class OwnershipLostError extends DispenserError {
  /** The entry ids whose ack was refused. */
  readonly ids: string[];
  /** The consumer that acked too late. */
  readonly consumer: string;

  /**
   * @param consumer - the consumer that acked too late
   * @param ids - the refused entry ids
   */
  constructor(consumer: string, ids: string[]) {
    super(
      RedisErrorCode.OWNERSHIP_LOST,
      `consumer ${consumer} lost ${ids.length === 1 ? '1 event' : `${ids.length} events`} to another consumer before acking (first id ${ids[0] ?? '?'})`,
    );
    this.name = 'OwnershipLostError';
    this.ids = ids;
    this.consumer = consumer;
  }
}
