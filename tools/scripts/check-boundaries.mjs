// Proves that lint enforces the layers: writes files with forbidden imports, lints them, and fails
// unless each one is rejected by @nx/enforce-module-boundaries (and an allowed one is accepted).
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { ESLint } from 'eslint';

const RULE = '@nx/enforce-module-boundaries';
const probes = [
  {
    what: 'core importing @dispenser/servers',
    file: 'packages/core/src/boundary-probe.ts',
    code: "import { BufferServer } from '@dispenser/servers';\nexport const probe = BufferServer;\n",
    forbidden: true,
  },
  {
    what: 'servers production code importing @dispenser/testing-utils',
    file: 'packages/servers/src/boundary-probe.ts',
    code: "import { ManualClock } from '@dispenser/testing-utils';\nexport const probe = ManualClock;\n",
    forbidden: true,
  },
  {
    what: 'monitored-buffer importing @dispenser/strategies (a layer it may not use)',
    file: 'packages/monitored-buffer/src/boundary-probe.ts',
    code: "import { even } from '@dispenser/strategies';\nexport const probe = even;\n",
    forbidden: true,
  },
  {
    what: 'a relative import across packages',
    file: 'packages/strategies/src/boundary-probe.ts',
    code: "import { LimitedQueue } from '../../core/src/limited-queue';\nexport const probe = LimitedQueue;\n",
    forbidden: true,
  },
  {
    what: 'production code importing a workspace tool by a relative path',
    file: 'packages/testing-utils/src/boundary-probe.ts',
    code: "import { usageBlock } from '../../../tools/build/readme-example';\nexport const probe = usageBlock;\n",
    forbidden: true,
  },
  {
    what: 'core tests importing @dispenser/testing-utils',
    file: 'packages/core/src/boundary-probe.test.ts',
    code: "import { ManualClock } from '@dispenser/testing-utils';\nexport const probe = ManualClock;\n",
    forbidden: true,
  },
  {
    what: 'servers tests importing @dispenser/testing-utils (allowed)',
    file: 'packages/servers/src/boundary-probe.test.ts',
    code: "import { ManualClock } from '@dispenser/testing-utils';\nexport const probe = ManualClock;\n",
    forbidden: false,
  },
];

function cleanup() {
  for (const { file } of probes) rmSync(file, { force: true });
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

let failures = 0;
try {
  // The boundary rule reads Nx's cached project graph: compute it from the real code first, so the
  // probes are judged against the layers as they are (not against edges the probes add).
  execFileSync('npx', ['nx', 'show', 'projects'], { stdio: 'ignore' });
  for (const { file, code } of probes) writeFileSync(file, code);
  const eslint = new ESLint();
  const results = await eslint.lintFiles(probes.map((p) => p.file));
  for (const probe of probes) {
    const result = results.find((r) => r.filePath.endsWith(probe.file));
    const hits = (result?.messages ?? []).filter((m) => m.ruleId === RULE);
    const rejected = hits.length > 0;
    const ok = rejected === probe.forbidden;
    if (!ok) failures++;
    const verdict = probe.forbidden ? (rejected ? 'rejected' : 'NOT rejected') : rejected ? 'WRONGLY rejected' : 'accepted';
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${probe.what}: ${verdict}${hits[0] ? ` (${hits[0].message.split('\n')[0]})` : ''}`);
  }
} finally {
  cleanup();
}
if (failures > 0) {
  console.error(`boundary self-check: ${failures} probe(s) did not behave as the layers require`);
  process.exit(1);
}
console.log('boundary self-check: every forbidden import is rejected by lint');
