// The drop strategies a full buffer can follow.

/**
 * What a full buffer does with values that do not fit.
 *
 * - `'drop-newest'` (the default everywhere): incoming values are rejected; the buffer is untouched.
 * - `'drop-oldest'`: the oldest buffered values are evicted to make room.
 *
 * The names match Node's stream drop policies. Every dropped value is counted by the call that
 * dropped it.
 */
export type DropStrategy = 'drop-newest' | 'drop-oldest';
