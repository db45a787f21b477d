// What the demo prints: the live frame (TTY), the plain progress line, and the summary table.
import type { Snapshot, Summary } from './demo';

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

function padEnd(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function padStart(text: string, width: number): string {
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

function seconds(ms: number): string {
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
  ].join(' · ');
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
    paint.dim(`${padEnd('subscriber', 12)}${padStart('speed', 10)}${padStart('delivered', 12)}${padStart('rate', 10)}`),
  ];
  for (const worker of snapshot.workers) {
    lines.push(
      `${padEnd(worker.name, 12)}${padStart(`${count(worker.speed)}/s`, 10)}${padStart(count(worker.delivered), 12)}${padStart(`${count(worker.rate)}/s`, 10)}`,
    );
  }
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
  const header = `${padEnd('subscriber', 12)}${padStart('speed', 10)}${padStart('delivered', 12)}${padStart('processed', 12)}${padStart('avg rate', 11)}${padStart('share', 8)}`;
  out.push(header, '-'.repeat(header.length));
  for (const w of last.workers) {
    const share = totalDelivered === 0 ? 0 : (100 * w.delivered) / totalDelivered;
    out.push(
      `${padEnd(w.name, 12)}${padStart(`${count(w.speed)}/s`, 10)}${padStart(count(w.delivered), 12)}${padStart(count(w.processed), 12)}${padStart(`${count(w.delivered / seconds)}/s`, 11)}${padStart(`${share.toFixed(1)}%`, 8)}`,
    );
  }
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
