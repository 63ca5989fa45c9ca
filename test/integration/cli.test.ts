/**
 * The CLI as a user runs it (bin/wattgate.js, a real child process): --help on
 * every command, config export → import round trip, an invalid document refused
 * with path-precise messages and nothing applied, --dry-run applies nothing,
 * demo and start stop cleanly on their duration / SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { adu, RawMbapClient } from '../support/modbus-wire.js';

const BIN = fileURLToPath(new URL('../../bin/wattgate.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'wattgate-cli-'));
let deviceCode = '';
after(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

interface RunOptions {
  /** Send SIGTERM once stdout matches (after `beforeTerm` resolves). */
  termOn?: RegExp;
  beforeTerm?: () => Promise<void>;
  stdin?: string;
}

function wattgate(args: string[], opts: RunOptions = {}): Promise<Run> {
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
        const term = () => child.kill('SIGTERM');
        void (opts.beforeTerm ?? (() => Promise.resolve()))().then(term, (e: unknown) => {
          stderr += `beforeTerm failed: ${String(e)}`;
          term();
        });
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
  for (const cmd of [
    [],
    ['start'],
    ['demo'],
    ['unlock'],
    ['reset-admin-password'],
    ['config'],
    ['config', 'export'],
    ['config', 'import'],
  ]) {
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

test('demo serves the simulated meters through the gateway, then removes its throw-away data directory', async () => {
  const port = await freePort();
  let answer = '';
  const r = await wattgate(['demo', '--modbus-port', String(port)], {
    termOn: /Press Ctrl-C/,
    beforeTerm: async () => {
      // Meter 1 through the gateway: FC 3, holding 0–1 = voltage (float32, big-endian).
      const client = await RawMbapClient.open(port);
      answer = await client.ask(adu(1, 1, '03 0000 0002'));
      client.socket.destroy();
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(answer, /^00010000000701030[0-9a-f]{9}$/);
  const volts = Buffer.from(answer.slice(-8), 'hex').readFloatBE(0);
  assert.ok(volts > 220 && volts < 240, `voltage ${volts}`);
  const dir = /data directory : (\S+)/.exec(r.stdout)?.[1];
  assert.ok(dir, r.stdout);
  assert.throws(() => statSync(dir), /ENOENT/);
  assert.match(r.stdout, new RegExp(`mbpoll -m tcp -p ${port}`));
});

test('start serves Modbus on the configured network until SIGTERM, then stops in order', async () => {
  const dataDir = join(root, 'svc');
  const exported = await wattgate(['config', 'export', '--data-dir', dataDir]);
  const doc = JSON.parse(exported.stdout) as {
    config: Record<string, unknown> & { modbus: { server: object } };
  };
  const port = await freePort();
  doc.config.networks = { LOOP: { addresses: ['127.0.0.1'], description: 'test' } };
  doc.config.web = { ...(doc.config.web as object), enabled: {} };
  doc.config.modbus.server = { ...doc.config.modbus.server, port, enabled: { LOOP: true } };
  const imported = await wattgate(['config', 'import', '-', '--data-dir', dataDir], {
    stdin: JSON.stringify(doc),
  });
  assert.equal(imported.code, 0, imported.stderr);
  let answer = '';
  const r = await wattgate(['start', '--data-dir', dataDir, '--log-level', 'info'], {
    termOn: /"msg":"started"/,
    beforeTerm: async () => {
      // FC 3, unit 255, register 159 (health, address 158), quantity 1 → nominal (0).
      const client = await RawMbapClient.open(port);
      answer = await client.ask(adu(7, 255, '03 009e 0001'));
      client.socket.destroy();
    },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(answer, adu(7, 255, '03 02 0000'));
  const jsonLines = r.stdout.split('\n').filter((l) => l.startsWith('{'));
  const events = jsonLines.map((l) => (JSON.parse(l) as { msg: string }).msg);
  assert.deepEqual(
    events.filter((m) => ['starting', 'started', 'stopping', 'stopped'].includes(m)),
    ['starting', 'started', 'stopping', 'stopped'],
  );
  // First start (S3): the device code is shown once on the console and never logged.
  const code = /Device code: (\S+)/.exec(r.stdout)?.[1];
  assert.ok(code, r.stdout);
  assert.equal(r.stdout.split(code).length - 1, 1);
  assert.ok(!jsonLines.some((l) => l.includes(code)));
  deviceCode = code;
});

test('SIGTERM while the parts start: the start finishes, then everything stops in order (exit 0)', async () => {
  const dataDir = join(root, 'svc');
  const r = await wattgate(['start', '--data-dir', dataDir, '--log-level', 'info'], {
    termOn: /"msg":"starting"/,
  });
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => (JSON.parse(l) as { msg: string }).msg)
    .filter((m) => ['starting', 'started', 'stopping', 'stopped'].includes(m));
  assert.deepEqual(events, ['starting', 'started', 'stopping', 'stopped']);
});

test('local recovery: reset-admin-password needs the device code (stdin), unlock clears a lockout', async () => {
  const dataDir = join(root, 'svc');
  assert.ok(deviceCode, 'needs the device code of the start test');
  const wrong = await wattgate(['reset-admin-password', '--data-dir', dataDir], {
    stdin: 'WRONG-CODE\nGood-Passw0rd\n',
  });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /WG_ERR_AUTH_FAILED: wrong device code/);
  const weak = await wattgate(['reset-admin-password', '--data-dir', dataDir], {
    stdin: `${deviceCode}\nPassword1!\n`,
  });
  assert.equal(weak.code, 2, 'a blocklisted password is refused');
  const ok = await wattgate(['reset-admin-password', '--data-dir', dataDir], {
    stdin: `${deviceCode}\nGood-Passw0rd\n`,
  });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /admin password set/);
  const unlocked = await wattgate(['unlock', 'admin', '--data-dir', dataDir]);
  assert.equal(unlocked.code, 0, unlocked.stderr);
  const unknown = await wattgate(['unlock', 'nosuch', '--data-dir', dataDir]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /WG_ERR_NOT_FOUND: no account named nosuch/);
});
