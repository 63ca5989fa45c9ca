/**
 * The CLI as a user runs it (bin/wattgate.js, a real child process): --help on
 * every command, config export → import round trip, an invalid document refused
 * with path-precise messages and nothing applied, --dry-run applies nothing,
 * demo and start stop cleanly on their duration / SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/wattgate.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'wattgate-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function wattgate(args: string[], opts: { termOn?: RegExp; stdin?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, WATTGATE_LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    let termSent = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!termSent && opts.termOn?.test(stdout)) {
        termSent = true;
        setTimeout(() => child.kill('SIGTERM'), 200);
      }
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

test('--help works on every command', async () => {
  for (const cmd of [[], ['start'], ['demo'], ['config'], ['config', 'export'], ['config', 'import']]) {
    const r = await wattgate([...cmd, '--help']);
    assert.equal(r.code, 0, `${cmd.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /^Usage: wattgate/m);
  }
});

test('config export, edit, import: invalid refused with paths and rules, valid applied, dry-run inert', async () => {
  const dataDir = join(root, 'cfg');
  const exp = await wattgate(['config', 'export', '--data-dir', dataDir]);
  assert.equal(exp.code, 0, exp.stderr);
  const doc = JSON.parse(exp.stdout) as {
    format: string;
    config: { system: { name: string }; modbus: { server: { port: number } } };
  };
  assert.equal(doc.format, 'wattgate-config');
  assert.equal(statSync(dataDir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dataDir, 'settings.db')).mode & 0o777, 0o600);

  const bad = structuredClone(doc) as typeof doc & {
    config: { modbus: { server: Record<string, unknown> } };
  };
  bad.config.modbus.server.port = 70_000;
  bad.config.modbus.server.colour = 'red';
  writeFileSync(join(root, 'bad.json'), JSON.stringify(bad));
  const refused = await wattgate(['config', 'import', join(root, 'bad.json'), '--data-dir', dataDir]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /WG_ERR_INVALID_CONFIG: 2 problems, nothing applied/);
  assert.match(refused.stderr, /\/config\/modbus\/server\/port: must be <= 65535/);
  assert.match(refused.stderr, /\/config\/modbus\/server\/colour: unknown property/);
  assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace for bad input');

  const good = structuredClone(doc);
  good.config.system.name = 'Panel B3';
  writeFileSync(join(root, 'good.json'), JSON.stringify(good));
  const dry = await wattgate([
    'config',
    'import',
    join(root, 'good.json'),
    '--dry-run',
    '--data-dir',
    dataDir,
  ]);
  assert.equal(dry.code, 0, dry.stderr);
  const still = JSON.parse(
    (await wattgate(['config', 'export', '--data-dir', dataDir])).stdout,
  ) as typeof doc;
  assert.equal(still.config.system.name, doc.config.system.name);

  const applied = await wattgate(['config', 'import', '-', '--data-dir', dataDir], {
    stdin: JSON.stringify(good),
  });
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /imported as revision 1; sections changed: system/);
  const out = join(root, 'out.json');
  assert.equal((await wattgate(['config', 'export', '--out', out, '--data-dir', dataDir])).code, 0);
  assert.equal((JSON.parse(readFileSync(out, 'utf8')) as typeof doc).config.system.name, 'Panel B3');
  assert.equal(statSync(out).mode & 0o777, 0o600);
});

test('a file that is not JSON is refused with a clear message', async () => {
  writeFileSync(join(root, 'broken.json'), '{"format": ');
  const r = await wattgate(['config', 'import', join(root, 'broken.json'), '--data-dir', join(root, 'x')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /broken\.json: not valid JSON/);
});

test('demo runs for its duration, prints how to look at it, and removes its throw-away data directory', async () => {
  const r = await wattgate(['demo', '--duration', '1']);
  assert.equal(r.code, 0, r.stderr);
  const dir = /data directory : (\S+)/.exec(r.stdout)?.[1];
  assert.ok(dir, r.stdout);
  assert.throws(() => statSync(dir), /ENOENT/);
  assert.match(r.stdout, /config export --data-dir/);
});

test('start serves until SIGTERM and then stops in order, exit code 0', async () => {
  const r = await wattgate(['start', '--data-dir', join(root, 'svc'), '--log-level', 'info'], {
    termOn: /"msg":"started"/,
  });
  assert.equal(r.code, 0, r.stderr);
  const events = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { msg: string }).msg);
  assert.deepEqual(
    events.filter((m) => ['starting', 'started', 'stopping', 'stopped'].includes(m)),
    ['starting', 'started', 'stopping', 'stopped'],
  );
});
