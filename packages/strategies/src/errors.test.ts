import { DispenserError } from '@dispenser/core';
import { describe, expect, it } from 'vitest';
import { AlreadySubscribedError, NotSubscribedError, PartitionTakenError, StrategiesErrorCode } from './errors';

describe('StrategiesErrorCode', () => {
  it('maps every code to itself', () => {
    for (const [key, value] of Object.entries(StrategiesErrorCode)) expect(value).toBe(key);
    expect(Object.keys(StrategiesErrorCode).sort()).toEqual(['ALREADY_SUBSCRIBED', 'NOT_SUBSCRIBED', 'PARTITION_TAKEN']);
  });
});

describe('AlreadySubscribedError', () => {
  it('is a DispenserError with code ALREADY_SUBSCRIBED, its own name and the consumer', () => {
    const error = new AlreadySubscribedError('A');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(DispenserError);
    expect(error.name).toBe('AlreadySubscribedError');
    expect(error.code).toBe(StrategiesErrorCode.ALREADY_SUBSCRIBED);
    expect(error.consumer).toBe('A');
    expect(error.message).toBe('consumer "A" is already subscribed');
    expect('cause' in error).toBe(false);
  });

  it('passes the cause through', () => {
    const cause = new Error('underlying');
    expect(new AlreadySubscribedError({ id: 1 }, { cause }).cause).toBe(cause);
  });
});

describe('NotSubscribedError', () => {
  it('is a DispenserError with code NOT_SUBSCRIBED, its own name and the consumer', () => {
    const consumer = Symbol('worker');
    const error = new NotSubscribedError(consumer, { cause: 'why' });
    expect(error).toBeInstanceOf(DispenserError);
    expect(error).not.toBeInstanceOf(AlreadySubscribedError);
    expect(error.name).toBe('NotSubscribedError');
    expect(error.code).toBe('NOT_SUBSCRIBED');
    expect(error.consumer).toBe(consumer);
    expect(error.message).toBe('consumer Symbol(worker) is not subscribed: subscribe it before asking');
    expect(error.cause).toBe('why');
  });
});

describe('PartitionTakenError', () => {
  it('is a DispenserError with code PARTITION_TAKEN naming the partition and its holder', () => {
    const error = new PartitionTakenError(2, 'c');
    expect(error).toBeInstanceOf(DispenserError);
    expect(error.name).toBe('PartitionTakenError');
    expect(error.code).toBe('PARTITION_TAKEN');
    expect(error.partition).toBe(2);
    expect(error.holder).toBe('c');
    expect(error.message).toBe('partition 2 is already taken by consumer "c"');
  });

  it('passes the cause through', () => {
    const cause = new RangeError('x');
    expect(new PartitionTakenError('odd', 'c', { cause }).cause).toBe(cause);
  });
});
