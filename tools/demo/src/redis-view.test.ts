import { describe, expect, it } from 'vitest';
import { defaults } from './options';
import type { RedisSnapshot, RedisSummary } from './redis-demo';
import { checkRedisBooks, displayUrl } from './redis-demo';
import { renderRedisFrame, renderRedisLine, renderRedisSummary } from './redis-view';
import { bar, colours, plain } from './view';

/** Six seconds into a 10-second run: `steady` was killed at 4 s holding 100 events, which all came back. */
const snapshot: RedisSnapshot = {
  elapsed: 6_000,
  duration: 10_000,
  options: { ...defaults, batch: false, help: false, redis: 'redis://127.0.0.1:6379' },
  url: 'redis://127.0.0.1:6379',
  buffer: 'demo-42-abc',
  stage: 'running',
  phase: 'burst',
  producerRate: 12_000,
  appended: 40_000,
  dropped: 20_000,
  stats: { buffered: 2_500, subscribed: 2, demand: 0, inFlight: 250 },
  metrics: { appended: 40_000, dropped: 20_000, delivered: 17_350, redelivered: 100, deadLettered: 0, acked: 17_250, ownershipLost: 0, lost: 0 },
  consistent: true,
  subscribers: [
    { name: 'fast', speed: 2_000, pid: 101, state: 'running', handled: 11_000, redelivered: 70, held: 200, rate: 2_000 },
    { name: 'steady', speed: 1_000, pid: 102, state: 'killed', handled: 3_900, redelivered: 0, held: 0, rate: 0, end: 'SIGKILL' },
    { name: 'slow', speed: 500, pid: 103, state: 'running', handled: 2_350, redelivered: 30, held: 50, rate: 500 },
  ],
  victim: 'steady',
  killAt: 4_000,
  kill: { name: 'steady', pid: 102, at: 4_010, held: 100, returned: 100, returnedBy: { fast: 70, slow: 30 } },
};

function summaryOf(last: RedisSnapshot, overrides: Partial<RedisSummary> = {}): RedisSummary {
  const books = checkRedisBooks(last.metrics, last.stats);
  const fine = { countsAgree: true, redelivered: true, interrupted: false, subscribersClean: true, cleanedUp: true };
  const summary = { last, books, ...fine, ...overrides };
  return { ...summary, balanced: books.balanced && summary.countsAgree && summary.redelivered && summary.subscribersClean && summary.cleanedUp };
}

const done: RedisSnapshot = {
  ...snapshot,
  elapsed: 10_000,
  stage: 'done',
  producerRate: 0,
  stats: { buffered: 2_500, subscribed: 0, demand: 0, inFlight: 0 },
  metrics: { ...snapshot.metrics, acked: 17_500 },
  subscribers: snapshot.subscribers.map((s) => (s.state === 'running' ? { ...s, state: 'closed', held: 0, end: 'exit 0' } : s)),
};

describe('checkRedisBooks', () => {
  it('balances appended against acked, dropped, dead-lettered, lost, buffered and in flight', () => {
    expect(checkRedisBooks(snapshot.metrics, snapshot.stats)).toEqual({
      appended: 40_000,
      acked: 17_250,
      dropped: 20_000,
      deadLettered: 0,
      lost: 0,
      buffered: 2_500,
      inFlight: 250,
      balanced: true,
    });
    expect(checkRedisBooks({ ...snapshot.metrics, lost: 1 }, snapshot.stats).balanced).toBe(false);
  });
});

describe('displayUrl', () => {
  it('hides the password', () => {
    expect(displayUrl('redis://user:secret@cache:6380/2')).toBe('redis://user:***@cache:6380/2');
    expect(displayUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});

describe('renderRedisFrame', () => {
  it('shows the buffer, each subscriber process, the kill and its events coming back, and the books', () => {
    const lines = renderRedisFrame(snapshot, plain);
    expect(lines[0]).toBe('dispenser demo --redis   6.0 s / 10 s');
    expect(lines[1]).toBe('Redis redis://127.0.0.1:6379 · buffer demo-42-abc · capacity 5,000 · drop-newest · seed 1');
    const text = lines.join('\n');
    expect(text).toContain('producer burst ~12,000/s   appended 40,000   dropped 20,000');
    expect(text).toContain(`buffered ${bar(0.5, 30)} 2,500 / 5,000   in flight 250`);
    expect(text).toContain('demand   0 outstanding · 2 subscribed');
    expect(text).toMatch(/^subscriber\s+pid\s+speed\s+state\s+held\s+handled\s+redelivered\s+rate$/m);
    expect(text).toMatch(/^fast\s+101\s+2,000\/s\s+running\s+200\s+11,000\s+70\s+2,000\/s$/m);
    expect(text).toMatch(/^steady\s+102\s+1,000\/s\s+KILLED\s+0\s+3,900\s+0\s+0\/s$/m);
    expect(text).toContain('kill     steady (pid 102) SIGKILLed at 4.0 s, holding 100 unacked events\n         100/100 handled again by the others (fast 70, slow 30) ✓');
    expect(text).toContain('metrics  delivered 17,350 · redelivered 100 · ownershipLost 0');
    expect(text).toContain(
      // The second line's `+` under the `=`.
      `books    appended 40,000 = acked 17,250 + dropped 20,000 + deadLettered 0 + lost 0\n${' '.repeat(25)}+ buffered 2,500 + inFlight 250 ✓ balanced`,
    );
  });

  it('announces the kill before it, shows events still on their way back, and colours the killed row', () => {
    const { kill: _kill, ...before } = snapshot;
    expect(renderRedisFrame(before, plain).join('\n')).toContain('kill     steady at ~4 s, once it holds unacked events (SIGKILL)');
    const returning = { ...snapshot, kill: { ...snapshot.kill!, returned: 40, returnedBy: { fast: 40 } } };
    expect(renderRedisFrame(returning, plain).join('\n')).toContain('         40/100 handled again by the others (fast 40)…');
    expect(renderRedisFrame(snapshot, colours).join('\n')).toContain(colours.red('KILLED   '));
  });

  it('tells books read while moving from books that do not balance', () => {
    const off = { ...snapshot, stats: { ...snapshot.stats, inFlight: 251 } };
    expect(renderRedisFrame({ ...off, consistent: false }, plain).join('\n')).toMatch(/≠ acked .*\n.*\+ inFlight 251 ≈ read while moving$/);
    expect(renderRedisFrame(off, plain).join('\n')).toMatch(/\+ inFlight 251 ✗ NOT balanced$/);
  });

  it('says what the run is doing once the producer stopped', () => {
    expect(renderRedisFrame({ ...snapshot, stage: 'waiting' }, plain)[0]).toBe("dispenser demo --redis   6.0 s / 10 s   waiting for the killed subscriber's events…");
    expect(renderRedisFrame({ ...snapshot, stage: 'starting' }, plain).join('\n')).toContain('producer not started');
    expect(renderRedisFrame(done, plain).join('\n')).toContain('producer stopped');
  });
});

describe('renderRedisLine', () => {
  it('prints one plain line', () => {
    expect(renderRedisLine(snapshot)).toBe(
      't=6.0s stage=running producer=burst buffered=2500/5000 inFlight=250 demand=0 handled: fast=11000 steady=3900(killed) slow=2350 killed=steady held=100 returned=100 redelivered=100 appended=40000 dropped=20000 books=balanced',
    );
  });
});

describe('renderRedisSummary', () => {
  it('lists each process with how it ended, what the kill showed, the counters and the books', () => {
    const text = renderRedisSummary(summaryOf(done), plain);
    expect(text).toContain('Summary after 10.0 s · Redis redis://127.0.0.1:6379 · buffer demo-42-abc · capacity 5,000 · drop-newest · seed 1');
    expect(text).toMatch(/^subscriber\s+pid\s+speed\s+handled\s+redelivered\s+avg rate\s+share\s+end$/m);
    expect(text).toMatch(/^fast\s+101\s+2,000\/s\s+11,000\s+70\s+1,100\/s\s+63\.8%\s+closed$/m);
    expect(text).toMatch(/^steady\s+102\s+1,000\/s\s+3,900\s+0\s+390\/s\s+22\.6%\s+killed \(SIGKILL\) at 4\.0 s$/m);
    expect(text).toMatch(/^total\s+17,250\s+100$/m);
    expect(text).toContain('killed      steady (pid 102) at 4.0 s, holding 100 unacked events\n            100 of 100 handled again by the others (fast 70, slow 30) ✓ none lost');
    expect(text).toContain('producer    appended 40,000, dropped 20,000 (what append returned) ✓ = metrics()');
    expect(text).toContain('metrics()   appended 40,000, dropped 20,000, delivered 17,350, redelivered 100, acked 17,500, deadLettered 0, lost 0, ownershipLost 0');
    expect(text).toContain('stats()     buffered 2,500, inFlight 0, subscribed 0, demand 0');
    expect(text).toContain('books: appended 40,000 = acked 17,500 + dropped 20,000 + deadLettered 0 + lost 0 + buffered 2,500 + inFlight 0 ✓ balanced');
    expect(text).toContain('The books balance, and every event the killed subscriber held was handled again.');
  });

  it('flags events that never came back, counts that disagree, and books that do not balance', () => {
    const lost = { ...done, kill: { ...done.kill!, returned: 90, returnedBy: { fast: 90 } } };
    const text = renderRedisSummary(summaryOf(lost, { redelivered: false, countsAgree: false }), plain);
    expect(text).toContain('90 of 100 handled again by the others (fast 90) ✗ some never came back');
    expect(text).toContain('(what append returned) ✗ differ from metrics()');
    expect(text).toContain('The books balance, but the run is NOT clean (see above).');
    const unbalanced = renderRedisSummary(summaryOf({ ...done, stats: { ...done.stats, buffered: 2_499 } }), plain);
    expect(unbalanced).toContain('books: appended 40,000 ≠ acked 17,500 + dropped 20,000 + deadLettered 0 + lost 0 + buffered 2,499 + inFlight 0 ✗ NOT balanced');
    expect(unbalanced).toContain('The books do NOT balance.');
  });

  it('says when nobody was killed, and why', () => {
    const { kill: _kill, ...nobody } = done;
    expect(renderRedisSummary(summaryOf(nobody, { redelivered: false }), plain)).toContain(
      'killed      nobody: steady never held unacked events when it was due to be killed',
    );
    expect(renderRedisSummary(summaryOf(nobody, { redelivered: false, interrupted: true }), plain)).toContain(
      'killed      nobody: the run was interrupted before steady was killed',
    );
  });
});
