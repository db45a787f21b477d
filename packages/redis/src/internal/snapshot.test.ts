import { describe, expect, it } from 'vitest';
import { parseSnapshot } from './snapshot';

describe('parseSnapshot', () => {
  it('reads the gauges and the counters, unwritten counters being 0', () => {
    const snapshot = parseSnapshot([3, 1, 7, 2, 10, 'appended', '11', 'dropped', '1', 'unknown', '5']);
    expect(snapshot).toMatchObject({ buffered: 3, inFlight: 1, read: 7, subscribed: 2, demand: 10 });
    expect(snapshot.counters).toEqual({ appended: 11, dropped: 1, skipped: 0, acked: 0, redelivered: 0, deadLettered: 0, lost: 0, ownershipLost: 0 });
  });

  it('reads a missing reply as all zeros', () => {
    expect(parseSnapshot(null)).toMatchObject({ buffered: 0, inFlight: 0, read: 0, subscribed: 0, demand: 0 });
  });
});
