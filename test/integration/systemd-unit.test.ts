/**
 * The shipped systemd unit (deploy/wattgate.service) is checked by systemd's own
 * tools (peer: systemd-analyze from Debian's systemd package):
 * - `verify` reports no problem with it, while a copy with a misspelt key or a
 *   missing executable is reported (so the check can fail);
 * - `security --offline` rates its exposure at most 2.5 ("OK"), and its
 *   evaluation of the system-call filter allows setpriority (thread niceness);
 * - the privilege layout matches docs/operations.md: unprivileged account,
 *   only CAP_NET_BIND_SERVICE, state directory 0700, ExecStart = the build output.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execFileAsync, hasCommand, peer } from '../support/peers.js';

const UNIT = new URL('../../deploy/wattgate.service', import.meta.url);
let dir = '';
let available = false;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wattgate-unit-'));
  copyFileSync(UNIT, join(dir, 'wattgate.service'));
  available = await hasCommand('systemd-analyze');
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function verify(file: string): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await execFileAsync('systemd-analyze', ['verify', file], {
      cwd: dir,
      timeout: 60_000,
    });
    return { code: 0, stderr };
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stderr: err.stderr ?? '' };
  }
}

/** Lines systemd printed about this unit file (ignores unrelated host units). */
const about = (stderr: string, name: string) => stderr.split('\n').filter((l) => l.includes(name));

test('systemd-analyze verify accepts the shipped unit', async (t) => {
  if (!peer(t, 'systemd-analyze', available)) return;
  const r = await verify('./wattgate.service');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(about(r.stderr, 'wattgate.service'), []);
});

test('systemd-analyze verify reports a misspelt key and a missing executable (the check can fail)', async (t) => {
  if (!peer(t, 'systemd-analyze', available)) return;
  const text = readFileSync(join(dir, 'wattgate.service'), 'utf8');
  writeFileSync(join(dir, 'typo.service'), text.replace('ProtectSystem=', 'ProtectSystm='));
  writeFileSync(join(dir, 'noexec.service'), text.replace('/usr/bin/node ', '/usr/bin/no-such-node '));
  const typo = await verify('./typo.service');
  assert.match(about(typo.stderr, 'typo.service').join('\n'), /Unknown key 'ProtectSystm'/);
  const noexec = await verify('./noexec.service');
  assert.notEqual(noexec.code, 0);
  assert.match(noexec.stderr, /not executable/);
});

test('systemd-analyze security rates the unit exposure at most 2.5', async (t) => {
  if (!peer(t, 'systemd-analyze', available)) return;
  const { stdout } = await execFileAsync(
    'systemd-analyze',
    ['security', '--offline=true', './wattgate.service'],
    {
      cwd: dir,
      timeout: 60_000,
    },
  );
  const m = /Overall exposure level for wattgate\.service: ([\d.]+)/.exec(stdout);
  assert.ok(m?.[1], stdout.slice(-500));
  assert.ok(Number(m[1]) <= 2.5, `exposure ${m[1]}`);
  // systemd's own evaluation of the final system-call filter: the web and
  // hash threads lower their priority with setpriority (src/webhost/worker.ts,
  // src/security/hash-worker.ts), which @resources holds; the rest of
  // @resources and all of @privileged stay denied.
  const row = (group: string) =>
    stdout.split('\n').find((l) => l.includes(`SystemCallFilter=~${group} `)) ?? '';
  assert.match(row('@resources'), /@resources is included \(e\.g\. setpriority is allowed\)/);
  assert.match(row('@privileged'), /@privileged is not included/);
});

test('the unit runs unprivileged with only CAP_NET_BIND_SERVICE and starts the build output', () => {
  const text = readFileSync(UNIT, 'utf8');
  const values = (key: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${key}=`))
      .map((l) => l.slice(key.length + 1));
  assert.deepEqual(values('User'), ['wattgate']);
  assert.deepEqual(values('AmbientCapabilities'), ['CAP_NET_BIND_SERVICE']);
  assert.deepEqual(values('CapabilityBoundingSet'), ['CAP_NET_BIND_SERVICE']);
  assert.deepEqual(values('StateDirectoryMode'), ['0700']);
  assert.deepEqual(values('NoNewPrivileges'), ['yes']);
  const exec = values('ExecStart')[0] ?? '';
  assert.match(
    exec,
    /^\/usr\/bin\/node (--max-[a-z-]+=\d+ )+\/opt\/wattgate\/dist\/src\/main\.js start --bootstrap \/etc\/wattgate\/bootstrap\.json$/,
  );
  // `npm start` and `npm run demo` run with the unit's heap limits (docs/operations.md, bench memory).
  const flags = exec.split(' ').filter((w) => w.startsWith('--max-'));
  assert.ok(flags.includes('--max-old-space-size=64'), exec);
  const scripts = (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  for (const name of ['start', 'demo']) {
    const words = (scripts[name] ?? '').split(' ');
    assert.deepEqual(
      words.filter((w) => w.startsWith('--max-')),
      flags,
      `package.json ${name}: ${scripts[name]}`,
    );
  }
  // dist/src/main.js is what `npm run build` produces from src/main.ts.
  const build = JSON.parse(readFileSync(new URL('../../tsconfig.build.json', import.meta.url), 'utf8')) as {
    compilerOptions: { rootDir: string; outDir: string };
  };
  assert.deepEqual([build.compilerOptions.rootDir, build.compilerOptions.outDir], ['.', 'dist']);
  assert.ok(existsSync(new URL('../../src/main.ts', import.meta.url)));
});
