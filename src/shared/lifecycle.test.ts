import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from './errors.js';
import { Lifecycle, type Part } from './lifecycle.js';

function part(name: string, log: string[], failStart = false): Part {
  return {
    name,
    start() {
      if (failStart) throw new Error(`${name} boom`);
      log.push(`start ${name}`);
    },
    stop() {
      log.push(`stop ${name}`);
    },
  };
}

test('starts in order, stops in reverse, stop is idempotent', async () => {
  const log: string[] = [];
  const lc = new Lifecycle().add(part('db', log)).add(part('config', log)).add(part('modbus', log));
  await lc.start();
  assert.equal(lc.state, 'running');
  await lc.stop();
  await lc.stop();
  assert.deepEqual(log, [
    'start db',
    'start config',
    'start modbus',
    'stop modbus',
    'stop config',
    'stop db',
  ]);
});

test('a failing start stops what was started, in reverse, and reports a lifecycle error', async () => {
  const log: string[] = [];
  const lc = new Lifecycle()
    .add(part('a', log))
    .add(part('b', log))
    .add(part('c', log, true))
    .add(part('d', log));
  await assert.rejects(lc.start(), (e) => hasCode(e, 'WG_ERR_LIFECYCLE') && /part c failed/.test(e.message));
  assert.deepEqual(log, ['start a', 'start b', 'stop b', 'stop a']);
  assert.equal(lc.state, 'stopped');
});

test('a part that fails to stop does not prevent the others from stopping', async () => {
  const log: string[] = [];
  const errors: string[] = [];
  const bad: Part = { name: 'bad', start() {}, stop: () => Promise.reject(new Error('stuck')) };
  const lc = new Lifecycle((name) => errors.push(name)).add(part('a', log)).add(bad).add(part('c', log));
  await lc.start();
  await lc.stop();
  assert.deepEqual(log, ['start a', 'start c', 'stop c', 'stop a']);
  assert.deepEqual(errors, ['bad']);
});

test('duplicate names and late adds are refused', async () => {
  const lc = new Lifecycle().add(part('a', []));
  assert.throws(
    () => lc.add(part('a', [])),
    (e) => hasCode(e, 'WG_ERR_LIFECYCLE'),
  );
  await lc.start();
  assert.throws(
    () => lc.add(part('z', [])),
    (e) => hasCode(e, 'WG_ERR_LIFECYCLE'),
  );
  await lc.stop();
});
