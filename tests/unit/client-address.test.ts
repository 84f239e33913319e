/**
 * TrustedProxies (server/front/client-address.ts): the client's address behind a reverse proxy.
 * X-Forwarded-For is believed only from a trusted peer, read from the right, and a forged or
 * broken entry never lets a client pick an address beyond the proxies' own word.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { TrustedProxies, parseCidr } from '../../server/front/client-address.ts';

const req = (peer: string, xff?: string | string[]) => ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

describe('TrustedProxies', { timeout: 10_000 }, () => {
  test('trusts nobody by default: the direct peer is the client, whatever the header says', () => {
    const p = new TrustedProxies([]);
    assert.equal(p.any, false);
    assert.equal(p.clientOf(req('127.0.0.1', '203.0.113.7')), '127.0.0.1');
  });

  test('a trusted proxy\'s X-Forwarded-For names the client; an untrusted peer\'s is ignored', () => {
    const p = new TrustedProxies(['127.0.0.1', '10.0.0.0/8']);
    assert.equal(p.clientOf(req('127.0.0.1', '203.0.113.7')), '203.0.113.7');
    assert.equal(p.clientOf(req('::ffff:127.0.0.1', '203.0.113.7')), '203.0.113.7', 'IPv4-mapped peer');
    assert.equal(p.clientOf(req('192.0.2.1', '203.0.113.7')), '192.0.2.1', 'not a listed proxy');
    assert.equal(p.clientOf(req('127.0.0.1')), '127.0.0.1', 'no header: the proxy itself');
  });

  test('reads from the right, skipping trusted hops: a client cannot prepend an address of its choosing', () => {
    const p = new TrustedProxies(['127.0.0.1/32', '10.0.0.0/8']);
    // The client wrote "1.2.3.4" itself; nginx appended the real peer, 203.0.113.7.
    assert.equal(p.clientOf(req('127.0.0.1', '1.2.3.4, 203.0.113.7')), '203.0.113.7');
    // Two proxies in a row (10.0.0.5 in front of the local one).
    assert.equal(p.clientOf(req('127.0.0.1', '203.0.113.7, 10.0.0.5')), '203.0.113.7');
    // Repeated headers, in order.
    assert.equal(p.clientOf(req('127.0.0.1', ['203.0.113.7', '10.0.0.5'])), '203.0.113.7');
    // Every hop trusted: the leftmost.
    assert.equal(p.clientOf(req('127.0.0.1', '10.0.0.9, 10.0.0.5')), '10.0.0.9');
    // Garbage stops the walk at the last trusted hop.
    assert.equal(p.clientOf(req('127.0.0.1', '203.0.113.7, not-an-ip')), '127.0.0.1');
    assert.equal(p.clientOf(req('127.0.0.1', 'unknown, 10.0.0.5')), '10.0.0.5');
    assert.equal(p.clientOf(req('127.0.0.1', ' , ')), '127.0.0.1');
    // IPv6 clients, canonical text.
    assert.equal(p.clientOf(req('127.0.0.1', '2001:DB8:0:0::1')), '2001:db8::1');
  });

  test('parses addresses and CIDR ranges, and names a bad entry', () => {
    const p = new TrustedProxies(['::1', 'fd00::/8', '::ffff:192.168.0.0/112']);
    assert.ok(p.trusts('::1'));
    assert.ok(p.trusts('fd12::3'));
    assert.ok(p.trusts('192.168.4.5'), 'an IPv4-mapped range is the IPv4 range');
    assert.ok(!p.trusts('127.0.0.1'));
    assert.ok(!p.trusts('nonsense'));
    assert.throws(() => parseCidr('10.0.0.0/33'), /"10\.0\.0\.0\/33" is not an address or a CIDR range/);
    assert.throws(() => parseCidr('proxy.example'), /not an address/);
  });
});
