import { describe, expect, it } from 'vitest';
import type { Snapshot, Summary } from './demo';
import { checkBooks } from './demo';
import { defaults } from './options';
import { bar, colours, count, fit, LiveScreen, plain, renderFrame, renderLine, renderSummary } from './view';

const snapshot: Snapshot = {
  elapsed: 2_500,
  duration: 10_000,
  options: { ...defaults, batch: false, help: false },
  mode: 'overloaded',
  phase: 'burst',
  producerRate: 30_000,
  buffered: 2_500,
  capacity: 5_000,
  demand: 0,
  appended: 20_000,
  dropped: 7_500,
  workers: [
    { name: 'fast', speed: 4_000, delivered: 6_000, processed: 5_900, rate: 4_000 },
    { name: 'sluggish', speed: 250, delivered: 4_000, processed: 3_990, rate: 250 },
  ],
};

function summaryOf(last: Snapshot, strategy: Snapshot['options']['strategy'] = 'even'): Summary {
  const books = checkBooks({ strategy }, last);
  return {
    last,
    metrics: { appended: last.appended, dropped: last.dropped, delivered: 10_000, failed: 0 },
    books,
    balanced: books.every((line) => line.balanced),
  };
}

describe('count', () => {
  it('groups thousands', () => {
    expect(count(1234567.4)).toBe('1,234,567');
  });
});

describe('bar', () => {
  it.each([
    [0, '░░░░░░░░░░'],
    [0.5, '█████░░░░░'],
    [1, '██████████'],
    [3, '██████████'],
    [Number.NaN, '░░░░░░░░░░'],
  ])('draws %d full as %s', (fraction, expected) => {
    expect(bar(fraction, 10)).toBe(expected);
  });
});

describe('renderFrame', () => {
  it('shows the mode, the buffer against its capacity, the demand and each subscriber', () => {
    const text = renderFrame(snapshot, plain).join('\n');
    expect(text).toContain('mode OVERLOADED');
    expect(text).toContain(`${bar(0.5, 40)} 2,500 / 5,000`);
    expect(text).toContain('demand   0 outstanding');
    expect(text).toMatch(/fast\s+4,000\/s\s+6,000\s+4,000\/s/);
    expect(text).toContain('dropped 7,500');
  });
});

describe('renderLine', () => {
  it('prints one plain line', () => {
    const line = renderLine(snapshot);
    expect(line).not.toContain('\n');
    expect(line).toBe(
      't=2.5s mode=overloaded producer=burst buffered=2500/5000 demand=0 delivered: fast=6000 sluggish=4000 dropped=7500 appended=20000',
    );
  });
});

describe('renderSummary', () => {
  it('prints balanced books', () => {
    const text = renderSummary(summaryOf(snapshot), plain);
    expect(text).toContain('books: appended 20,000 = delivered 10,000 + dropped 7,500 + buffered 2,500 ✓ balanced');
    expect(text).toContain('The books balance.');
  });

  it('flags books that do not balance', () => {
    const text = renderSummary(summaryOf({ ...snapshot, appended: 20_001 }), plain);
    expect(text).toContain('books: appended 20,001 ≠ delivered 10,000 + dropped 7,500 + buffered 2,500 ✗ NOT balanced');
    expect(text).toContain('The books do NOT balance.');
  });

  it('prints one line of books per subscriber for broadcast', () => {
    const text = renderSummary(summaryOf(snapshot, 'broadcast'), plain);
    expect(text).toContain('books (fast): appended 20,000 ≠ delivered 6,000');
    expect(text).toContain('books (sluggish): appended 20,000 ≠ delivered 4,000');
  });
});

describe('fit', () => {
  it('cuts to the visible width and keeps colour escapes whole', () => {
    expect(fit('abcdef', 4)).toBe('abcd');
    expect(fit('ab', 4)).toBe('ab');
    const red = colours.red('abcdef');
    expect(fit(red, 3)).toBe('\u001b[31mabc\u001b[39m');
    expect(fit('█░█░█░', 3)).toBe('█░█');
  });
});

describe('LiveScreen', () => {
  it('redraws over the previous frame and clears what is left below', () => {
    const written: string[] = [];
    const screen = new LiveScreen((text) => written.push(text));
    screen.start();
    screen.draw(['a', 'b', 'c']);
    screen.draw(['d']);
    screen.end();
    expect(written).toEqual(['\u001b[?25l', 'a\u001b[K\nb\u001b[K\nc\u001b[K\n\u001b[J', '\u001b[3Fd\u001b[K\n\u001b[J', '\u001b[?25h']);
  });

  it('cuts lines to the terminal width so that none wraps', () => {
    const written: string[] = [];
    const screen = new LiveScreen((text) => written.push(text), () => 31);
    screen.draw(['x'.repeat(50)]);
    expect(written).toEqual([`${'x'.repeat(30)}\u001b[K\n\u001b[J`]);
  });
});
