// Argument check for durations and points in time, which (unlike counts) may be fractional.
import { describeValue } from '@dispenser/core/internal';

/**
 * Checks that `value` is a finite number of at least 0 (milliseconds may be fractional).
 *
 * @throws TypeError when `value` is not a number
 * @throws RangeError when it is negative, `NaN` or infinite
 */
export function assertDuration(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a finite number >= 0, received ${describeValue(value)}`);
  }
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, received ${describeValue(value)}`);
  }
}
