// What the demo prints: the live frame (TTY), the plain progress line, and the summary table.
import type { PoolFigures, Snapshot, Summary, WorkerFigures } from './demo';

const ESC = '\u001b[';

/** `12,345`. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A bar of `width` cells, the first `fraction` of them full. */
export function bar(fraction: number, width: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(clamped * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/** `text` padded with spaces on the right to `width`. */
export function padEnd(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** `text` padded with spaces on the left to `width`. */
export function padStart(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

/** Styles text with ANSI colours, or leaves it plain. */
export interface Paint {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** ANSI colours (for a TTY without `NO_COLOR`). */
export const colours: Paint = {
  red: (t) => `${ESC}31m${t}${ESC}39m`,
  green: (t) => `${ESC}32m${t}${ESC}39m`,
  yellow: (t) => `${ESC}33m${t}${ESC}39m`,
  dim: (t) => `${ESC}2m${t}${ESC}22m`,
  bold: (t) => `${ESC}1m${t}${ESC}22m`,
};

/** No colours. */
export const plain: Paint = { red: (t) => t, green: (t) => t, yellow: (t) => t, dim: (t) => t, bold: (t) => t };

/** Milliseconds as seconds: `3`, `2.5`. */
export function seconds(ms: number): string {
  return Number.isInteger(ms / 1000) ? String(ms / 1000) : (ms / 1000).toFixed(1);
}

function settings(snapshot: Snapshot): string {
  const { options } = snapshot;
  return [
    `strategy ${options.strategy}`,
    options.batch ? 'BatchingBufferServer' : 'BufferServer',
    `capacity ${count(options.capacity)}`,
    `drop-${options.drop}`,
    `seed ${options.seed}`,
    ...(options.workers === undefined ? [] : [`${options.workers} worker thread${options.workers === 1 ? '' : 's'}`]),
  ].join(' · ');
}

/** The subscribers' rows of the live view: one per simulated subscriber, or per worker thread up and one for those down. */
function subscriberRows(snapshot: Snapshot, paint: Paint): string[] {
  if (snapshot.pool === undefined) {
    const rows = [paint.dim(`${padEnd('subscriber', 12)}${padStart('speed', 10)}${padStart('delivered', 12)}${padStart('rate', 10)}`)];
    for (const worker of snapshot.workers) {
      rows.push(
        `${padEnd(worker.name, 12)}${padStart(`${count(worker.speed)}/s`, 10)}${padStart(count(worker.delivered), 12)}${padStart(`${count(worker.rate)}/s`, 10)}`,
      );
    }
    return rows;
  }
  const row = (name: string, state: string, delivered: string, processed: string, rate: string): string =>
    `${padEnd(name, 12)}${padEnd(state, 7)}${padStart(delivered, 12)}${padStart(processed, 12)}${padStart(rate, 10)}`;
  const rows = [paint.dim(row('worker', 'state', 'delivered', 'processed', 'rate'))];
  const serving = (w: WorkerFigures): boolean => w.state === 'up' || w.state === 'closed';
  const down = snapshot.workers.filter((w) => !serving(w));
  for (const w of snapshot.workers) {
    if (serving(w)) rows.push(row(w.name, w.state ?? 'up', count(w.delivered), count(w.processed), `${count(w.rate)}/s`));
  }
  if (down.length > 0) {
    const reasons = [...new Set(down.map((w) => w.state))].join(', ');
    const sum = (pick: (w: WorkerFigures) => number): string => count(down.reduce((total, w) => total + pick(w), 0));
    rows.push(paint.dim(row(`${down.length} down`, reasons, sum((w) => w.delivered), sum((w) => w.processed), '')));
  }
  return rows;
}

/** The pool's lines of the live view: threads up and busy, restarts, redelivered events, poison, the last error. */
function poolLines(pool: PoolFigures, speed: number, paint: Paint): string[] {
  const { stats, metrics } = pool;
  const restarts = stats.restarts > 0 ? paint.yellow(`restarts ${count(stats.restarts)}`) : 'restarts 0';
  const lines = [
    `pool     ${stats.workers}/${pool.size} threads up, ${stats.busy} busy · ~${count(speed)}/s each · ${restarts} · redelivered ${count(metrics.failed)}`,
    paint.dim(`poison   an event every ~${seconds(pool.poisonEvery)} s (${count(pool.poisoned)} so far) takes its thread down once`),
  ];
  if (pool.gaveUp) lines.push(paint.red('the pool stopped replacing threads (RestartLimitError)'));
  if (pool.lastError !== undefined) lines.push(paint.dim(`last     ${pool.lastError}`));
  return lines;
}

/** The lines of the live view, redrawn about 10 times a second on a TTY. */
export function renderFrame(snapshot: Snapshot, paint: Paint, width = 80): string[] {
  const fill = snapshot.buffered / snapshot.capacity;
  const barWidth = Math.max(10, Math.min(40, width - 40));
  const colourBar = fill >= 0.9 ? paint.red : fill >= 0.5 ? paint.yellow : paint.green;
  const mode = snapshot.mode === 'overloaded' ? paint.red('OVERLOADED') : paint.green('normal');
  const producer = snapshot.phase === 'burst' ? paint.yellow('burst') : 'calm';
  const lines = [
    `${paint.bold('dispenser demo')}   ${(snapshot.elapsed / 1000).toFixed(1)} s / ${seconds(snapshot.duration)} s`,
    paint.dim(settings(snapshot)),
    `mode ${mode}   producer ${producer} ~${count(snapshot.producerRate)}/s`,
    `buffered ${colourBar(bar(fill, barWidth))} ${count(snapshot.buffered)} / ${count(snapshot.capacity)}`,
    `demand   ${count(snapshot.demand)} outstanding`,
    '',
    ...subscriberRows(snapshot, paint),
  ];
  if (snapshot.pool !== undefined) lines.push('', ...poolLines(snapshot.pool, snapshot.workers[0]?.speed ?? 0, paint));
  lines.push('', `appended ${count(snapshot.appended)}   dropped ${snapshot.dropped > 0 ? paint.red(count(snapshot.dropped)) : '0'}`);
  return lines;
}

/** The one plain line printed each second when stdout is not a TTY. */
export function renderLine(snapshot: Snapshot): string {
  const workers = snapshot.workers.map((w) => `${w.name}=${w.delivered}`).join(' ');
  return [
    `t=${(snapshot.elapsed / 1000).toFixed(1)}s`,
    `mode=${snapshot.mode}`,
    `producer=${snapshot.phase}`,
    `buffered=${snapshot.buffered}/${snapshot.capacity}`,
    `demand=${snapshot.demand}`,
    `delivered: ${workers}`,
    ...(snapshot.pool === undefined ? [] : [`restarts=${snapshot.pool.stats.restarts}`]),
    `dropped=${snapshot.dropped}`,
    `appended=${snapshot.appended}`,
  ].join(' ');
}

/** The summary table and the books, printed at the end. */
export function renderSummary(summary: Summary, paint: Paint): string {
  const { last, books, metrics } = summary;
  const totalDelivered = last.workers.reduce((sum, w) => sum + w.delivered, 0);
  const seconds = Math.max(last.elapsed, 1) / 1000;
  const out: string[] = [];
  out.push(paint.bold(`Summary after ${seconds.toFixed(1)} s · ${settings(last)}`));
  out.push('');
  const table = last.pool === undefined ? subscriberTable(last.workers, totalDelivered, seconds) : threadTable(last.workers, totalDelivered, seconds);
  const header = table[0] as string;
  out.push(header, '-'.repeat(header.length), ...table.slice(1));
  out.push('-'.repeat(header.length));
  out.push(`${padEnd('total', 22)}${padStart(count(totalDelivered), 12)}`);
  out.push('');
  const figures: Array<[string, number]> = [
    ['appended', last.appended],
    ['delivered', totalDelivered],
    ['dropped', last.dropped],
    ['buffered', last.buffered],
  ];
  for (const [name, value] of figures) out.push(`${padEnd(name, 12)}${padStart(count(value), 10)}`);
  out.push(
    `${padEnd('server', 12)}metrics() appended ${count(metrics.appended)}, dropped ${count(metrics.dropped)}, delivered ${count(metrics.delivered)}, failed ${count(metrics.failed)}`,
  );
  if (last.pool !== undefined) {
    const { metrics: pool, stats } = last.pool;
    const clean = summary.poolBalanced === true ? paint.green('✓ closed cleanly') : paint.red('✗ NOT closed cleanly');
    out.push(
      `${padEnd('pool', 12)}metrics() sent ${count(pool.sent)} = processed ${count(pool.processed)} + failed ${count(pool.failed)} (redelivered)`,
      `${padEnd('', 12)}restarts ${count(stats.restarts)} · ${count(last.pool.downs)} went down · ${stats.workers} threads up, ${stats.busy} busy after close() ${clean}`,
    );
  }
  out.push('');
  for (const line of books) {
    const who = line.worker === undefined ? 'books' : `books (${line.worker})`;
    const sum = `appended ${count(line.appended)} = delivered ${count(line.delivered)} + dropped ${count(line.dropped)} + buffered ${count(line.buffered)}`;
    out.push(line.balanced ? `${who}: ${sum} ${paint.green('✓ balanced')}` : `${who}: ${paint.red(`${sum.replace(' = ', ' ≠ ')} ✗ NOT balanced`)}`);
  }
  const countersAgree = metrics.appended === last.appended && metrics.dropped === last.dropped;
  if (!countersAgree) out.push(paint.red('server metrics() disagree with the demo\'s own counts ✗'));
  out.push(summary.balanced ? paint.green('The books balance.') : paint.red('The books do NOT balance.'));
  return `${out.join('\n')}\n`;
}

/** The summary's table of simulated subscribers: a header, then a row each. */
function subscriberTable(workers: readonly WorkerFigures[], totalDelivered: number, seconds: number): string[] {
  const rows = [`${padEnd('subscriber', 12)}${padStart('speed', 10)}${padStart('delivered', 12)}${padStart('processed', 12)}${padStart('avg rate', 11)}${padStart('share', 8)}`];
  for (const w of workers) {
    const share = totalDelivered === 0 ? 0 : (100 * w.delivered) / totalDelivered;
    rows.push(
      `${padEnd(w.name, 12)}${padStart(`${count(w.speed)}/s`, 10)}${padStart(count(w.delivered), 12)}${padStart(count(w.processed), 12)}${padStart(`${count(w.delivered / seconds)}/s`, 11)}${padStart(`${share.toFixed(1)}%`, 8)}`,
    );
  }
  return rows;
}

/**
 * The summary's table of worker threads: a header, then a row for each thread that ever served,
 * with what it got back into the buffer (`redelivered`) and how it ended (`closed`, or why it went down).
 */
function threadTable(workers: readonly WorkerFigures[], totalDelivered: number, seconds: number): string[] {
  const row = (name: string, delivered: string, processed: string, redelivered: string, rate: string, share: string, end: string): string =>
    `${padEnd(name, 12)}${padStart(delivered, 12)}${padStart(processed, 12)}${padStart(redelivered, 12)}${padStart(rate, 11)}${padStart(share, 8)}  ${end}`;
  const rows = [row('worker', 'delivered', 'processed', 'redelivered', 'avg rate', 'share', 'end')];
  for (const w of workers) {
    const share = totalDelivered === 0 ? 0 : (100 * w.delivered) / totalDelivered;
    rows.push(row(w.name, count(w.delivered), count(w.processed), count(w.failed ?? 0), `${count(w.processed / seconds)}/s`, `${share.toFixed(1)}%`, w.state ?? ''));
  }
  return rows;
}

/** Cuts `line` to `width` visible characters, keeping its ANSI escapes (which take no room). */
export function fit(line: string, width: number): string {
  let out = '';
  let visible = 0;
  for (let i = 0; i < line.length; ) {
    if (line.startsWith(ESC, i)) {
      const end = line.slice(i + ESC.length).search(/[A-Za-z]/);
      const length = end < 0 ? line.length - i : ESC.length + end + 1;
      out += line.slice(i, i + length);
      i += length;
      continue;
    }
    const char = String.fromCodePoint(line.codePointAt(i) as number);
    if (visible < width) out += char;
    visible++;
    i += char.length;
  }
  return out;
}

/**
 * Redraws a frame in place on a TTY: moves up over the previous frame and clears what is left.
 * Lines are cut to the terminal width, so none wraps and the count of lines to move up stays true.
 */
export class LiveScreen {
  #lines = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly columns: () => number = () => 80,
  ) {}

  /** Hides the cursor (call {@link LiveScreen.end} to show it again). */
  start(): void {
    this.write(`${ESC}?25l`);
  }

  /** Draws `lines` over the previous frame. */
  draw(lines: readonly string[]): void {
    const up = this.#lines > 0 ? `${ESC}${this.#lines}F` : '';
    const width = Math.max(20, this.columns() - 1);
    this.write(`${up}${lines.map((line) => `${fit(line, width)}${ESC}K`).join('\n')}\n${ESC}J`);
    this.#lines = lines.length;
  }

  /** Leaves the last frame on screen and shows the cursor. */
  end(): void {
    this.write(`${ESC}?25h`);
  }
}
