// `npm run bench [-- --quick] [--only W1,W2] [--out dir]`: runs the BENCH.md workloads against the peers.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runBench } from './bench';
import { markdownReport, replaceResults } from './report';
import { fullProfile, quickProfile, tinyProfile } from './workloads/profile';

const usage = `Usage: npm run bench -- [--quick | --tiny] [--only L,W1,W2,W3,W4,W5,W6,W7,W8,M1] [--out <dir>]

  --quick   a tenth of the BENCH.md sizes (smoke run, well under a minute)
  --tiny    the smoke test's sizes (seconds; without W8)
  --only    run only these workloads (L and W1 always run together; W8 needs
            redis-server on the PATH or REDIS_URL, and is skipped without)
  --out     where to write results.md, results.json and w4.svg
            (default: tools/bench/results, or tools/bench/results/quick for --quick/--tiny)
  --readme  also copy the tables into tools/bench/README.md (full runs only)
`;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        tiny: { type: 'boolean', default: false },
        only: { type: 'string' },
        out: { type: 'string' },
        readme: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const profile = values.tiny ? tinyProfile : values.quick ? quickProfile : fullProfile;
  const results = fileURLToPath(new URL('../results/', import.meta.url));
  const outDir = values.out ?? (profile === fullProfile ? results : `${results}quick`);
  const only = values.only?.split(',').map((id) => id.trim().toUpperCase());
  const started = performance.now();
  const report = await runBench({
    profile,
    outDir,
    ...(only ? { only } : {}),
    log: (line) => process.stderr.write(`${((performance.now() - started) / 1000).toFixed(1)}s ${line}\n`),
  });
  const markdown = markdownReport(report);
  process.stdout.write(markdown);
  if (values.readme) {
    if (profile !== fullProfile) {
      process.stderr.write('--readme only copies the results of a full run; the README was left alone.\n');
    } else {
      const readme = fileURLToPath(new URL('../README.md', import.meta.url));
      writeFileSync(readme, replaceResults(readFileSync(readme, 'utf8'), markdown));
    }
  }
  process.stderr.write(`Results written to ${outDir} in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
