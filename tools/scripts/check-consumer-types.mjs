// Run after `npm run build`: the published declarations compile in a consumer's project. Writes a
// throwaway consumer inside the repository (so `@dispenser/*` resolves through node_modules to the
// built packages, by their `exports`, without the source condition) that imports every entry point of
// every package, and type-checks it with `skipLibCheck: false` under several consumer setups: a bare
// `lib: ["es2022"]` with no `@types/node`, `lib: ["esnext"]` with `@types/node` (whose own globals
// must merge with ours), DOM, `nodenext` and `bundler` resolution, ESM and CommonJS. Any diagnostic
// fails. A self-check first proves that an error inside a `.d.ts` is reported.
// `--keep` leaves the consumer in tools/scripts/.consumer-types for a look.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '../..');
const scratch = join(root, 'tools/scripts/.consumer-types');
const keep = process.argv.includes('--keep');

/** Every public entry point: `@dispenser/<name>` and its subpaths, from each package's `exports`. */
function entryPoints() {
  const entries = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (subpath === './package.json') continue;
      entries.push({
        specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
        // ESM-only entry points (no `require` condition) cannot be imported from CommonJS.
        commonjs: typeof target !== 'object' || 'require' in target,
      });
    }
  }
  return entries;
}

/** Imports each entry point as a namespace, so that all of its declarations are part of the program. */
function importAll(entries) {
  const names = entries.map((_, i) => `entry${i}`);
  return [
    ...entries.map(({ specifier }, i) => `import * as ${names[i]} from '${specifier}';`),
    `export const entryPoints = [${names.join(', ')}];`,
  ].join('\n');
}

/** Uses a few of the types the way a consumer would (ESM and CommonJS alike). */
const usage = `
import { Demands, EventBuffer, LimitedQueue, type AssignmentStrategy, type DemandBuffer, type Subscriber } from '@dispenser/core';
import { assertCount } from '@dispenser/core/internal';
import { MonitoredBuffer } from '@dispenser/monitored-buffer';
import { BufferServer, Channel, type ServerMetrics } from '@dispenser/servers';
import { DemandDispatcher, createEven, even, greedy } from '@dispenser/strategies';
import { ManualClock, TestSubscriber } from '@dispenser/testing-utils';

type Job = { id: number };
const strategy: AssignmentStrategy = Math.random() < 0.5 ? even : greedy;
const buffer = new EventBuffer<Job, Subscriber<Job>>({ strategy, capacity: 10 });
const monitored: DemandBuffer<Job, Subscriber<Job>> = new MonitoredBuffer(buffer);
const server = new BufferServer<Job>({ buffer: monitored });
const subscriber = new TestSubscriber<Job>();
server.ask(subscriber, 2);
const dropped: number = server.append([{ id: 1 }, { id: 2 }]);
const metrics: ServerMetrics = server.metrics();
const demands = new Demands<string>([['a', 1]]);
const pairs: Array<[string, number[]]> = new EventBuffer<number, string>({ strategy: createEven({ random: () => 0 }), capacity: 2 }).assignEvents();
const queue = new LimitedQueue<string>(2, 'drop-oldest');
const channel = new Channel<string>(1);
const clock = new ManualClock();
const dispatcher = new DemandDispatcher<string, string>(() => {});
assertCount('n', 1);
export const used = { dropped, metrics, demands, pairs, queue, channel, clock, dispatcher };
`;

/** Explicit resource management, for consumers whose lib has it (\`lib: ["esnext"]\`). */
const disposal = `
import { EventBuffer, type Subscriber } from '@dispenser/core';
import { BufferServer, Channel } from '@dispenser/servers';
import { even } from '@dispenser/strategies';

export async function run(): Promise<void> {
  await using server = new BufferServer<string>({ buffer: new EventBuffer<string, Subscriber<string>>({ strategy: even, capacity: 4 }) });
  using channel = new Channel<string>(1);
  const disposable: AsyncDisposable = server;
  const closable: Disposable = channel;
  server.append(['a']);
  void disposable;
  void closable;
}
`;

const base = { strict: true, skipLibCheck: false, noEmit: true, target: 'es2022' };
const nodenext = { module: 'nodenext', moduleResolution: 'nodenext' };
const bundler = { module: 'esnext', moduleResolution: 'bundler' };
/** The consumer setups: compiler options, and which consumer files each one compiles. */
const variants = [
  { name: 'nodenext, lib es2022, no @types/node', options: { ...nodenext, lib: ['es2022'], types: [] }, files: ['esm.mts', 'cjs.cts'] },
  { name: 'bundler, lib es2022, no @types/node', options: { ...bundler, lib: ['es2022'], types: [] }, files: ['esm.ts'] },
  { name: 'nodenext, lib es2022, @types/node', options: { ...nodenext, lib: ['es2022'], types: ['node'] }, files: ['esm.mts', 'cjs.cts'] },
  {
    name: 'nodenext, lib esnext, @types/node',
    options: { ...nodenext, lib: ['esnext'], types: ['node'], target: 'esnext' },
    files: ['esm.mts', 'cjs.cts', 'disposal.mts'],
  },
  { name: 'bundler, lib esnext + dom, no @types/node', options: { ...bundler, lib: ['esnext', 'dom'], types: [], target: 'esnext' }, files: ['esm.ts', 'disposal.ts'] },
];

/** Writes `dir` with a tsconfig and the consumer files, and returns the diagnostics of compiling it. */
function compile(dir, options, files) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`);
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify({ compilerOptions: options, files: Object.keys(files) }, null, 2)}\n`);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  const { config } = ts.readConfigFile(join(dir, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dir);
  if (parsed.errors.length > 0) return parsed.errors;
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  return ts.getPreEmitDiagnostics(program);
}

function format(diagnostic) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n    ');
  if (!diagnostic.file) return `TS${diagnostic.code} ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
  return `${relative(root, diagnostic.file.fileName)}:${line + 1}:${character + 1} TS${diagnostic.code} ${message}`;
}

process.on('SIGINT', () => {
  rmSync(scratch, { recursive: true, force: true });
  process.exit(130);
});

const failures = [];
rmSync(scratch, { recursive: true, force: true });
try {
  // Self-check: a declaration file of the consumer with an unknown type must be reported, so that
  // errors inside .d.ts files (skipLibCheck: false) cannot go unnoticed.
  const probe = compile(join(scratch, 'self-check'), { ...base, ...nodenext, lib: ['es2022'], types: [] }, {
    'probe.d.ts': 'export declare const probe: NoSuchType;\n',
    'index.mts': "import { probe } from './probe.js';\nexport const value = probe;\n",
  });
  const probeFound = probe.map(format);
  if (probeFound.length !== 1 || !/probe\.d\.ts:1:\d+ TS2304/.test(probeFound[0])) {
    console.error(`consumer types self-check: expected one TS2304 in probe.d.ts, got:\n  ${probeFound.join('\n  ') || '(nothing)'}`);
    process.exit(1);
  }
  console.log('consumer types self-check: an error inside a .d.ts is reported');

  const entries = entryPoints();
  const sources = {
    esm: `${importAll(entries)}\n${usage}`,
    cjs: `${importAll(entries.filter((entry) => entry.commonjs))}\n${usage}`,
  };
  const text = (file) => (file.startsWith('disposal') ? disposal : file.startsWith('cjs') ? sources.cjs : sources.esm);
  variants.forEach((variant, i) => {
    const files = Object.fromEntries(variant.files.map((file) => [file, text(file)]));
    const found = compile(join(scratch, `variant-${i + 1}`), { ...base, ...variant.options }, files).map(format);
    const what = `${variant.name} (${variant.files.join(', ')})`;
    if (found.length > 0) failures.push(`${what}:\n    ${found.join('\n    ')}`);
    console.log(`${found.length === 0 ? 'ok  ' : 'FAIL'} ${what}${found.length > 0 ? `: ${found.length} diagnostic(s)` : ''}`);
  });
  if (failures.length === 0) {
    console.log(`consumer types: the ${entries.length} entry points compile with skipLibCheck: false in ${variants.length} consumer setups`);
  }
} catch (error) {
  failures.push(`cannot check the consumer types (run \`npm run build\` first?): ${error.stack}`);
} finally {
  if (!keep) rmSync(scratch, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`published declarations do not compile for a consumer:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
