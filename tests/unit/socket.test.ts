/**
 * The browser's one way to the server's WebSockets (app/_lib/socket.ts): the URL follows the page
 * (host, and wss: under https:), and query values are escaped.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { socketUrl } from '../../app/_lib/socket.ts';

const g = globalThis as { location?: { protocol: string; host: string } };
const saved = g.location;
afterEach(() => {
  g.location = saved;
});

describe('socketUrl', () => {
  test('the page\'s own host, ws: under http: and wss: under https:', () => {
    g.location = { protocol: 'http:', host: '192.168.1.20:3000' };
    assert.equal(socketUrl('/class'), 'ws://192.168.1.20:3000/class');
    g.location = { protocol: 'https:', host: 'lab.example' };
    assert.equal(socketUrl('/lab'), 'wss://lab.example/lab');
  });

  test('query values are escaped; an empty query adds nothing', () => {
    g.location = { protocol: 'http:', host: 'localhost:3000' };
    assert.equal(socketUrl('/lab', {}), 'ws://localhost:3000/lab');
    assert.equal(socketUrl('/lab', { watch: 'a b&c=/' }), 'ws://localhost:3000/lab?watch=a%20b%26c%3D%2F');
  });
});
