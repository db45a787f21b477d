// The shape of a subscriber that a server pushes events to.

/**
 * A subscriber that a server pushes its assigned events to.
 *
 * A subscriber is *down* (like an Erlang process exit) when its `signal` aborts, or when its
 * handler throws or its returned promise rejects: the server cancels its demand and keeps
 * serving the others.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const subscriber: Subscriber<string> = {
 *   handleAssignedEvents(events) { socket.send(JSON.stringify(events)); },
 *   signal: controller.signal,
 * };
 * server.ask(subscriber, 10);
 * ```
 */
export interface Subscriber<E> {
  /** Receives events the server assigned to this subscriber, in FIFO order. */
  handleAssignedEvents(events: E[], sender: unknown): void | Promise<void>;
  /** Aborted = the subscriber is gone; the server cancels its demand. */
  readonly signal?: AbortSignal;
}
