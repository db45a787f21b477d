// Runs the demo's entry point in a child process, as `npm run demo` would, and collects its output.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sourceExecArgv } from '../redis-demo';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));

/** What a run of the demo printed, and its exit code. */
export interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the demo with `args` in a child process with stdout piped (so not a TTY), without colours. */
export function runDemo(args: readonly string[]): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...sourceExecArgv, main, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A number as the demo prints it, with thousands separators. */
export function number(text: string | undefined): number {
  return Number((text ?? '').replaceAll(',', ''));
}
