import { describe, expect, it } from 'vitest';
import { decades, logLogChart } from './chart';

describe('decades', () => {
  it('covers every value with whole powers of ten, at least two decades', () => {
    expect(decades([1_000, 100_000])).toEqual([3, 5]);
    expect(decades([0.05, 220])).toEqual([-2, 3]);
    expect(decades([5])).toEqual([-1, 1]);
  });

  it('ignores values a log scale cannot show', () => {
    expect(decades([0, -1, Number.NaN, 10, 1_000])).toEqual([1, 3]);
  });
});

describe('logLogChart', () => {
  const svg = logLogChart(
    [
      { label: 'even, 500,000 events', points: [[1_000, 0.4], [10_000, 16], [100_000, 220]] },
      { label: 'even, 1,000 <events>', points: [[100_000, 1.3]] },
    ],
    { title: 'W4', xLabel: 'subscribers', yLabel: 'ms' },
  );

  it('draws a line per series with several points and a dot per point', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(1);
    // Four data points plus one legend marker per series.
    expect(svg.match(/<circle /g)).toHaveLength(6);
  });

  it('places larger values further right and higher up', () => {
    const line = /<polyline points="([^"]+)"/.exec(svg)?.[1] ?? '';
    const points = line.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
    expect(points).toHaveLength(3);
    const [a, b, c] = points as [[number, number], [number, number], [number, number]];
    expect(a[0]).toBeLessThan(b[0]);
    expect(b[0]).toBeLessThan(c[0]);
    expect(a[1]).toBeGreaterThan(b[1]);
    expect(b[1]).toBeGreaterThan(c[1]);
  });

  it('escapes text for XML', () => {
    expect(svg).toContain('even, 1,000 &lt;events&gt;');
    expect(svg).not.toContain('<events>');
  });
});
