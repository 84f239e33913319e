/**
 * LabPolicy: what a lab socket may bind to and reach, decided before any system call; and the
 * per-session TokenBucket that paces commands, driven by an injected clock.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LabFailure } from '../../server/lab/failure.ts';
import { LabPolicy, canonicalAddress } from '../../server/lab/policy.ts';
import { TokenBucket } from '../../server/lab/rate-limit.ts';

const LIMITS = { sockets: 16, sendBytes: 65536, commandsPerSecond: 20, idleSeconds: 900 };
const LAN = '192.168.1.10';
const SITE_PORT = 3000;

const policy = (extra: string[] = [LAN], sitePort: number | null = SITE_PORT) =>
  new LabPolicy({ ports: [41000, 41999], extraAddresses: extra, sitePort, limits: LIMITS });

/** Asserts that `f` throws a LabFailure with `code`; returns its message. */
function refused(f: () => unknown, code: string): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof LabFailure, `expected a LabFailure, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e.message;
  }
  assert.fail(`expected ${code}, but the call was allowed`);
}

describe('LabPolicy and the class chat on another instance', () => {
  test('lab sockets reach exactly the chat\'s address and port, nothing else there, and never bind to it', () => {
    const p = policy([LAN]);
    const other = '10.0.0.12';
    refused(() => p.checkDestination(other, 41875), 'E_POLICY');
    p.classChat = { address: other, port: 41875 };
    assert.equal(p.checkDestination(other, 41875), other);
    assert.equal(p.checkDestination(`::ffff:${other}`, 41875), other, 'IPv4-mapped is the same address');
    refused(() => p.checkDestination(other, 41876), 'E_POLICY');
    refused(() => p.checkDestination(other, 22), 'E_POLICY');
    refused(() => p.checkBind(other, 41875), 'E_POLICY');
    refused(() => p.checkDestination('not an address', 41875), 'E_BAD_REQUEST');
    p.classChat = null;
    refused(() => p.checkDestination(other, 41875), 'E_POLICY');
  });
});

describe('LabPolicy addresses', () => {
  test('loopback v4 and v6 are always allowed, with the canonical address returned', () => {
    const p = policy([]);
    assert.equal(p.checkBind('127.0.0.1', 41000), '127.0.0.1');
    assert.equal(p.checkBind('::1', 41000), '::1');
    assert.equal(p.checkBind('0:0:0:0:0:0:0:1', 41000), '::1');
    assert.equal(p.checkDestination('::1', 41500), '::1');
  });

  test('IPv4-mapped IPv6 ::ffff:127.0.0.1 counts as 127.0.0.1', () => {
    const p = policy([]);
    assert.equal(p.checkBind('::ffff:127.0.0.1', 41000), '127.0.0.1');
    assert.equal(p.checkDestination('::ffff:127.0.0.1', 41000), '127.0.0.1');
    assert.equal(canonicalAddress('::ffff:127.0.0.1'), '127.0.0.1');
  });

  test('the instructor\'s extra LAN address is allowed, and only when configured', () => {
    assert.equal(policy([LAN]).checkBind(LAN, 41000), LAN);
    assert.equal(policy([LAN]).checkDestination(LAN, 41001), LAN);
    const m = refused(() => policy([]).checkBind(LAN, 41000), 'E_POLICY');
    assert.match(m, /192\.168\.1\.10/);
  });

  test('describe() lists loopback first, then extra addresses in canonical form, without duplicates', () => {
    const p = policy(['::ffff:192.168.1.10', '127.0.0.1', LAN]);
    assert.deepEqual(p.describe(), { ports: [41000, 41999], addresses: ['127.0.0.1', '::1', LAN], sitePort: SITE_PORT, limits: LIMITS });
  });

  test('another loopback address (127.0.0.2) is not on the list', () => {
    refused(() => policy().checkBind('127.0.0.2', 41000), 'E_POLICY');
  });

  test('0.0.0.0 and :: (every interface) are refused with E_POLICY and a hint', () => {
    const p = policy();
    for (const any of ['0.0.0.0', '::']) {
      const m = refused(() => p.checkBind(any, 41000), 'E_POLICY');
      assert.match(m, /every interface/);
      refused(() => p.checkDestination(any, 41000), 'E_POLICY');
    }
  });

  test('a public address is refused as a destination with E_POLICY', () => {
    refused(() => policy().checkDestination('1.1.1.1', 41000), 'E_POLICY');
    refused(() => policy().checkDestination('2606:4700::1111', 41000), 'E_POLICY');
  });

  test('names are never resolved: E_BAD_REQUEST', () => {
    const p = policy();
    for (const name of ['localhost', 'example.com', '', ' 127.0.0.1']) {
      const m = refused(() => p.checkDestination(name, 41000), 'E_BAD_REQUEST');
      assert.match(m, /not an IP address/);
    }
  });

  test('IPv6 zone ids (fe80::1%eth0, ::1%lo) are E_BAD_REQUEST', () => {
    refused(() => policy().checkBind('fe80::1%eth0', 41000), 'E_BAD_REQUEST');
    refused(() => policy().checkBind('::1%lo', 41000), 'E_BAD_REQUEST');
  });

  test('inet_aton-only forms (0x7f.0.0.1, 127.1, 2130706433, 0177.0.0.1) are E_BAD_REQUEST, not quietly 127.0.0.1', () => {
    const p = policy();
    for (const odd of ['0x7f.0.0.1', '127.1', '2130706433', '0177.0.0.1']) {
      refused(() => p.checkBind(odd, 41000), 'E_BAD_REQUEST');
    }
  });

  test('a long bad address is cut short in the message', () => {
    const m = refused(() => policy().checkBind('x'.repeat(500), 41000), 'E_BAD_REQUEST');
    assert.ok(m.length < 300, `message of ${m.length} characters`);
  });

  test('familyOf tells IPv4 from IPv6', () => {
    assert.equal(LabPolicy.familyOf('127.0.0.1'), 4);
    assert.equal(LabPolicy.familyOf('::1'), 6);
    assert.equal(LabPolicy.familyOf('::ffff:127.0.0.1'), 6);
  });
});

describe('LabPolicy ports', () => {
  test('range edges: 41000 and 41999 are in, 40999 and 42000 are out, for bind and destination', () => {
    const p = policy();
    for (const port of [41000, 41999]) {
      assert.equal(p.checkBind('127.0.0.1', port), '127.0.0.1');
      assert.equal(p.checkDestination('127.0.0.1', port), '127.0.0.1');
    }
    for (const port of [40999, 42000]) {
      const m = refused(() => p.checkBind('127.0.0.1', port), 'E_POLICY');
      assert.match(m, new RegExp(`41000-41999.*not ${port}`));
      refused(() => p.checkDestination('127.0.0.1', port), 'E_POLICY');
    }
  });

  test('port 0 is allowed for bind (the lab picks one) but not as a destination', () => {
    const p = policy();
    assert.equal(p.checkBind('127.0.0.1', 0), '127.0.0.1');
    refused(() => p.checkDestination('127.0.0.1', 0), 'E_POLICY');
  });

  test('the site port is a destination, never a bind port', () => {
    const p = policy();
    assert.equal(p.checkDestination('127.0.0.1', SITE_PORT), '127.0.0.1');
    const m = refused(() => p.checkBind('127.0.0.1', SITE_PORT), 'E_POLICY');
    assert.match(m, /not 3000/);
  });

  test('without a site port, port 3000 is just another port outside the range', () => {
    const m = refused(() => policy([LAN], null).checkDestination('127.0.0.1', SITE_PORT), 'E_POLICY');
    assert.doesNotMatch(m, /site/);
  });

  test('the site port set later (once the server listens) is honoured', () => {
    const p = policy([LAN], null);
    refused(() => p.checkDestination('127.0.0.1', 45678), 'E_POLICY');
    p.sitePort = 45678;
    assert.equal(p.checkDestination('127.0.0.1', 45678), '127.0.0.1');
  });

  test('the address is checked before the port: a bad address is reported even on a good port', () => {
    refused(() => policy().checkBind('10.0.0.1', 41000), 'E_POLICY');
    const m = refused(() => policy().checkBind('10.0.0.1', 80), 'E_POLICY');
    assert.match(m, /10\.0\.0\.1/);
  });
});

describe('TokenBucket (injected clock)', () => {
  function clocked(rate: number, burst: number) {
    let t = 1000;
    const bucket = new TokenBucket(rate, burst, () => t);
    return { bucket, advance: (ms: number) => (t += ms) };
  }
  const takeAll = (b: TokenBucket, limit = 1000) => {
    let n = 0;
    while (n < limit && b.take()) n++;
    return n;
  };

  test('starts full: exactly `burst` calls pass at once, the next is refused', () => {
    const { bucket } = clocked(10, 5);
    assert.equal(takeAll(bucket), 5);
    assert.equal(bucket.take(), false);
  });

  test('refills at `rate` per second', () => {
    const { bucket, advance } = clocked(10, 5);
    takeAll(bucket);
    advance(99);
    assert.equal(bucket.take(), false, '0.99 of a token is not enough');
    advance(1);
    assert.equal(bucket.take(), true, '100 ms at 10/s gives one token');
    assert.equal(bucket.take(), false);
    advance(300);
    assert.equal(takeAll(bucket), 3);
  });

  test('refused calls do not use up tokens', () => {
    const { bucket, advance } = clocked(10, 5);
    takeAll(bucket);
    for (let i = 0; i < 10; i++) assert.equal(bucket.take(), false);
    advance(200);
    assert.equal(takeAll(bucket), 2);
  });

  test('never holds more than `burst`, however long it was idle', () => {
    const { bucket, advance } = clocked(10, 5);
    takeAll(bucket);
    advance(60 * 60 * 1000);
    assert.equal(takeAll(bucket), 5);
    assert.equal(bucket.take(), false);
  });

  test('a steady caller at the rate is never refused', () => {
    const { bucket, advance } = clocked(20, 1);
    assert.equal(bucket.take(), true);
    for (let i = 0; i < 100; i++) {
      advance(50);
      assert.equal(bucket.take(), true, `call ${i}`);
    }
  });

  test('fractional rates: 0.5 per second means one call every 2 s', () => {
    const { bucket, advance } = clocked(0.5, 1);
    assert.equal(bucket.take(), true);
    advance(1999);
    assert.equal(bucket.take(), false);
    advance(1);
    assert.equal(bucket.take(), true);
  });
});
