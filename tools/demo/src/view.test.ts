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

/** A snapshot of `--workers 2` after a restart: worker-2 went down, worker-3 replaced it. */
const poolSnapshot: Snapshot = {
  ...snapshot,
  options: { ...snapshot.options, workers: 2 },
  workers: [
    { name: 'worker-1', speed: 2_500, delivered: 6_000, processed: 5_800, rate: 2_400, failed: 0, state: 'up' },
    { name: 'worker-2', speed: 2_500, delivered: 3_000, processed: 3_000, rate: 0, failed: 250, state: 'threw' },
    { name: 'worker-3', speed: 2_500, delivered: 1_000, processed: 900, rate: 2_300, failed: 0, state: 'up' },
  ],
  pool: {
    size: 2,
    stats: { workers: 2, busy: 2, restarts: 1 },
    metrics: { sent: 10_250, processed: 9_700, failed: 250, uncloneable: 0 },
    poisonEvery: 2_000,
    poisoned: 2,
    downs: 1,
    lastError: 'worker 2 went down: its handler failed: event 3120 is poison (it fails once)',
    gaveUp: false,
  },
};

describe('with --workers', () => {
  it('shows each thread up, those down in one row, and the pool', () => {
    const lines = renderFrame(poolSnapshot, plain);
    expect(lines[1]).toBe('strategy even · BufferServer · capacity 5,000 · drop-newest · seed 1 · 2 worker threads');
    const text = lines.join('\n');
    expect(text).toMatch(/^worker\s+state\s+delivered\s+processed\s+rate$/m);
    expect(text).toMatch(/^worker-1\s+up\s+6,000\s+5,800\s+2,400\/s$/m);
    expect(text).toMatch(/^worker-3\s+up\s+1,000\s+900\s+2,300\/s$/m);
    expect(text).toMatch(/^1 down\s+threw\s+3,000\s+3,000\s*$/m);
    expect(text).not.toMatch(/^worker-2/m);
    expect(text).toContain('pool     2/2 threads up, 2 busy · ~2,500/s each · restarts 1 · redelivered 250');
    expect(text).toContain('poison   an event every ~2 s (2 so far) takes its thread down once');
    expect(text).toContain('last     worker 2 went down: its handler failed: event 3120 is poison (it fails once)');
    expect(text).not.toContain('stopped replacing');
    expect(renderFrame({ ...poolSnapshot, pool: { ...poolSnapshot.pool!, gaveUp: true } }, plain).join('\n')).toContain(
      'the pool stopped replacing threads (RestartLimitError)',
    );
  });

  it('prints the threads and the restarts on the plain line', () => {
    expect(renderLine(poolSnapshot)).toBe(
      't=2.5s mode=overloaded producer=burst buffered=2500/5000 demand=0 delivered: worker-1=6000 worker-2=3000 worker-3=1000 restarts=1 dropped=7500 appended=20000',
    );
  });

  it('lists every thread in the summary with how it ended, and the pool\'s books', () => {
    const closed: Snapshot = {
      ...poolSnapshot,
      workers: poolSnapshot.workers.map((w) => ({ ...w, processed: w.delivered, state: w.state === 'up' ? 'closed' : (w.state as string) })),
      pool: { ...poolSnapshot.pool!, stats: { workers: 0, busy: 0, restarts: 1 }, metrics: { sent: 10_250, processed: 10_000, failed: 250, uncloneable: 0 } },
    };
    const text = renderSummary({ ...summaryOf(closed), poolBalanced: true }, plain);
    expect(text).toMatch(/^worker\s+delivered\s+processed\s+redelivered\s+avg rate\s+share\s+end$/m);
    expect(text).toMatch(/^worker-1\s+6,000\s+6,000\s+0\s+2,400\/s\s+60\.0%\s+closed$/m);
    expect(text).toMatch(/^worker-2\s+3,000\s+3,000\s+250\s+1,200\/s\s+30\.0%\s+threw$/m);
    expect(text).toMatch(/^worker-3\s+1,000\s+1,000\s+0\s+400\/s\s+10\.0%\s+closed$/m);
    expect(text).toContain('pool        metrics() sent 10,250 = processed 10,000 + failed 250 (redelivered)');
    expect(text).toContain('restarts 1 · 1 went down · 0 threads up, 0 busy after close() ✓ closed cleanly');
    expect(renderSummary({ ...summaryOf(closed), poolBalanced: false }, plain)).toContain('✗ NOT closed cleanly');
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
