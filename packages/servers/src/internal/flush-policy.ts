// When a push server assigns: at once (BufferServer), or by batch size and timer (BatchingBufferServer).

/** Decides when a server assigns events: at once, or by batch size and timer. */
export interface FlushPolicy {
  /** Events or demand just arrived and `buffered` events wait: assign now? May arm a timer instead. */
  shouldAssign(buffered: number): boolean;
  /** Cancels any timer; called once, by `close()`. */
  close(): void;
}

/** Builds the policy; `flush` assigns whatever can be assigned now (for timers). */
export type FlushPolicyFactory = (flush: () => void) => FlushPolicy;

/** BufferServer's policy: every append and ask assigns at once. */
export const immediately: FlushPolicy = /*#__PURE__*/ Object.freeze({ shouldAssign: () => true, close: () => undefined });
