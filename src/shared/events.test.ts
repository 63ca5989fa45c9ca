import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TypedEvents } from './events.js';

interface M extends Record<string, unknown> {
  reading: { id: string; v: number };
  stop: undefined;
}

test('listeners run in order; a throwing listener is reported and does not stop the rest', () => {
  const errors: unknown[] = [];
  const ev = new TypedEvents<M>((_e, err) => errors.push(err));
  const seen: string[] = [];
  ev.on('reading', (r) => seen.push(`a:${r.id}`));
  ev.on('reading', () => {
    throw new Error('bad consumer');
  });
  const off = ev.on('reading', (r) => seen.push(`c:${r.v}`));
  ev.emit('reading', { id: 'x', v: 1 });
  off();
  ev.emit('reading', { id: 'y', v: 2 });
  assert.deepEqual(seen, ['a:x', 'c:1', 'a:y']);
  assert.equal(errors.length, 2);
  assert.equal(ev.listenerCount('reading'), 2);
  assert.equal(ev.listenerCount('stop'), 0);
});

test('a listener removed during emit is still called for that emit, not after', () => {
  const ev = new TypedEvents<M>();
  let n = 0;
  const off = ev.on('stop', () => {
    n++;
    off();
  });
  ev.emit('stop', undefined);
  ev.emit('stop', undefined);
  assert.equal(n, 1);
});
