import { describe, expect, it, vi } from 'vitest';
import { signalMonitor } from './index';

describe('signalMonitor', () => {
  it('reports the subscriber down with the signal reason when the signal aborts', () => {
    const controller = new AbortController();
    const down = vi.fn();
    const cleanup = signalMonitor({ signal: controller.signal }, down);
    expect(typeof cleanup).toBe('function');
    expect(down).not.toHaveBeenCalled();
    controller.abort('bye');
    expect(down).toHaveBeenCalledTimes(1);
    expect(down).toHaveBeenCalledWith('bye');
  });

  it('stops listening once its cleanup ran', () => {
    const controller = new AbortController();
    const down = vi.fn();
    const cleanup = signalMonitor({ signal: controller.signal }, down);
    if (typeof cleanup === 'function') cleanup();
    controller.abort();
    expect(down).not.toHaveBeenCalled();
  });

  it('reports an already aborted signal at once and returns no cleanup', () => {
    const reason = new Error('gone');
    const down = vi.fn();
    const cleanup = signalMonitor({ signal: AbortSignal.abort(reason) }, down);
    expect(down).toHaveBeenCalledWith(reason);
    expect(cleanup).toBeUndefined();
  });

  it('never reports subscribers without a signal', () => {
    const down = vi.fn();
    expect(signalMonitor({}, down)).toBeUndefined();
    expect(signalMonitor('worker' as never, down)).toBeUndefined();
    expect(signalMonitor(null as never, down)).toBeUndefined();
    expect(down).not.toHaveBeenCalled();
  });

  it('throws a TypeError for a signal that is not an AbortSignal', () => {
    expect(() => signalMonitor({ signal: 'nope' as never }, vi.fn())).toThrow(TypeError);
  });
});
