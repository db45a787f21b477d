// Small helpers for values that may be promises, and errors nobody asked to handle.

/** Whether `value` is a thenable (a promise or anything with a `then` method). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Rethrows `error` from a microtask, outside the caller's stack: the default when no `onError`
 * was given, so an error is reported like an unhandled one instead of being swallowed.
 */
export function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
