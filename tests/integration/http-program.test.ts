/**
 * Lesson 12's web server (issue 18): `run {program: 'http'}` on a listener on the sandbox's
 * `server`, 203.0.113.80:80, is a real HTTP/1.1 server (node:http) whose every call is a lab call.
 * A GET from laptop, through the router, gets 200 and a body computed from what the server saw;
 * the server's access log names 203.0.113.1 (the router's NAT) as the peer; the request's bytes
 * cross the links in packets, the response's caused by the server's own send(). A garbled request
 * gets 400, an oversized head 431, a silent half-request 408; none leaves an fd behind.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import type { ClientEvent } from '../../server/protocol/client.ts';
import type { PacketEvent, ProgramEvent } from '../../server/protocol/index.ts';
import { connect, errCode, fdCount, ok, startLab, waitUntil, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

const T = { timeout: 30_000 };
const skip = needs('unshare', 'ip', 'nft');

const isPacket = (e: ClientEvent): e is PacketEvent => e.event === 'packet';
const isRequest = (e: ClientEvent): e is ProgramEvent => e.event === 'program' && e.kind === 'request';

describe('the http program on the sandbox\'s server', { skip }, () => {
  let server: RunningServer;
  let c: Connected;
  let baseline = 0;
  let listener = '';

  before(async () => {
    server = await startLab();
    c = await connect(server);
    await ok(c.client.call('network', { action: 'create', topology: 'home' }));
    await ok(c.client.call('capture', { action: 'start' }));
    // The session, its network and its capture are up: from here on, fds come and go with connections.
    baseline = fdCount();
    ({ sock: listener } = await ok(c.client.call('socket', { type: 'tcp', host: 'server', actor: 'web server' })));
    await ok(c.client.call('bind', { sock: listener, address: '203.0.113.80', port: 80 }));
    await ok(c.client.call('listen', { sock: listener, backlog: 8 }));
    const run = await ok(c.client.call('run', { program: 'http', sock: listener, idleSeconds: 2 }));
    assert.deepEqual(run, { program: 'http', address: '203.0.113.80', port: 80 });
  });
  after(async () => {
    c.client.close();
    await server.close();
  });

  /** laptop connects to server:80, sends `request`, reads until EOF; returns what it read. */
  async function exchange(request: string, id = `b-${Math.random().toString(36).slice(2)}`): Promise<{ response: string; port: number }> {
    const { sock } = await ok(c.client.call('socket', { type: 'tcp', host: 'laptop', actor: 'browser' }));
    const connected = await ok(c.client.call('connect', { sock, address: '203.0.113.80', port: 80 }));
    if (request) await ok(c.client.call('send', { sock, data: request }, id));
    let response = '';
    for (;;) {
      const r = await ok(c.client.call('recv', { sock, max: 65536 }));
      if ('eof' in r) break;
      response += r.data;
    }
    await ok(c.client.call('close', { sock }));
    return { response, port: connected.local.port };
  }

  it('a GET from laptop gets 200 and a body from the real server, which saw 203.0.113.1; the bytes cross both links', T, async () => {
    const { response } = await exchange('GET /index.html HTTP/1.1\r\nHost: 203.0.113.80\r\nConnection: close\r\n\r\n', 'b-get');
    const [head, body] = response.split('\r\n\r\n');
    assert.match(head!, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(head!, /\r\nContent-Type: text\/plain; charset=utf-8\r\n/);
    assert.match(head!, /\r\nConnection: close(\r\n|$)/);
    assert.match(head!, /\r\nDate: /, 'node:http wrote the head');
    assert.equal(Number(/Content-Length: (\d+)/.exec(head!)?.[1]), Buffer.byteLength(body!));
    const seen = /you are (203\.0\.113\.1):(\d+) and asked for \/index\.html\n$/.exec(body!);
    assert.ok(seen, body);
    assert.match(body!, /^hello from 203\.0\.113\.80:80:/);

    // The access log: the router's address, never laptop's.
    const logged = (await c.waitEvent(isRequest)) as ProgramEvent;
    assert.equal(logged.program, 'http');
    assert.deepEqual(logged.http, { peer: { address: '203.0.113.1', port: Number(seen[2]) }, method: 'GET', target: '/index.html', status: 200 });

    // The server's calls are lab steps: accept, recv, send, shutdown, close, on server.
    const ops = () => c.steps().filter((s) => typeof s.id === 'string' && s.id.startsWith('http-')).map((s) => s.op);
    // Its close() comes once the browser's FIN arrives: it read on after its own, so it closes with nothing unread.
    await waitUntil(() => ops().includes('close'), 3000, () => `the server's close(): ${ops().join(' ')}`);
    for (const op of ['accept', 'recv', 'send', 'shutdown', 'close'] as const) assert.ok(ops().includes(op), `the server's ${op}() is a step: ${ops().join(' ')}`);

    // Packets: the request's bytes on lan and wan, caused by the browser's send; the response's caused by the server's.
    const payloadOf = (p: PacketEvent) => Buffer.from(p.frame, 'base64').toString('latin1');
    await waitUntil(() => c.events.filter(isPacket).some((p) => p.link === 'wan' && payloadOf(p).includes('HTTP/1.1 200 OK')), 3000, 'the response on wan');
    const withRequest = c.events.filter(isPacket).filter((p) => payloadOf(p).includes('GET /index.html HTTP/1.1\r\n'));
    assert.deepEqual(withRequest.map((p) => [p.link, p.cause]).sort(), [['lan', 'b-get'], ['wan', 'b-get']]);
    const responses = c.events.filter(isPacket).filter((p) => payloadOf(p).includes('HTTP/1.1 200 OK'));
    assert.ok(responses.length >= 2, 'the response on both links');
    const responseCause = responses.find((p) => p.link === 'wan')?.cause;
    const sendStep = c.steps().find((s) => s.id === responseCause);
    assert.equal(sendStep?.op, 'send', `the response is caused by the server's send(): ${responseCause}`);
  });

  it('keeps a connection for a second request when asked (HTTP/1.1 keep-alive), HEAD has no body', T, async () => {
    const { response } = await exchange('HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const answers = response.match(/HTTP\/1\.1 200 OK/g) ?? [];
    assert.equal(answers.length, 2, response);
    assert.match(response, /asked for \/two\n$/);
    assert.equal((response.match(/hello from/g) ?? []).length, 1, 'only the GET has a body');
  });

  it('a request that is not HTTP gets 400; a 10 kB head gets 431; other methods 405', T, async () => {
    assert.match((await exchange('HELLO THERE\r\n\r\n')).response, /^HTTP\/1\.1 400 Bad Request\r\n/);
    const huge = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(10_000)}\r\n\r\n`;
    assert.match((await exchange(huge)).response, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    const post = await exchange('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    assert.match(post.response, /^HTTP\/1\.1 405 Method Not Allowed\r\n[^]*Allow: GET, HEAD\r\n/);
    await waitUntil(() => c.events.filter(isRequest).some((e) => e.http?.status === 431), 3000, 'the 431 logged');
  });

  it('a request that stops half way is answered 408 once the server\'s idle limit passes', T, async () => {
    const started = Date.now();
    const { response } = await exchange('GET / HTTP/1.1\r\nHo');
    assert.match(response, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.ok(Date.now() - started >= 1500, 'after the 2 s idle limit');
  });

  it('only one program at a time; stopping it closes the listener and every connection; no fd is left', T, async () => {
    assert.equal(await errCode(c.client.call('run', { program: 'chat', sock: listener })), 'E_BUSY');
    // A connection left open (no request yet) when the program stops.
    const joined = () => c.events.filter((e) => e.event === 'program' && e.kind === 'joined').length;
    const before = joined();
    const { sock } = await ok(c.client.call('socket', { type: 'tcp', host: 'laptop', actor: 'browser' }));
    await ok(c.client.call('connect', { sock, address: '203.0.113.80', port: 80 }));
    await waitUntil(() => joined() > before, 3000, 'the server accepted it');
    await ok(c.client.call('stop', { program: 'http' }));
    await c.waitEvent((e) => e.event === 'program' && e.kind === 'stopped');
    const r = await ok(c.client.call('recv', { sock }));
    assert.ok('eof' in r, 'the server closed it');
    await ok(c.client.call('close', { sock }));
    await waitUntil(() => fdCount() <= baseline, 5000, () => `fds back to ${baseline} (now ${fdCount()})`);
  });

  /**
   * One session that makes a network and a listener on server:80, with the http program and an open
   * keep-alive connection to it or without, then ends abruptly. Resolves once its fds are released.
   */
  async function sessionThatEnds(withHttp: boolean, level: number | null): Promise<number> {
    const other = await connect(server);
    await ok(other.client.call('network', { action: 'create', topology: 'home' }));
    const { sock: web } = await ok(other.client.call('socket', { type: 'tcp', host: 'server' }));
    await ok(other.client.call('bind', { sock: web, address: '203.0.113.80', port: 80 }));
    await ok(other.client.call('listen', { sock: web }));
    if (withHttp) {
      await ok(other.client.call('run', { program: 'http', sock: web }));
      const { sock } = await ok(other.client.call('socket', { type: 'tcp', host: 'laptop' }));
      await ok(other.client.call('connect', { sock, address: '203.0.113.80', port: 80 }));
      await ok(other.client.call('send', { sock, data: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' }));
      const r = await ok(other.client.call('recv', { sock }));
      assert.ok('data' in r && r.data.startsWith('HTTP/1.1 200 OK'), 'a keep-alive exchange, the connection still open');
    }
    const during = fdCount();
    other.ws.terminate();
    if (level !== null) {
      assert.ok(during > level, 'the session held fds');
      await waitUntil(() => fdCount() <= level, 10_000, () => `fds back to ${level} (now ${fdCount()})`);
    }
    // Settled: the count stops moving.
    let last = -1;
    await waitUntil(async () => {
      const now = fdCount();
      const still = now === last;
      last = now;
      await new Promise((r) => setTimeout(r, 300));
      return still;
    }, 10_000, 'the fd count settles');
    return last;
  }

  it('ending the session mid-connection closes the server, its connections and the network: no fd is left', { timeout: 60_000 }, async () => {
    // The lab's own first-session costs (a worker's helper, ...) are paid by sessions without the program.
    await sessionThatEnds(false, null);
    const level = await sessionThatEnds(false, null);
    await sessionThatEnds(true, level);
  });
});
