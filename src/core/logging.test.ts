import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { componentLogger, createLogger, SECRET_KEYS } from './logging.js';

function collect(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines, stream };
}

test('secrets are redacted at any depth up to three levels, other fields kept', () => {
  const { lines, stream } = collect();
  const log = createLogger({ level: 'info', destination: stream });
  const marker = 'S3cr3t-Marker!';
  log.info(
    {
      password: marker,
      account: { name: 'admin', password: marker, token: marker },
      cfg: { publish: { sftp: { privateKey: marker, host: 'files.example' } } },
      deviceCode: marker,
    },
    'change',
  );
  const text = JSON.stringify(lines());
  assert.ok(!text.includes(marker), `secret leaked: ${text}`);
  assert.ok(text.includes('files.example'));
  assert.ok(text.includes('[redacted]'));
  assert.ok(SECRET_KEYS.length > 5);
});

test('component child loggers carry the component binding and the level label', () => {
  const { lines, stream } = collect();
  const root = createLogger({ level: 'debug', destination: stream });
  componentLogger(root, 'modbus-server').debug({ port: 502 }, 'listening');
  const [line] = lines();
  assert.equal(line?.component, 'modbus-server');
  assert.equal(line?.level, 'debug');
  assert.equal(line?.service, 'wattgate');
  assert.match(String(line?.time), /^\d{4}-\d\d-\d\dT/);
});

test('level silent writes nothing', () => {
  const { lines, stream } = collect();
  createLogger({ level: 'silent', destination: stream }).error('nothing');
  assert.equal(lines().length, 0);
});

test('nested components form one path and the key appears once per line', () => {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const root = createLogger({ level: 'info', destination: stream });
  componentLogger(componentLogger(root, 'modbus'), 'server').child({ device: 'm1' }).info('x');
  const line = chunks.join('');
  assert.equal(line.match(/"component"/g)?.length, 1, line);
  assert.equal((JSON.parse(line) as { component: string }).component, 'modbus/server');
  assert.match(line, /"device":"m1"/);
});
