import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { hasCode } from '../shared/errors.js';
import { HASH_NICE, HashWorkerPool, type ScryptJob } from './hash-worker.js';

const LINUX = existsSync('/proc/thread-self');
/** Small cost: these tests check the plumbing, not the production parameters. */
const job = (password: string | Buffer = 'Abcdefg1!x'): ScryptJob => ({
  password,
  salt: randomBytes(16),
  keylen: 32,
  N: 2 ** 10,
  r: 8,
  p: 1,
  maxmem: 64 * 1024 * 1024,
});

/** Niceness of one thread of this process, from /proc/<pid>/task/<tid>/stat (field 19). */
function threadNice(tid: number): number {
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

test('derives the same key as node:crypto scrypt (string and bytes)', async () => {
  const pool = new HashWorkerPool();
  try {
    for (const password of ['Abcdefg1!x', randomBytes(32)]) {
      const j = job(password);
      const key = await pool.derive(j);
      const expected = scryptSync(j.password, j.salt, j.keylen, { N: j.N, r: j.r, p: j.p, maxmem: j.maxmem });
      assert.ok(Buffer.isBuffer(key));
      assert.deepEqual(key, expected);
    }
  } finally {
    await pool.close();
  }
});

test('SEC-J1: the hashing thread alone runs at nice 19; the event loop keeps its priority', {
  skip: LINUX ? false : 'needs Linux /proc',
}, async () => {
  const before = getPriority(0);
  const pool = new HashWorkerPool();
  try {
    const info = await pool.threadInfo();
    assert.equal(info.nice, HASH_NICE);
    assert.ok(info.tid !== undefined && info.tid !== process.pid, `a thread of its own (${info.tid})`);
    assert.equal(threadNice(info.tid as number), HASH_NICE, '/proc agrees');
    await pool.derive(job());
    assert.equal(threadNice(info.tid as number), HASH_NICE, 'still after a hash');
    assert.equal(threadNice(process.pid), before, 'main thread unchanged');
    assert.equal(getPriority(0), before);
  } finally {
    await pool.close();
  }
});

test('a full pool answers BUSY at once; a job finished frees its thread', async () => {
  const pool = new HashWorkerPool({ size: 1 });
  try {
    const first = pool.derive(job());
    await assert.rejects(pool.derive(job()), (e) => hasCode(e, 'WG_ERR_BUSY'));
    await first;
    assert.equal((await pool.derive(job())).length, 32);
  } finally {
    await pool.close();
  }
});

test('a thread that ends during a job fails it with UNAVAILABLE; the next job gets a new thread', async () => {
  const pool = new HashWorkerPool({ size: 1 });
  try {
    const pending = pool.derive({ ...job(), N: 2 ** 16 });
    await pool.close();
    await assert.rejects(pending, (e) => hasCode(e, 'WG_ERR_UNAVAILABLE'));
    assert.equal((await pool.derive(job())).length, 32);
  } finally {
    await pool.close();
  }
});

test('an idle hashing thread does not keep the process alive', { timeout: 30_000 }, async () => {
  const module = fileURLToPath(new URL('./hash-worker.ts', import.meta.url));
  const code = `
    import { HashWorkerPool } from ${JSON.stringify(module)};
    const key = await new HashWorkerPool().derive({ password: 'x', salt: Buffer.alloc(16), keylen: 32, N: 1024, r: 8, p: 1, maxmem: 1 << 26 });
    console.log(key.length);
  `;
  const run = promisify(execFile);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    timeout: 20_000,
  });
  assert.equal(stdout.trim(), '32');
});
