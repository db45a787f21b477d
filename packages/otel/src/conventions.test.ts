import { describe, expect, it } from 'vitest';
import { fieldConvention, instrumentKind, instrumentName } from './conventions';

describe('instrumentName', () => {
  it('puts the field in snake_case under dispenser.server', () => {
    expect(instrumentName('buffered')).toBe('dispenser.server.buffered');
    expect(instrumentName('failedAttempts')).toBe('dispenser.server.failed_attempts');
    expect(instrumentName('handedToOnError')).toBe('dispenser.server.handed_to_on_error');
    expect(instrumentName('retried_total')).toBe('dispenser.server.retried_total');
    expect(instrumentName('p99Latency')).toBe('dispenser.server.p99_latency');
  });

  it('gives no name for a field that cannot be part of an instrument name', () => {
    for (const field of ['', 'not a name', '1st', 'dotted.key', '_private', 'ünicode']) {
      expect(instrumentName(field)).toBeUndefined();
    }
  });
});

describe('instrumentKind', () => {
  it('makes every field of stats() a gauge', () => {
    expect(instrumentKind('stats', 'subscribed')).toBe('gauge');
    expect(instrumentKind('stats', 'appended')).toBe('gauge');
  });

  it('makes the fields of metrics() counters, except the level buffered', () => {
    expect(instrumentKind('metrics', 'delivered')).toBe('counter');
    expect(instrumentKind('metrics', 'failedAttempts')).toBe('counter');
    expect(instrumentKind('metrics', 'buffered')).toBe('gauge');
  });
});

describe('fieldConvention', () => {
  it('gives the unit of each field of the servers and DataBuffer', () => {
    const units = Object.fromEntries(
      ['buffered', 'subscribed', 'demand', 'appended', 'dropped', 'delivered', 'failed', 'inserted', 'flushed', 'failedAttempts', 'handedToOnError'].map(
        (field) => [field, fieldConvention(field)?.unit],
      ),
    );
    expect(units).toEqual({
      buffered: '{event}',
      subscribed: '{subscriber}',
      demand: '{event}',
      appended: '{event}',
      dropped: '{event}',
      delivered: '{event}',
      failed: '{event}',
      inserted: '{event}',
      flushed: '{event}',
      failedAttempts: '{attempt}',
      handedToOnError: '{event}',
    });
  });

  it('knows nothing of other fields, inherited ones included', () => {
    expect(fieldConvention('queueDepth')).toBeUndefined();
    expect(fieldConvention('toString')).toBeUndefined();
    expect(fieldConvention('constructor')).toBeUndefined();
  });
});
