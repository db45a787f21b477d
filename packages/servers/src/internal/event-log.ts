// The shared ring of a BroadcastServer: events by sequence number, trimmed once nobody needs them.

const INITIAL_SLOTS = 16;

/**
 * An append-only run of events numbered by sequence (`base` is the oldest held, `end` the next
 * to come), on a power-of-two ring that grows as needed. `trim` lets go of the oldest events
 * (their slots are cleared, so nothing stays alive); reads are by sequence number.
 */
export class EventLog<E> {
  #slots: (E | undefined)[] = new Array<E | undefined>(INITIAL_SLOTS);
  #mask = INITIAL_SLOTS - 1;
  /** Slot of `base`. */
  #head = 0;
  #base = 0;
  #end = 0;

  /** Sequence number of the oldest event held. */
  get base(): number {
    return this.#base;
  }

  /** Sequence number the next appended event gets. */
  get end(): number {
    return this.#end;
  }

  /** Events held: `end - base`. */
  get size(): number {
    return this.#end - this.#base;
  }

  /** Appends `events` in order. */
  push(events: readonly E[]): void {
    const count = events.length;
    const needed = this.size + count;
    if (needed > this.#slots.length) this.#grow(needed);
    const slots = this.#slots;
    const mask = this.#mask;
    let at = (this.#head + this.size) & mask;
    for (let i = 0; i < count; i++) {
      slots[at] = events[i];
      at = (at + 1) & mask;
    }
    this.#end += count;
  }

  /** A new array of the `count` events from sequence `from` on; `base <= from`, `from + count <= end`. */
  slice(from: number, count: number): E[] {
    const out = new Array<E>(count);
    const slots = this.#slots;
    const mask = this.#mask;
    let at = (this.#head + (from - this.#base)) & mask;
    for (let i = 0; i < count; i++) {
      out[i] = slots[at] as E;
      at = (at + 1) & mask;
    }
    return out;
  }

  /** Lets go of every event before sequence `to` (no-op below `base`; at most up to `end`). */
  trim(to: number): void {
    const drop = Math.min(to, this.#end) - this.#base;
    if (drop <= 0) return;
    const slots = this.#slots;
    const mask = this.#mask;
    let at = this.#head;
    for (let i = 0; i < drop; i++) {
      slots[at] = undefined;
      at = (at + 1) & mask;
    }
    this.#head = at;
    this.#base += drop;
  }

  #grow(needed: number): void {
    let length = this.#slots.length;
    while (length < needed) length *= 2;
    const next = new Array<E | undefined>(length);
    const slots = this.#slots;
    const mask = this.#mask;
    const size = this.size;
    for (let i = 0; i < size; i++) next[i] = slots[(this.#head + i) & mask];
    this.#slots = next;
    this.#mask = length - 1;
    this.#head = 0;
  }
}
