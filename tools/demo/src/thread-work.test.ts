import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handleEvents, hashEvent, PoisonError, poisonFlag, ROUNDS } from './thread-work';

/** The chain of digests, computed apart from `hashEvent`. */
function chain(id: number, rounds: number): string {
  let digest: Buffer = Buffer.from(String(id));
  for (let i = 0; i < rounds; i++) digest = createHash('sha256').update(digest).digest();
  return digest.subarray(0, 8).toString('hex');
}

describe('hashEvent', () => {
  it('chains SHA-256 digests from the id, ROUNDS of them by default', () => {
    expect(hashEvent(7, 1)).toBe(createHash('sha256').update('7').digest('hex').slice(0, 16));
    expect(hashEvent(42, 3)).toBe(chain(42, 3));
    expect(hashEvent(42)).toBe(chain(42, ROUNDS));
    expect(hashEvent(42)).not.toBe(hashEvent(43));
  });
});

describe('handleEvents', () => {
  it('hashes plain events without complaint', () => {
    expect(() => handleEvents([{ id: 0 }, { id: 1 }])).not.toThrow();
  });

  it('throws on a poison event the first time only, whichever batch it comes in', () => {
    const fault = poisonFlag();
    const poisoned = { id: 5, fault };
    expect(() => handleEvents([{ id: 4 }, poisoned, { id: 6 }])).toThrow(new PoisonError('event 5 is poison (it fails once)'));
    expect(Atomics.load(fault, 0)).toBe(1);
    // Redelivered, the same event (the same shared flag) passes.
    expect(() => handleEvents([poisoned, { id: 6 }])).not.toThrow();
  });

  it('shares the flag between copies of the event, as a thread gets them', () => {
    const poisoned = { id: 9, fault: poisonFlag() };
    const copy = structuredClone(poisoned);
    expect(() => handleEvents([copy])).toThrow(PoisonError);
    expect(() => handleEvents([poisoned])).not.toThrow();
  });
});
