// What `--redis` prints: the live frame (TTY), the plain progress line, and the summary with the books.
import type { KillFigures, RedisBooks, RedisSnapshot, RedisSubscriberFigures, RedisSummary } from './redis-demo';
import { checkRedisBooks } from './redis-demo';
import { bar, count, padEnd, padStart, seconds, type Paint } from './view';

function settings(snapshot: RedisSnapshot): string {
  const { options } = snapshot;
  return [`Redis ${snapshot.url}`, `buffer ${snapshot.buffer}`, `capacity ${count(options.capacity)}`, `drop-${options.drop}`, `seed ${options.seed}`].join(' · ');
}

const stageNotes: Record<RedisSnapshot['stage'], string> = {
  starting: 'starting the subscriber processes…',
  running: '',
  waiting: "waiting for the killed subscriber's events…",
  stopping: 'stopping the subscribers…',
  done: 'done',
};

/** `✓ balanced`, or `✗ NOT balanced` (`≈ read while moving` when stats and metrics were not of the same moment). */
function verdict(books: RedisBooks, consistent: boolean, paint: Paint): string {
  if (books.balanced) return paint.green('✓ balanced');
  return consistent ? paint.red('✗ NOT balanced') : paint.yellow('≈ read while moving');
}

/** The books as `appended N = acked N + … + inFlight N`, in one piece or two (for the live frame). */
function booksSum(books: RedisBooks): [string, string] {
  return [
    `appended ${count(books.appended)} ${books.balanced ? '=' : '≠'} acked ${count(books.acked)} + dropped ${count(books.dropped)} + deadLettered ${count(books.deadLettered)} + lost ${count(books.lost)}`,
    `+ buffered ${count(books.buffered)} + inFlight ${count(books.inFlight)}`,
  ];
}

/** A subscriber's state as shown, padded to the state column, in red once killed or failed. */
function stateOf(s: RedisSubscriberFigures, paint: Paint): string {
  const text = padEnd(s.state === 'killed' ? 'KILLED' : s.state, 9);
  return s.state === 'killed' || s.state === 'failed' ? paint.red(text) : text;
}

function returnedBy(kill: KillFigures): string {
  const parts = Object.entries(kill.returnedBy)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name} ${count(n)}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** The kill's lines of the live view: planned, or done with how many of its events came back. */
function killLines(snapshot: RedisSnapshot, paint: Paint): string[] {
  const { kill } = snapshot;
  if (kill === undefined) return [paint.dim(`kill     ${snapshot.victim} at ~${seconds(snapshot.killAt)} s, once it holds unacked events (SIGKILL)`)];
  const back = `${count(kill.returned)}/${count(kill.held)} handled again by the others${returnedBy(kill)}`;
  return [
    `kill     ${kill.name} (pid ${kill.pid ?? '?'}) SIGKILLed at ${(kill.at / 1000).toFixed(1)} s, holding ${count(kill.held)} unacked events`,
    `         ${kill.returned === kill.held ? `${back} ${paint.green('✓')}` : paint.yellow(`${back}…`)}`,
  ];
}

/** The lines of the live view of `--redis`, redrawn about 10 times a second on a TTY. */
export function renderRedisFrame(snapshot: RedisSnapshot, paint: Paint, width = 80): string[] {
  const { stats, metrics } = snapshot;
  const capacity = snapshot.options.capacity;
  const fill = stats.buffered / capacity;
  const barWidth = Math.max(10, Math.min(40, width - 50));
  const colourBar = fill >= 0.9 ? paint.red : fill >= 0.5 ? paint.yellow : paint.green;
  const note = stageNotes[snapshot.stage];
  const producer =
    snapshot.stage === 'running'
      ? `producer ${snapshot.phase === 'burst' ? paint.yellow('burst') : 'calm'} ~${count(snapshot.producerRate)}/s`
      : `producer ${snapshot.stage === 'starting' ? 'not started' : 'stopped'}`;
  const lines = [
    `${paint.bold('dispenser demo --redis')}   ${(snapshot.elapsed / 1000).toFixed(1)} s / ${seconds(snapshot.duration)} s${note === '' ? '' : `   ${paint.dim(note)}`}`,
    paint.dim(settings(snapshot)),
    `${producer}   appended ${count(snapshot.appended)}   dropped ${snapshot.dropped > 0 ? paint.red(count(snapshot.dropped)) : '0'}`,
    `buffered ${colourBar(bar(fill, barWidth))} ${count(stats.buffered)} / ${count(capacity)}   in flight ${count(stats.inFlight)}`,
    `demand   ${count(stats.demand)} outstanding · ${stats.subscribed} subscribed`,
    '',
    paint.dim(subscriberRow('subscriber', 'pid', 'speed', padEnd('state', 9), 'held', 'handled', 'redelivered', 'rate')),
  ];
  for (const s of snapshot.subscribers) {
    lines.push(
      subscriberRow(s.name, String(s.pid ?? '?'), `${count(s.speed)}/s`, stateOf(s, paint), count(s.held), count(s.handled), count(s.redelivered), `${count(s.rate)}/s`),
    );
  }
  const books = checkRedisBooks(metrics, stats);
  const [sum, rest] = booksSum(books);
  lines.push(
    '',
    ...killLines(snapshot, paint),
    `metrics  delivered ${count(metrics.delivered)} · redelivered ${count(metrics.redelivered)} · ownershipLost ${count(metrics.ownershipLost)}`,
    `books    ${sum}`,
    `${' '.repeat(9 + sum.search(/[=≠]/))}${rest} ${verdict(books, snapshot.consistent, paint)}`,
  );
  if (snapshot.lastError !== undefined) lines.push(paint.dim(`last     ${snapshot.lastError}`));
  return lines;
}

/** A row of the live table (`state` comes padded, maybe coloured). */
function subscriberRow(name: string, pid: string, speed: string, state: string, held: string, handled: string, redelivered: string, rate: string): string {
  return `${padEnd(name, 10)}${padStart(pid, 8)}${padStart(speed, 10)}  ${state}${padStart(held, 6)}${padStart(handled, 10)}${padStart(redelivered, 13)}${padStart(rate, 10)}`;
}

/** The one plain line printed each second when stdout is not a TTY. */
export function renderRedisLine(snapshot: RedisSnapshot): string {
  const { stats, kill } = snapshot;
  const handled = snapshot.subscribers.map((s) => `${s.name}=${s.handled}${s.state === 'killed' ? '(killed)' : ''}`).join(' ');
  const books = checkRedisBooks(snapshot.metrics, stats);
  return [
    `t=${(snapshot.elapsed / 1000).toFixed(1)}s`,
    `stage=${snapshot.stage}`,
    `producer=${snapshot.stage === 'running' ? snapshot.phase : snapshot.stage === 'starting' ? 'not-started' : 'stopped'}`,
    `buffered=${stats.buffered}/${snapshot.options.capacity}`,
    `inFlight=${stats.inFlight}`,
    `demand=${stats.demand}`,
    `handled: ${handled}`,
    ...(kill === undefined ? [] : [`killed=${kill.name} held=${kill.held} returned=${kill.returned}`]),
    `redelivered=${snapshot.metrics.redelivered}`,
    `appended=${snapshot.appended}`,
    `dropped=${snapshot.dropped}`,
    `books=${books.balanced ? 'balanced' : snapshot.consistent ? 'NOT-balanced' : 'moving'}`,
  ].join(' ');
}

/** How a subscriber ended, for the summary. */
function endOf(s: RedisSubscriberFigures, kill: KillFigures | undefined): string {
  if (s.state === 'killed') return `killed (${s.end ?? 'SIGKILL'})${kill === undefined ? '' : ` at ${(kill.at / 1000).toFixed(1)} s`}`;
  if (s.state === 'closed') return 'closed';
  return `${s.state}${s.end === undefined ? '' : ` (${s.end})`}${s.failure === undefined ? '' : `: ${s.failure}`}`;
}

/** The summary, the books and what the kill showed, printed at the end of `--redis`. */
export function renderRedisSummary(summary: RedisSummary, paint: Paint): string {
  const { last, books } = summary;
  const { metrics, stats, kill } = last;
  const seconds = Math.max(last.elapsed, 1) / 1000;
  const total = last.subscribers.reduce((sum, s) => sum + s.handled, 0);
  const out: string[] = [paint.bold(`Summary after ${seconds.toFixed(1)} s · ${settings(last)}`), ''];
  const row = (name: string, pid: string, speed: string, handled: string, redelivered: string, rate: string, share: string, end: string): string =>
    `${padEnd(name, 10)}${padStart(pid, 8)}${padStart(speed, 10)}${padStart(handled, 11)}${padStart(redelivered, 13)}${padStart(rate, 11)}${padStart(share, 8)}  ${end}`;
  const header = row('subscriber', 'pid', 'speed', 'handled', 'redelivered', 'avg rate', 'share', 'end');
  const rule = '-'.repeat(header.length + 12);
  out.push(header, rule);
  for (const s of last.subscribers) {
    const share = total === 0 ? 0 : (100 * s.handled) / total;
    out.push(row(s.name, String(s.pid ?? '?'), `${count(s.speed)}/s`, count(s.handled), count(s.redelivered), `${count(s.handled / seconds)}/s`, `${share.toFixed(1)}%`, endOf(s, kill)));
  }
  out.push(rule, `${padEnd('total', 28)}${padStart(count(total), 11)}${padStart(count(last.subscribers.reduce((sum, s) => sum + s.redelivered, 0)), 13)}`, '');

  if (kill === undefined) {
    out.push(
      summary.interrupted
        ? paint.yellow(`killed      nobody: the run was interrupted before ${last.victim} was killed`)
        : paint.red(`killed      nobody: ${last.victim} never held unacked events when it was due to be killed`),
    );
  } else {
    out.push(`killed      ${kill.name} (pid ${kill.pid ?? '?'}) at ${(kill.at / 1000).toFixed(1)} s, holding ${count(kill.held)} unacked events`);
    const back = `${count(kill.returned)} of ${count(kill.held)} handled again by the others${returnedBy(kill)}`;
    out.push(`${padEnd('', 12)}${summary.redelivered ? `${back} ${paint.green('✓ none lost')}` : paint.red(`${back} ✗ some never came back`)}`);
  }
  const agree = summary.countsAgree ? paint.green('✓ = metrics()') : paint.red('✗ differ from metrics()');
  out.push(
    `${padEnd('producer', 12)}appended ${count(last.appended)}, dropped ${count(last.dropped)} (what append returned) ${agree}`,
    `${padEnd('metrics()', 12)}appended ${count(metrics.appended)}, dropped ${count(metrics.dropped)}, delivered ${count(metrics.delivered)}, redelivered ${count(metrics.redelivered)}, acked ${count(metrics.acked)}, deadLettered ${count(metrics.deadLettered)}, lost ${count(metrics.lost)}, ownershipLost ${count(metrics.ownershipLost)}`,
    `${padEnd('stats()', 12)}buffered ${count(stats.buffered)}, inFlight ${count(stats.inFlight)}, subscribed ${stats.subscribed}, demand ${count(stats.demand)}`,
  );
  if (!summary.subscribersClean) out.push(paint.red('subscribers some did not close their buffer and exit cleanly ✗'));
  out.push(summary.cleanedUp ? paint.dim(`${padEnd('cleanup', 12)}the buffer's keys deleted`) : paint.red(`${padEnd('cleanup', 12)}the buffer's keys could NOT be deleted ✗`));
  out.push('');
  const sum = booksSum(books).join(' ');
  out.push(books.balanced ? `books: ${sum} ${paint.green('✓ balanced')}` : `books: ${paint.red(`${sum} ✗ NOT balanced`)}`);
  out.push(
    summary.balanced
      ? paint.green('The books balance, and every event the killed subscriber held was handled again.')
      : paint.red(books.balanced ? 'The books balance, but the run is NOT clean (see above).' : 'The books do NOT balance.'),
  );
  return `${out.join('\n')}\n`;
}
