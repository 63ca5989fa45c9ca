/**
 * The import rule (docs/architecture.md) is checked by dependency-cruiser with
 * the project's own .dependency-cruiser.cjs, in `npm run lint`. This test runs
 * that checker on a scratch tree (in a temporary folder) and shows that it
 * reports what the rule forbids — an upward import, a type-only upward
 * import, a sibling import, a cycle, the product importing a test helper —
 * and accepts the allowed directions. Then the real tree passes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'wattgate-import-rule-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, 'tree-'));
  copyFileSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  );
  mkdirSync(join(dir, 'sim'), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** The rule names dependency-cruiser reports for the tree (empty when it passes). */
async function violations(dir: string): Promise<string[]> {
  const { stdout } = await run(
    DEPCRUISE,
    ['src', 'sim', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
    { cwd: dir, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const report = JSON.parse(stdout) as { summary: { violations: Array<{ rule: { name: string } }> } };
  return report.summary.violations.map((v) => v.rule.name).sort();
}

const ok = 'export const x = 1;\n';

test('the checker accepts imports that point down the layers', async () => {
  const dir = tree({
    'src/shared/errors.ts': ok,
    'src/protocol/modbus/pdu.ts': "import { x } from '../../shared/errors.js';\nexport const y = x;\n",
    'src/modbus/router.ts': "import { y } from '../protocol/modbus/pdu.js';\nexport const z = y;\n",
    'src/history/store.ts': "import type { z } from '../modbus/router.js';\nexport type Z = typeof z;\n",
    'src/api/server.ts': "import { z } from '../modbus/router.js';\nexport const w = z;\n",
    'src/parts.ts': "import { w } from './api/server.js';\nexport const p = w;\n",
  });
  assert.deepEqual(await violations(dir), []);
});

test('an upward import, a type-only upward import, a sibling import and a cycle are reported', async () => {
  const dir = tree({
    'src/shared/errors.ts': ok,
    // upward: the pure codec reaching for the history store
    'src/protocol/modbus/pdu.ts': "import { s } from '../../history/store.js';\nexport const y = s;\n",
    'src/history/store.ts': ok.replace('x', 's'),
    // type-only upward import: a type from above is still knowledge of above
    'src/modbus/router.ts': "import type { W } from '../api/server.js';\nexport type R = W;\n",
    'src/api/server.ts': 'export type W = number;\n',
    // siblings of one layer do not know each other
    'src/wireless/part.ts': "import { a } from '../acquisition/part.js';\nexport const b = a;\n",
    'src/acquisition/part.ts': ok.replace('x', 'a'),
    // a cycle inside one folder
    'src/devices/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
    'src/devices/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
  });
  assert.deepEqual(await violations(dir), [
    'layer-modbus',
    'layer-protocol',
    'layer-wireless',
    'no-circular',
  ]);
});

test('the product never imports test helpers; only the top of the tree uses the simulators', async () => {
  const dir = tree({
    'src/shared/errors.ts': ok,
    'test/support/models.ts': ok,
    'sim/radio.ts': "import { x } from '../src/shared/errors.js';\nexport const r = x;\n",
    'src/devices/registry.ts': "import { x } from '../../test/support/models.js';\nexport const d = x;\n",
    'src/wireless/part.ts': "import { r } from '../../sim/radio.js';\nexport const w = r;\n",
    'src/parts.ts': "import { r } from '../sim/radio.js';\nexport const p = r;\n",
  });
  assert.deepEqual(await violations(dir), ['no-tests-in-the-product', 'sim-only-from-the-top']);
});

test('the repository itself follows the rule', async () => {
  const { stdout } = await run(DEPCRUISE, ['src', 'sim', '--config', '.dependency-cruiser.cjs'], {
    cwd: ROOT,
    timeout: 120_000,
  });
  assert.match(stdout, /no dependency violations found/);
});
