/**
 * SEC-A1, A2, A3, J1: password rules (S2 exactly), blocklist, NIST profile,
 * scrypt PHC hashes, byte cap, bounded hashing concurrency.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCommonPassword, passwordProblems } from '../../src/security/password-policy.js';
import { PasswordHasher, parsePhc, verifyPasswordRaw } from '../../src/security/passwords.js';
import { hasCode } from '../../src/shared/errors.js';

const ok = (pw: string, profile: 'reference' | 'nist' = 'reference') =>
  passwordProblems(pw, profile).length === 0;

test('SEC-A1: 8–50 characters, 3 of 4 classes, only the fixed special set', () => {
  assert.ok(ok('Qzxvkmp1'));
  assert.ok(!ok('Abcdefg1'), 'abcdefg is on the blocklist');
  assert.ok(!ok('Abcdef1'), '7 characters');
  assert.ok(ok('aB3 ~Wq!'), 'space and ~ are specials');
  assert.ok(ok('qzxvkmp1!'), 'lower + digit + special');
  assert.ok(!ok('qzxvkmpw1'), 'only 2 classes');
  assert.ok(!ok('Abcdefg1\t'), 'tab is not allowed');
  assert.ok(!ok('Abcdefg1é'), 'é is not allowed');
  assert.ok(!ok('Abcdefg1§'), '§ is not in the special set');
  for (const c of '!"#$%&\'()*+,-./:;<=>?@[]^_`{|}~ ') assert.ok(ok(`Qzxv7mkp${c}`), `special ${c}`);
  const fifty = `${'Kx7!'.repeat(12)}Zq`;
  assert.equal(fifty.length, 50);
  assert.ok(ok(fifty));
  assert.ok(!ok(`${fifty}a`), '51 characters are refused, not truncated');
});

test('SEC-A2: blocklist in every profile; Password1! refused although it has 4 classes', () => {
  assert.ok(isCommonPassword('Password1!'));
  assert.ok(!ok('Password1!'));
  assert.ok(!ok('Welcome2024!'));
  assert.ok(!ok('!!Qwerty123'));
  assert.ok(!ok('Wattgate#2026'));
  assert.ok(!ok('!!password123456!!', 'nist'), 'blocklist applies to the NIST profile too');
  assert.ok(!ok('12345678901234567890') && ok('12345678901234567890xy', 'nist'));
  assert.ok(
    passwordProblems('Operator-2026', 'reference', 'operator').length > 0,
    'equal to the name after stripping',
  );
});

test('NIST profile: 15–64 code points, no class rules, no control characters', () => {
  assert.ok(ok('correct horse battery', 'nist'));
  assert.ok(ok('short phrase ab', 'nist'), '15 characters accepted');
  assert.ok(!ok('fourteen chars', 'nist'));
  assert.ok(ok('ünïcödé wörds äré fïne', 'nist'));
  assert.ok(!ok('a'.repeat(65), 'nist'));
  assert.ok(!ok('tab\tinside the passphrase', 'nist'));
});

test('SEC-A3: scrypt PHC (N ≥ 2^15), per-user salt, no truncation; prints the cost', async () => {
  const hasher = new PasswordHasher({ maxConcurrent: 2 });
  const fifty = `${'Kx7!'.repeat(12)}Zq`;
  const t0 = performance.now();
  const h1 = await hasher.hash(fifty);
  const cost = performance.now() - t0;
  const h2 = await hasher.hash(fifty);
  assert.match(h1, /^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.notEqual(h1, h2, 'two hashes of one password differ (salt)');
  assert.ok((parsePhc(h1)?.params.ln ?? 0) >= 15);
  assert.equal(await hasher.verify(fifty, h1), true);
  assert.equal(await hasher.verify(fifty.slice(0, 49), h1), false, 'the 49-character prefix fails');
  assert.equal(await verifyPasswordRaw(fifty, '$scrypt$ln=40,r=8,p=1$AAAA$BBBB'), false, 'malformed hash');
  assert.ok(!h1.includes(fifty));
  console.log(`scrypt N=2^15 r=8 p=1: ${cost.toFixed(0)} ms per hash on this machine`);
});

test('byte cap before hashing: over 256 bytes never hashed, never truncated', async () => {
  const hasher = new PasswordHasher();
  const big = 'Aa1!'.repeat(65);
  await assert.rejects(hasher.hash(big), (e) => hasCode(e, 'WG_ERR_PASSWORD_POLICY'));
  const h = await hasher.hash('Aa1!'.repeat(64));
  assert.equal(await hasher.verify(big, h), false);
});

test('SEC-J1: bounded concurrency — excess hashes fail fast with BUSY', async () => {
  const hasher = new PasswordHasher({ maxConcurrent: 1, maxQueued: 2 });
  const results = await Promise.allSettled(Array.from({ length: 6 }, () => hasher.hash('Abcdefg1!x')));
  const busy = results.filter((r) => r.status === 'rejected' && hasCode(r.reason, 'WG_ERR_BUSY'));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
  assert.equal(busy.length, 3);
  assert.equal(hasher.load, 0);
});
