// The websocket fan-out example, run for real on 127.0.0.1: fast clients get everything, a stalled one loses only its own events.
import { describe, expect, it } from 'vitest';
import { connect } from './client';
import { startFanout } from './fanout';
import { formatReport, main } from './main';

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('the websocket fan-out example', () => {
  it('gives every fast client every event in order, and the stalled one its first credit and the last `capacity` events', async () => {
    const result = await main({ events: 1_000, batch: 25, fast: 2, capacity: 50, initialCredit: 10 });
    for (const name of ['fast-0', 'fast-1']) expect(result.received.get(name)).toEqual(range(0, 1_000));
    expect(result.received.get('stalled')).toEqual([...range(0, 10), ...range(950, 1_000)]);
    expect(result.stalled).toEqual({ lag: 50, dropped: 940, delivered: 10, demand: 0 });
    // Counted once per (event, client): 2 × 1,000 + 10 + 50 delivered, 940 dropped for the stalled client.
    expect(result.metrics).toEqual({ appended: 1_000, dropped: 940, delivered: 2_060, failed: 0 });
    expect(formatReport(result)).toContain('dropped 940 (its own events only)');
  });

  it('lets a client that disconnects go, keeping the others served', async () => {
    const fanout = await startFanout({ capacity: 50, initialCredit: 5 });
    try {
      const [stays, leaves] = await Promise.all([connect(fanout.url, 'stays', 'fast'), connect(fanout.url, 'leaves', 'stalled')]);
      await fanout.connected(2);
      await leaves.close();
      for (let i = 0; i < 50 && fanout.server.stats().subscribed > 1; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(fanout.server.stats().subscribed).toBe(1);
      fanout.server.append(range(0, 20));
      await stays.receivedAtLeast(20);
      expect(stays.received).toEqual(range(0, 20));
      await stays.close();
    } finally {
      await fanout.close();
    }
  });
});
