// Address normalisation and allow-list compilation (PRODUCT G7 per-source caps, G10 allow lists).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../shared/errors.js';
import { compileAllowList, formatHostPort, isAllowed, normaliseAddress } from './address.js';

test('IPv4-mapped IPv6 folds to IPv4; IPv6 is lower-cased; non-addresses are undefined', () => {
  assert.equal(normaliseAddress('::ffff:127.0.0.2'), '127.0.0.2');
  assert.equal(normaliseAddress('::FFFF:10.1.2.3'), '10.1.2.3');
  assert.equal(normaliseAddress('FD00::1'), 'fd00::1');
  assert.equal(normaliseAddress('192.168.0.1'), '192.168.0.1');
  assert.equal(normaliseAddress('eth0'), undefined);
  assert.equal(normaliseAddress(undefined), undefined);
  assert.equal(formatHostPort('::1', 502), '[::1]:502');
  assert.equal(formatHostPort('10.0.0.1', 502), '10.0.0.1:502');
});

test('allow lists take addresses and CIDR subnets, IPv4 and IPv6', () => {
  const list = compileAllowList(['192.168.1.10', '10.0.0.0/8', 'fd00::/8', '::1', '::ffff:172.16.0.1']);
  for (const yes of ['192.168.1.10', '10.200.3.4', 'fd12::7', '::1', '172.16.0.1']) {
    assert.equal(isAllowed(list, yes), true, yes);
  }
  for (const no of ['192.168.1.11', '11.0.0.1', 'fe80::1', '::2', '172.16.0.2']) {
    assert.equal(isAllowed(list, no), false, no);
  }
  assert.equal(isAllowed(compileAllowList([]), '127.0.0.1'), false);
});

test('bad allow-list entries are all named, with their path', () => {
  assert.throws(
    () =>
      compileAllowList(['10.0.0.0/33', 'eth0', '10.0.0.1', 'fd00::/129', '1.2.3.4/x'], '/net/ETH1/allowList'),
    (e) =>
      hasCode(e, 'WG_ERR_INVALID_CONFIG') &&
      e.details.map((d) => d.path).join(',') ===
        '/net/ETH1/allowList/0,/net/ETH1/allowList/1,/net/ETH1/allowList/3,/net/ETH1/allowList/4',
  );
});
