import { describe, expect, test } from 'vitest';
import {
  BufferClosedError,
  BufferEmptyError,
  BufferFullError,
  DispenserError,
  ErrorCode,
  StrategyContractError,
} from './index';

describe('errors', () => {
  test.each([
    [new BufferFullError(), 'BufferFullError', ErrorCode.BUFFER_FULL],
    [new BufferEmptyError(), 'BufferEmptyError', ErrorCode.BUFFER_EMPTY],
    [new BufferClosedError(), 'BufferClosedError', ErrorCode.BUFFER_CLOSED],
    [new StrategyContractError('broken'), 'StrategyContractError', ErrorCode.STRATEGY_CONTRACT],
  ])('%s has its name and stable code, and is a DispenserError', (error, name, code) => {
    expect(error).toBeInstanceOf(DispenserError);
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.code]).toEqual([name, code]);
    expect(error.message.length).toBeGreaterThan(0);
  });

  test('codes are the documented strings, and causes pass through', () => {
    expect(ErrorCode).toEqual({
      BUFFER_FULL: 'BUFFER_FULL',
      BUFFER_EMPTY: 'BUFFER_EMPTY',
      BUFFER_CLOSED: 'BUFFER_CLOSED',
      STRATEGY_CONTRACT: 'STRATEGY_CONTRACT',
    });
    const cause = new Error('root');
    expect(new BufferClosedError('closed', { cause }).cause).toBe(cause);
    expect(new DispenserError('CUSTOM', 'custom').code).toBe('CUSTOM');
  });
});
