/**
 * S3 first-start banner: the device code is shown once on the console, as
 * text and as a terminal QR code (uqr half blocks) beside it; it never reaches
 * the logger. The real HTTPS Part on an ephemeral port, a collecting logger.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encode } from 'uqr';
import { createWebServer } from '../../src/api/server.js';
import { openDatabase } from '../../src/db/database.js';
import { DEVICE_CODE_FILE, deviceCodeBanner, generateDeviceCode } from '../../src/security/device-code.js';
import { ManualClock } from '../../src/shared/clock.js';
import type { Logger } from '../../src/shared/logger.js';
import { webDefaults } from '../fixtures/security/harness.js';

const view = <T>(v: T) => ({ get: () => v, subscribe: () => () => {} });
const QR_BLOCKS = /[▀▄█]/;

function collectingLogger(lines: string[]): Logger {
  const fn = (a: unknown, b?: unknown) => {
    lines.push(JSON.stringify([a, b]));
  };
  const l: Logger = { error: fn, warn: fn, info: fn, debug: fn, trace: fn, child: () => l };
  return l;
}

test('S3: the banner shows the code once, as text and beside it a QR code of the code', () => {
  const code = generateDeviceCode();
  const banner = deviceCodeBanner(code, '/var/lib/wattgate/device-code');
  assert.equal(banner.split(code).length - 1, 1, 'the code text appears exactly once');
  const qrRows = banner.split('\n').filter((l) => QR_BLOCKS.test(l));
  const size = encode(code, { border: 1, ecc: 'M' }).size;
  // Two module rows per line (half blocks): the whole symbol with its border.
  assert.equal(qrRows.length, Math.ceil(size / 2));
  assert.ok(
    qrRows.some((l) => l.includes(`Device code: ${code}`)),
    'the text stands next to the QR code',
  );
  for (const l of banner.split('\n')) assert.ok(l.length <= 100, `line too wide: ${l}`);
});

test('S3: first start prints the QR banner once and logs nothing of the code', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wattgate-dc-'));
  const db = openDatabase({ path: join(dataDir, 'settings.db'), profile: 'durable' });
  const logs: string[] = [];
  const shown: string[] = [];
  const start = async () => {
    const part = createWebServer({
      log: collectingLogger(logs),
      clock: new ManualClock(),
      dataDir,
      db,
      web: view(webDefaults()),
      networks: view({ ETH1: { addresses: ['127.0.0.1'], description: '' } }),
      installation: { id: 'test', serial: 'WG2601100AB', createdAt: '' },
      showDeviceCode: (s) => shown.push(s),
      portOverride: 0,
    });
    await part.start();
    await part.stop();
  };
  t.after(() => {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await start();
  await start(); // a second start shows nothing
  assert.equal(shown.length, 1, 'shown once');
  const code = readFileSync(join(dataDir, DEVICE_CODE_FILE), 'utf8').trim();
  assert.equal((shown[0] as string).split(code).length - 1, 1);
  assert.match(shown[0] as string, QR_BLOCKS);
  assert.ok(logs.length > 0, 'the logger was used');
  const normalised = code.replace(/-/g, '');
  for (const l of logs) assert.ok(!l.includes(code) && !l.includes(normalised), l);
});
