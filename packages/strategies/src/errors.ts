// Errors thrown by the dispatchers of @dispenser/strategies, each a DispenserError with a stable `code`.
import { DispenserError } from '@dispenser/core';
import { describeName } from './internal/consumers';

/**
 * The stable codes of the errors this package defines. Every class below extends core's
 * `DispenserError`, so `error.code` and `instanceof DispenserError` work for all of them.
 *
 * | code | class | thrown when |
 * | --- | --- | --- |
 * | `ALREADY_SUBSCRIBED` | {@link AlreadySubscribedError} | `subscribe` gets a consumer that is subscribed already |
 * | `NOT_SUBSCRIBED` | {@link NotSubscribedError} | `ask` gets a consumer that is not subscribed |
 * | `PARTITION_TAKEN` | {@link PartitionTakenError} | a `PartitionDispatcher` consumer subscribes to a partition another consumer holds |
 *
 * @example
 * ```ts
 * import { DispenserError } from '@dispenser/core';
 * import { DemandDispatcher, StrategiesErrorCode } from '@dispenser/strategies';
 *
 * const dispatcher = new DemandDispatcher<string, string>((consumer, events) => console.log(consumer, events));
 * try {
 *   dispatcher.ask('A', 10);
 * } catch (error) {
 *   if (error instanceof DispenserError && error.code === StrategiesErrorCode.NOT_SUBSCRIBED) dispatcher.subscribe('A');
 * }
 * ```
 */
export const StrategiesErrorCode = {
  /** A consumer subscribed twice ({@link AlreadySubscribedError}). */
  ALREADY_SUBSCRIBED: 'ALREADY_SUBSCRIBED',
  /** A consumer that is not subscribed asked for events ({@link NotSubscribedError}). */
  NOT_SUBSCRIBED: 'NOT_SUBSCRIBED',
  /** A partition another consumer holds was asked for ({@link PartitionTakenError}). */
  PARTITION_TAKEN: 'PARTITION_TAKEN',
} as const;

/** One of the codes in {@link StrategiesErrorCode}. */
export type StrategiesErrorCode = (typeof StrategiesErrorCode)[keyof typeof StrategiesErrorCode];

/**
 * Thrown by a dispatcher's `subscribe` when the consumer is subscribed already (code
 * `'ALREADY_SUBSCRIBED'`); the dispatcher is unchanged.
 *
 * @example
 * ```ts
 * const dispatcher = new DemandDispatcher<string, string>(send);
 * dispatcher.subscribe('A');
 * dispatcher.subscribe('A'); // throws AlreadySubscribedError
 * ```
 */
export class AlreadySubscribedError<C = unknown> extends DispenserError {
  /** The consumer that was subscribed a second time. */
  readonly consumer: C;

  /**
   * @param consumer - the consumer that is subscribed already
   * @param options - `cause`: an underlying error, if any
   */
  constructor(consumer: C, options?: { cause?: unknown }) {
    super(StrategiesErrorCode.ALREADY_SUBSCRIBED, `consumer ${describeName(consumer)} is already subscribed`, options);
    this.name = 'AlreadySubscribedError';
    this.consumer = consumer;
  }
}

/**
 * Thrown by a dispatcher's `ask` when the consumer is not subscribed (code `'NOT_SUBSCRIBED'`);
 * the dispatcher is unchanged.
 *
 * @example
 * ```ts
 * const dispatcher = new BroadcastDispatcher<string, string>(send);
 * dispatcher.ask('A', 5); // throws NotSubscribedError: subscribe 'A' first
 * ```
 */
export class NotSubscribedError<C = unknown> extends DispenserError {
  /** The consumer that asked without being subscribed. */
  readonly consumer: C;

  /**
   * @param consumer - the consumer that is not subscribed
   * @param options - `cause`: an underlying error, if any
   */
  constructor(consumer: C, options?: { cause?: unknown }) {
    super(
      StrategiesErrorCode.NOT_SUBSCRIBED,
      `consumer ${describeName(consumer)} is not subscribed: subscribe it before asking`,
      options,
    );
    this.name = 'NotSubscribedError';
    this.consumer = consumer;
  }
}

/**
 * Thrown by `PartitionDispatcher.subscribe` when another consumer holds the partition (code
 * `'PARTITION_TAKEN'`); each partition takes one consumer at a time, and the dispatcher is
 * unchanged.
 *
 * @example
 * ```ts
 * const dispatcher = new PartitionDispatcher<number, string>(send, { partitions: 2 });
 * dispatcher.subscribe('A', { partition: 0 });
 * dispatcher.subscribe('B', { partition: 0 }); // throws PartitionTakenError (holder: 'A')
 * ```
 */
export class PartitionTakenError<P = unknown, C = unknown> extends DispenserError {
  /** The partition that was asked for. */
  readonly partition: P;
  /** The consumer holding it. */
  readonly holder: C;

  /**
   * @param partition - the partition that is taken
   * @param holder - the consumer subscribed to it
   * @param options - `cause`: an underlying error, if any
   */
  constructor(partition: P, holder: C, options?: { cause?: unknown }) {
    super(
      StrategiesErrorCode.PARTITION_TAKEN,
      `partition ${describeName(partition)} is already taken by consumer ${describeName(holder)}`,
      options,
    );
    this.name = 'PartitionTakenError';
    this.partition = partition;
    this.holder = holder;
  }
}
