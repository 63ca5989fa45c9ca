/**
 * The release path: `npm run build` compiles src/ and sim/ to dist/ and copies
 * the SQL migrations and the password blocklist, and the compiled CLI runs without tsx — the systemd unit
 * starts exactly dist/src/main.js.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'wattgate-build-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('npm run build produces a runnable dist/src/main.js with its migrations', async () => {
  await run('npm', ['run', 'build'], { cwd: ROOT, timeout: 240_000 });
  const main = join(ROOT, 'dist/src/main.js');
  assert.ok(existsSync(main));
  assert.ok(existsSync(join(ROOT, 'dist/src/config/migrations/0001_settings.sql')));
  assert.ok(existsSync(join(ROOT, 'dist/src/security/data/common-passwords.txt')));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const version = await run(process.execPath, [main, '--version'], { timeout: 60_000 });
  assert.equal(version.stdout.trim(), pkg.version);
  const exported = await run(process.execPath, [main, 'config', 'export', '--data-dir', join(tmp, 'd')], {
    timeout: 60_000,
  });
  assert.equal((JSON.parse(exported.stdout) as { format: string }).format, 'wattgate-config');
});
