// Who hears about dropped events: the one listener of a buffer, and the arrays built only for it.
import type { DropListener, DropReason } from '../drop-strategy';

/**
 * The drop listener of a buffer. {@link DropReport.sink} gives an array to collect dropped
 * events into only while someone listens, so a buffer nobody watches builds nothing.
 */
export class DropReport<E> {
  listener: DropListener<E> | undefined = undefined;

  /** A fresh array to collect dropped events into, or `undefined` when nobody listens. */
  sink(): E[] | undefined {
    return this.listener === undefined ? undefined : [];
  }

  /** Hands the collected events to the listener, if there are any. */
  report(sink: E[] | undefined, reason: DropReason, cause?: unknown): void {
    if (sink === undefined || sink.length === 0) return;
    const listener = this.listener as DropListener<E>;
    if (cause === undefined) listener(sink, reason);
    else listener(sink, reason, cause);
  }
}
