// How a subscriber is watched: the Monitor contract and the AbortSignal-based default.
import { assertSignal } from '@dispenser/core/internal';

/**
 * Watches one subscriber and calls `down` once it is gone (the Node counterpart of an Erlang
 * process monitor). Returns a cleanup that stops watching, or nothing when there is nothing to
 * undo.
 *
 * The {@link SubscriptionManager} calls the monitor when it starts watching a subscriber and
 * runs the cleanup exactly once: when the subscriber is demonitored, or when it goes down.
 * `down` may be called synchronously from inside the monitor (the subscriber is already gone);
 * calls after the cleanup, or after the first one, are ignored.
 *
 * @example
 * ```ts
 * // Down when a WebSocket closes.
 * const socketMonitor: Monitor<{ socket: WebSocket }> = ({ socket }, down) => {
 *   if (socket.readyState === WebSocket.CLOSED) return down('closed');
 *   const onClose = () => down('closed');
 *   socket.addEventListener('close', onClose);
 *   return () => socket.removeEventListener('close', onClose);
 * };
 * ```
 */
export type Monitor<S> = (subscriber: S, down: (reason?: unknown) => void) => (() => void) | void;

/** Identifies one monitoring of a subscriber: a unique object per call to `monitor` that started watching it. */
export type MonitorRef = object;

/**
 * What {@link SubscriptionManager.down} did: `'ok'` (stopped monitoring), `'not_subscribed'`
 * (unknown subscriber) or `'wrong_ref'` (a stale ref; nothing changed).
 */
export type DownResult = 'ok' | 'not_subscribed' | 'wrong_ref';

/** A subscriber {@link signalMonitor} can watch: one that may carry an `AbortSignal`. */
export interface SignalSubscriber {
  /** Aborts when the subscriber goes away. */
  signal?: AbortSignal;
}

/**
 * The default {@link Monitor}: a subscriber is down when its `signal` aborts, with the signal's
 * `reason`. A subscriber without a `signal` (or that is not an object) is never reported down.
 *
 * **Gotchas:** a signal that is already aborted reports the subscriber down at once, from
 * inside the call, so an already-gone subscriber never starts receiving events. The cleanup
 * removes the `abort` listener.
 *
 * @throws TypeError when the subscriber has a `signal` that is not an `AbortSignal`
 * @example
 * ```ts
 * const controller = new AbortController();
 * const manager = new SubscriptionManager({ monitor: signalMonitor, onDown: (s) => console.log('gone', s) });
 * manager.monitor({ signal: controller.signal });
 * controller.abort(); // logs "gone"
 * ```
 */
export const signalMonitor: Monitor<SignalSubscriber> = watchSignal;

/**
 * {@link signalMonitor} typed for any subscriber, so it can be the default `Monitor<S>` of every manager.
 *
 * @internal
 */
export function watchSignal(subscriber: unknown, down: (reason?: unknown) => void): (() => void) | undefined {
  if (subscriber === null || (typeof subscriber !== 'object' && typeof subscriber !== 'function')) return undefined;
  const signal = (subscriber as { signal?: unknown }).signal;
  if (signal === undefined || signal === null) return undefined;
  assertSignal('subscriber.signal', signal);
  const abortSignal = signal;
  if (abortSignal.aborted) {
    down(abortSignal.reason);
    return undefined;
  }
  const onAbort = (): void => down(abortSignal.reason);
  abortSignal.addEventListener('abort', onAbort, { once: true });
  return () => abortSignal.removeEventListener('abort', onAbort);
}
