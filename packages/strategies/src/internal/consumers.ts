// Errors the dispatchers share for consumers that are (or are not) subscribed.
import { DispenserError } from '@dispenser/core';

/** Codes of the subscription errors thrown by the dispatchers. */
export const DispatcherErrorCode = {
  ALREADY_SUBSCRIBED: 'ALREADY_SUBSCRIBED',
  NOT_SUBSCRIBED: 'NOT_SUBSCRIBED',
  PARTITION_TAKEN: 'PARTITION_TAKEN',
} as const;

/** Renders a consumer or partition name for an error message. */
export function describeName(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    default:
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
  }
}

/** The consumer is subscribed already; thrown by `subscribe`. */
export function alreadySubscribed(consumer: unknown): DispenserError {
  return new DispenserError(
    DispatcherErrorCode.ALREADY_SUBSCRIBED,
    `consumer ${describeName(consumer)} is already subscribed`,
  );
}

/** The consumer is not subscribed; thrown by `ask`. */
export function notSubscribed(consumer: unknown): DispenserError {
  return new DispenserError(
    DispatcherErrorCode.NOT_SUBSCRIBED,
    `consumer ${describeName(consumer)} is not subscribed: subscribe it before asking`,
  );
}
