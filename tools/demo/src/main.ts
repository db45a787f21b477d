// `npm run demo -- [flags]`: a BufferServer under a bursty load, drawn live, with its books checked.
import { runDemo } from './demo';
import { parseDemoArgs, usage, UsageError } from './options';
import type { DemoOptions } from './options';
import { RedisDemoError, runRedisDemo } from './redis-demo';
import { renderRedisFrame, renderRedisLine, renderRedisSummary } from './redis-view';
import { ThreadStartError } from './thread-crew';
import { colours, LiveScreen, plain, renderFrame, renderLine, renderSummary } from './view';

async function main(argv: readonly string[]): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseDemoArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`demo: ${error.message}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(usage);
    return 0;
  }

  const stdout = process.stdout;
  const tty = stdout.isTTY === true;
  const paint = tty && process.env['NO_COLOR'] === undefined ? colours : plain;
  const screen = new LiveScreen(
    (text) => stdout.write(text),
    () => stdout.columns || 80,
  );
  const controller = new AbortController();
  const interrupt = (): void => controller.abort();
  process.once('SIGINT', interrupt);
  // The reader went away (`| head`): end the run as Ctrl-C would, so that it still cleans up
  // (the listener stays: later writes fail the same way, and are dropped).
  stdout.on('error', interrupt);
  if (tty) screen.start();
  try {
    if (options.redis !== undefined) {
      const summary = await runRedisDemo(
        { ...options, redis: options.redis },
        {
          every: tty ? 100 : 1000,
          signal: controller.signal,
          onSnapshot: (snapshot) => {
            if (tty) screen.draw(renderRedisFrame(snapshot, paint, stdout.columns || 80));
            else if (snapshot.stage !== 'starting') stdout.write(`${renderRedisLine(snapshot)}\n`);
          },
        },
      );
      if (tty) screen.end();
      stdout.write(`\n${renderRedisSummary(summary, paint)}`);
      return summary.balanced ? 0 : 1;
    }
    const summary = await runDemo(options, {
      every: tty ? 100 : 1000,
      signal: controller.signal,
      onSnapshot: (snapshot) => {
        if (tty) screen.draw(renderFrame(snapshot, paint, stdout.columns || 80));
        else stdout.write(`${renderLine(snapshot)}\n`);
      },
    });
    if (tty) screen.end();
    stdout.write(`\n${renderSummary(summary, paint)}`);
    return summary.balanced ? 0 : 1;
  } catch (error) {
    if (!(error instanceof ThreadStartError) && !(error instanceof RedisDemoError)) throw error;
    if (tty) screen.end();
    process.stderr.write(`demo: ${error.message}\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', interrupt);
    if (tty) screen.end();
  }
}

process.exitCode = await main(process.argv.slice(2));
