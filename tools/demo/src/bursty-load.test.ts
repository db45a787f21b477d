import { describe, expect, it } from 'vitest';
import { BurstyLoad } from './bursty-load';

function trace(seed: number, ms: number): Array<{ phase: string; rate: number; count: number }> {
  const load = new BurstyLoad({ throughput: 1_000, seed });
  const out = [];
  for (let now = 10; now <= ms; now += 10) {
    const count = load.take(now, 10);
    out.push({ phase: load.phase, rate: load.rate, count });
  }
  return out;
}

describe('BurstyLoad', () => {
  it('starts calm, below what the subscribers can take', () => {
    const load = new BurstyLoad({ throughput: 1_000, seed: 3 });
    expect(load.phase).toBe('calm');
    expect(load.rate).toBeGreaterThanOrEqual(300);
    expect(load.rate).toBeLessThanOrEqual(700);
  });

  it('alternates calm phases below the throughput with bursts far above it', () => {
    const steps = trace(5, 20_000);
    const phases = steps.map((s) => s.phase).filter((p, i, all) => i === 0 || all[i - 1] !== p);
    expect(phases.length).toBeGreaterThanOrEqual(6);
    expect(phases.slice(0, 4)).toEqual(['calm', 'burst', 'calm', 'burst']);
    for (const step of steps) {
      if (step.phase === 'calm') expect(step.rate).toBeLessThanOrEqual(700);
      else expect(step.rate).toBeGreaterThanOrEqual(3_000);
    }
  });

  it('produces about the rate over time, in whole events', () => {
    const load = new BurstyLoad({ throughput: 1_000, seed: 9 });
    let produced = 0;
    let expected = 0;
    for (let now = 10; now <= 1_000; now += 10) {
      const rate = load.rate;
      const count = load.take(now, 10);
      expect(Number.isInteger(count)).toBe(true);
      produced += count;
      expected += rate / 100;
    }
    expect(produced).toBeGreaterThan(expected * 0.9);
    expect(produced).toBeLessThan(expected * 1.1);
  });

  it('keeps the same phases for a seed, however often it is asked', () => {
    const phasesOf = (step: number): Array<[number, string]> => {
      const load = new BurstyLoad({ throughput: 1_000, seed: 4 });
      const changes: Array<[number, string]> = [];
      let phase = '';
      for (let now = step; now <= 20_000; now += step) {
        load.take(now, step);
        if (load.phase !== phase) changes.push([Math.round(load.rate), (phase = load.phase)]);
      }
      return changes;
    };
    expect(phasesOf(7)).toEqual(phasesOf(10));
  });

  it('is the same for the same seed', () => {
    expect(trace(11, 5_000)).toEqual(trace(11, 5_000));
    expect(trace(11, 5_000)).not.toEqual(trace(12, 5_000));
  });
});
