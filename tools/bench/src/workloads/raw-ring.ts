// The raw ring of L (and of M1's limit row).

/** The raw ring of L: no validation, no drop strategy, no growth. */
export class RawRing<T> {
  readonly slots: (T | undefined)[];
  readonly mask: number;
  head = 0;
  size = 0;

  constructor(minimumSlots: number) {
    let length = 1;
    while (length < minimumSlots) length *= 2;
    this.slots = new Array<T | undefined>(length).fill(undefined);
    this.mask = length - 1;
  }
}
