// Error classes thrown by dispenser packages, each with a stable `code` to branch on.

/**
 * The stable codes carried by {@link DispenserError} and its subclasses.
 *
 * | code | thrown when |
 * | --- | --- |
 * | `BUFFER_FULL` | a fixed-size buffer cannot take another value |
 * | `BUFFER_EMPTY` | a read finds nothing to return |
 * | `BUFFER_CLOSED` | a closed buffer, server or channel is written to or read from |
 * | `STRATEGY_CONTRACT` | an assignment strategy returned a result that breaks its contract |
 */
export const ErrorCode = {
  /** A fixed-size buffer cannot take another value ({@link BufferFullError}). */
  BUFFER_FULL: 'BUFFER_FULL',
  /** A read finds nothing to return ({@link BufferEmptyError}). */
  BUFFER_EMPTY: 'BUFFER_EMPTY',
  /** A closed buffer, server or channel is used ({@link BufferClosedError}). */
  BUFFER_CLOSED: 'BUFFER_CLOSED',
  /** An assignment strategy broke its contract ({@link StrategyContractError}). */
  STRATEGY_CONTRACT: 'STRATEGY_CONTRACT',
} as const;

/** One of the codes in {@link ErrorCode}; other packages may define more. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Base class of every error a dispenser package defines.
 *
 * Test with `instanceof` or compare `code`; messages are for humans and may change.
 *
 * @example
 * ```ts
 * try { ring.read(); } catch (error) {
 *   if (error instanceof DispenserError && error.code === 'BUFFER_EMPTY') { ... }
 * }
 * ```
 */
export class DispenserError extends Error {
  /** Stable machine-readable code, for example `'BUFFER_FULL'`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'DispenserError';
  }
}

/**
 * Thrown when a fixed-size buffer has no room for another value; the buffer is unchanged.
 *
 * @example
 * ```ts
 * const ring = new RingBuffer<string>(1);
 * ring.write('a');
 * ring.write('b'); // throws BufferFullError
 * ```
 */
export class BufferFullError extends DispenserError {
  constructor(message = 'cannot write: the buffer is full', options?: { cause?: unknown }) {
    super(ErrorCode.BUFFER_FULL, message, options);
    this.name = 'BufferFullError';
  }
}

/**
 * Thrown when a read finds the buffer empty; the buffer is unchanged.
 *
 * @example
 * ```ts
 * new RingBuffer<string>(1).read(); // throws BufferEmptyError
 * ```
 */
export class BufferEmptyError extends DispenserError {
  constructor(message = 'cannot read: the buffer is empty', options?: { cause?: unknown }) {
    super(ErrorCode.BUFFER_EMPTY, message, options);
    this.name = 'BufferEmptyError';
  }
}

/**
 * Thrown (or used as a rejection) when something is written to, read from or waited on after
 * `close()`.
 *
 * @example
 * ```ts
 * await server.close();
 * server.append(['a']); // throws BufferClosedError
 * ```
 */
export class BufferClosedError extends DispenserError {
  constructor(message = 'the buffer is closed', options?: { cause?: unknown }) {
    super(ErrorCode.BUFFER_CLOSED, message, options);
    this.name = 'BufferClosedError';
  }
}

/**
 * The rule of the {@link AssignmentStrategy} contract that a result broke:
 *
 * | rule | the result |
 * | --- | --- |
 * | `'not-a-list'` | is not an array |
 * | `'malformed-entry'` | holds an entry that is not a `[subscriber, count]` array |
 * | `'no-demand'` | gives events to a subscriber without demand |
 * | `'bad-count'` | holds a count that is not an integer from 1 to the subscriber's demand |
 * | `'duplicate-subscriber'` | names a subscriber twice |
 * | `'too-many-events'` | assigns more events than there are |
 */
export type StrategyContractRule =
  | 'not-a-list'
  | 'malformed-entry'
  | 'no-demand'
  | 'bad-count'
  | 'duplicate-subscriber'
  | 'too-many-events';

/**
 * Thrown by a buffer when its assignment strategy returns a result that breaks the
 * {@link AssignmentStrategy} contract; the buffer is left as it was before the call.
 *
 * @example
 * ```ts
 * try {
 *   buffer.assignEvents();
 * } catch (error) {
 *   if (error instanceof StrategyContractError) console.error(error.rule, error.message);
 * }
 * ```
 */
export class StrategyContractError extends DispenserError {
  /** Which rule the result broke, when a buffer detected it. */
  readonly rule: StrategyContractRule | undefined;

  constructor(message: string, options?: { cause?: unknown; rule?: StrategyContractRule }) {
    super(ErrorCode.STRATEGY_CONTRACT, message, options);
    this.name = 'StrategyContractError';
    this.rule = options?.rule;
  }
}
