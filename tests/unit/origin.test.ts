/**
 * The host/origin allow-list behind every /lab and /class handshake (server/front/origin.ts), for
 * the ways a server is started: loopback, a LAN address (--host), every interface, behind a proxy.
 */
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { test } from 'node:test';
import { OriginCheck, type OriginSettings } from '../../server/front/origin.ts';

function request(headers: Record<string, string>): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = headers;
  return req;
}

function check(settings: Partial<OriginSettings>) {
  const c = new OriginCheck({ port: () => 3000, host: '127.0.0.1', lanAddress: null, allowedOrigins: [], ...settings });
  return (host: string, origin?: string) => c.refusal(request(origin === undefined ? { host } : { host, origin })) === null;
}

test('a loopback server knows loopback names and addresses, on its own port only', () => {
  const ok = check({});
  assert.ok(ok('127.0.0.1:3000', 'http://127.0.0.1:3000'));
  assert.ok(ok('localhost:3000', 'http://localhost:3000'));
  assert.ok(ok('[::1]:3000', 'http://[::1]:3000'));
  assert.ok(ok('127.0.0.1:3000', 'http://localhost:3000'), 'a page of localhost opening 127.0.0.1: both are this server');
  assert.ok(ok('127.0.0.1:3000'), 'no Origin: not a browser page');
  assert.ok(!ok('127.0.0.1:3001'), 'another port in Host');
  assert.ok(!ok('127.0.0.1:3000', 'http://127.0.0.1:3001'), 'another port in Origin');
  assert.ok(!ok('127.0.0.1:3000', 'https://127.0.0.1:3000'), 'this server does not speak https');
  assert.ok(!ok('evil.example:3000', 'http://evil.example:3000'), 'DNS rebinding');
  assert.ok(!ok('192.168.1.20:3000'), 'an address this server was not started on');
  assert.ok(!ok('x@127.0.0.1:3000'), 'userinfo in Host');
  assert.ok(!ok('127.0.0.1:3000/x'), 'a path in Host');
  assert.ok(!ok('LOCALHOST.evil.example:3000'));
});

test('a class server on a LAN address knows that address', () => {
  const ok = check({ host: '192.168.1.20', lanAddress: '192.168.1.20' });
  assert.ok(ok('192.168.1.20:3000', 'http://192.168.1.20:3000'));
  assert.ok(!ok('192.168.1.21:3000', 'http://192.168.1.21:3000'));
  assert.ok(!ok('192.168.1.20:3000', 'http://192.168.1.20:8080'));
});

test('a server on every interface knows each address of this machine', () => {
  const ok = check({ host: '0.0.0.0' });
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family !== 'IPv4') continue;
      assert.ok(ok(`${a.address}:3000`, `http://${a.address}:3000`), a.address);
    }
  }
  assert.ok(!ok('203.0.113.9:3000', 'http://203.0.113.9:3000'), 'a documentation address is no address of ours');
});

test('configured origins (a TLS proxy) are admitted exactly', () => {
  const ok = check({ allowedOrigins: ['https://lab.school.example', 'http://teacher.local:8080'] });
  assert.ok(ok('lab.school.example', 'https://lab.school.example'));
  assert.ok(ok('lab.school.example:443', 'https://lab.school.example'));
  assert.ok(ok('teacher.local:8080', 'http://teacher.local:8080'));
  assert.ok(!ok('lab.school.example', 'http://lab.school.example'), 'another scheme');
  assert.ok(!ok('lab.school.example:8443', 'https://lab.school.example:8443'), 'another port');
  assert.ok(!ok('127.0.0.1:3000', 'https://lab.school.example.evil.example'));
});
