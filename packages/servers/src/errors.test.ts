import { DispenserError } from '@dispenser/core';
import { describe, expect, it } from 'vitest';
import { DeliveryError, FlushError, ServerErrorCode } from './errors';

describe('ServerErrorCode', () => {
  it('maps every code to itself', () => {
    for (const [key, value] of Object.entries(ServerErrorCode)) expect(value).toBe(key);
    expect(Object.keys(ServerErrorCode).sort()).toEqual(['DELIVERY_FAILED', 'FLUSH_FAILED']);
  });
});

describe('DeliveryError', () => {
  it('carries the events, the cause and whether they were redelivered', () => {
    const cause = new Error('handler blew up');
    const error = new DeliveryError(['a', 'b'], { cause, redelivered: true });
    expect(error).toBeInstanceOf(DispenserError);
    expect(error.name).toBe('DeliveryError');
    expect(error.code).toBe(ServerErrorCode.DELIVERY_FAILED);
    expect(error.events).toEqual(['a', 'b']);
    expect(error.cause).toBe(cause);
    expect(error.redelivered).toBe(true);
    expect(error.message).toBe('a subscriber failed on 2 events: handler blew up (redelivered)');
  });

  it('has no cause and is not redelivered by default', () => {
    const error = new DeliveryError([1]);
    expect('cause' in error).toBe(false);
    expect(error.redelivered).toBe(false);
    expect(error.message).toBe('a subscriber failed on 1 event');
  });
});

describe('FlushError', () => {
  it('is a DispenserError with code FLUSH_FAILED listing the failures, caused by the first one', () => {
    const first = new Error('db down');
    const failures = [
      { key: 'a', values: [1, 2], error: first },
      { key: 'b', values: [3], error: new Error('timeout') },
    ];
    const error = new FlushError(failures);
    expect(error).toBeInstanceOf(DispenserError);
    expect(error.name).toBe('FlushError');
    expect(error.code).toBe(ServerErrorCode.FLUSH_FAILED);
    expect(error.failures).toBe(failures);
    expect(error.cause).toBe(first);
    expect(error.message).toMatch(/^2 key\(s\) could not be flushed/);
  });
});
