/**
 * The bootstrap file: defaults when missing, values from the file, environment
 * overrides (WATTGATE_DATA_DIR, WATTGATE_LOG_LEVEL, WATTGATE_BOOTSTRAP),
 * path-precise errors, and atomic saves that refuse invalid content.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DEFAULT_DATA_DIR, loadBootstrap, saveBootstrap } from '../../src/config/bootstrap.js';
import { ErrorCodes, type ErrorDetail, hasCode } from '../../src/shared/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'wattgate-boot-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content?: string) => {
  const p = join(dir, `b${++n}.json`);
  if (content !== undefined) writeFileSync(p, content);
  return p;
};

function refused(fn: () => unknown, path: string, message: RegExp): void {
  assert.throws(fn, (e) => {
    assert.ok(hasCode(e, ErrorCodes.INVALID_CONFIG), String(e));
    const hit = e.details.some((d: ErrorDetail) => d.path === path && message.test(d.message));
    assert.ok(hit, `no ${path}: ${message} in ${JSON.stringify(e.details)}`);
    return true;
  });
}

describe('bootstrap', () => {
  test('a missing file gives the defaults', () => {
    assert.deepEqual(loadBootstrap(file(), {}), { dataDir: DEFAULT_DATA_DIR, logLevel: 'info' });
    assert.equal(DEFAULT_DATA_DIR, '/var/lib/wattgate');
  });

  test('values come from the file; missing ones default', () => {
    assert.deepEqual(loadBootstrap(file('{"dataDir": "/srv/wg"}'), {}), {
      dataDir: '/srv/wg',
      logLevel: 'info',
    });
  });

  test('environment overrides win over the file', () => {
    const p = file('{"dataDir": "/srv/wg", "logLevel": "warn"}');
    const env = { WATTGATE_DATA_DIR: '/tmp/wg-data', WATTGATE_LOG_LEVEL: 'debug' };
    assert.deepEqual(loadBootstrap(p, env), { dataDir: '/tmp/wg-data', logLevel: 'debug' });
    assert.deepEqual(loadBootstrap(p, { WATTGATE_LOG_LEVEL: '' }), { dataDir: '/srv/wg', logLevel: 'warn' });
  });

  test('WATTGATE_BOOTSTRAP names the file when no path is given', () => {
    const p = file('{"logLevel": "error"}');
    assert.equal(loadBootstrap(undefined, { WATTGATE_BOOTSTRAP: p }).logLevel, 'error');
  });

  test('invalid content is refused naming path and rule (several at once)', () => {
    refused(
      () => loadBootstrap(file('{"dataDir": "relative/path", "logLevel": "loud"}'), {}),
      '/dataDir',
      /pattern \^\//,
    );
    refused(
      () => loadBootstrap(file('{"dataDir": "relative/path", "logLevel": "loud"}'), {}),
      '/logLevel',
      /must be one of/,
    );
    refused(
      () => loadBootstrap(file('{"dataDir": "/x", "httpPort": 8443}'), {}),
      '/httpPort',
      /unknown property/,
    );
    refused(() => loadBootstrap(file('{not json'), {}), '/', /must be JSON/);
    refused(() => loadBootstrap(file('[1,2]'), {}), '/', /must be object/);
  });

  test('an invalid environment override names the variable', () => {
    refused(
      () => loadBootstrap(file(), { WATTGATE_LOG_LEVEL: 'verbose' }),
      '/logLevel',
      /from WATTGATE_LOG_LEVEL/,
    );
    refused(() => loadBootstrap(file(), { WATTGATE_DATA_DIR: 'data' }), '/dataDir', /from WATTGATE_DATA_DIR/);
  });

  test('saveBootstrap writes atomically (0644, no temp files) and round-trips; invalid content is not written', () => {
    const sub = join(dir, 'saved'); // must exist, like /etc/wattgate
    mkdirSync(sub);
    const p = join(sub, 'bootstrap.json');
    saveBootstrap(p, { dataDir: '/srv/a', logLevel: 'debug' });
    assert.deepEqual(loadBootstrap(p, {}), { dataDir: '/srv/a', logLevel: 'debug' });
    assert.equal(statSync(p).mode & 0o777, 0o644);
    const before = readFileSync(p, 'utf8');
    refused(() => saveBootstrap(p, { dataDir: '/srv/b', colour: 'red' }), '/colour', /unknown property/);
    assert.equal(readFileSync(p, 'utf8'), before);
    assert.deepEqual(readdirSync(sub), ['bootstrap.json']);
  });
});
