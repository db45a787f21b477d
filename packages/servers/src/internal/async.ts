// Values that user callbacks return (maybe promises, maybe hostile thenables), and errors nobody handles.

/**
 * What a user callback returned, as a promise, the way `await` would see it: `undefined` when it
 * is not an object or function (nothing to wait for), otherwise `Promise.resolve(result)`. A
 * thenable whose `then` throws, or that calls back twice, behaves as it would under `await`
 * (a rejection; the first call wins). Never throws.
 */
export function toPromise(result: unknown): Promise<unknown> | undefined {
  if (result === null || (typeof result !== 'object' && typeof result !== 'function')) return undefined;
  try {
    return Promise.resolve(result);
  } catch (error) {
    // Only a real promise whose `constructor` getter throws gets here.
    return Promise.reject(error);
  }
}

/**
 * The default of every `onError` in this package: report on `console.error` and keep running,
 * so a failing subscriber or member never ends the process.
 */
export function reportError(error: unknown): void {
  console.error(error);
}

/**
 * Hands `error` to the user's `onError` with what it is about (a subscriber, a member), or
 * reports it when there is no `onError`. An `onError` that throws is reported, never rethrown.
 */
export function handError<T, A>(onError: ((error: T, about: A) => void) | undefined, error: T, about: A): void {
  if (onError === undefined) {
    reportError(error);
    return;
  }
  try {
    onError(error, about);
  } catch (thrown) {
    reportError(thrown);
  }
}
