/**
 * /quit on the lab's own chat server (server/chat/), with real sockets on loopback. A plain close()
 * while the client's bytes are still unread in the server's kernel sends a reset (RST) instead of a
 * FIN and throws away what was not sent yet (RFC 2525 §2.17): the client can lose "* bye" and sees
 * ECONNRESET. The server says "* bye", shuts down its write side, reads to the client's FIN, then
 * closes — as the downloadable programs do (tests/integration/chat-programs.test.ts).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import { connect, ok, startLab, waitUntil, within, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

const WAIT_MS = 5000;

/** Runs a Python client to completion; its stdout, bounded in time. */
function python(script: string, port: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', script, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 3 * WAIT_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe("the lab's chat server on /quit", () => {
  let server: RunningServer;
  let owner: Connected;
  let port: number;

  before(async () => {
    server = await startLab({});
    owner = await connect(server);
    const { sock } = await ok(owner.client.call('socket', { type: 'tcp', actor: 'chat server' }));
    ({ port } = await ok(owner.client.call('bind', { sock, address: '127.0.0.1', port: 0 })));
    await ok(owner.client.call('listen', { sock, backlog: 8 }));
    await ok(owner.client.call('run', { program: 'chat', sock, log: 'summary' }));
  });
  after(async () => {
    owner?.client.close();
    try {
      await waitUntil(() => server.hub.sessionCount === 0, WAIT_MS, 'every session to close');
    } finally {
      await within(10_000, server.close(), 'the lab server to close');
    }
  });

  it('a client with bytes the server has not read yet gets "* bye" and a clean EOF, not a reset', { skip: needs('python3') }, async () => {
    // Python, not a Node socket: Node may report a reset that follows data as a plain 'end'.
    const script = [
      'import errno, socket, sys',
      's = socket.create_connection(("127.0.0.1", int(sys.argv[1])))',
      '# One write: the command, then far more than one recv() of the server takes.',
      's.sendall(b"/quit\\n" + (b"x" * 99 + b"\\n") * 1000)',
      'got = b""',
      'try:',
      '    while data := s.recv(65536):',
      '        got += data',
      '    how = "EOF"',
      'except OSError as e:',
      '    how = errno.errorcode.get(e.errno, str(e))',
      'sys.stdout.write(got.decode() + how + "\\n")',
    ].join('\n');
    const c = await python(script, port);
    assert.equal(c.code, 0, c.err);
    assert.deepEqual(c.out.trimEnd().split('\n').slice(-2), ['* bye', 'EOF']);
  });

  it('a client that never closes its side after /quit is closed anyway', async () => {
    // allowHalfOpen: this client keeps its side open after the server's FIN.
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    try {
      let text = '';
      let error = '';
      socket.on('error', (e: NodeJS.ErrnoException) => (error ||= e.code ?? e.message));
      const ended = new Promise((resolve) => socket.once('end', resolve));
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.setEncoding('utf8').on('data', (d: string) => (text += d));
      await waitUntil(() => text.includes('* welcome'), WAIT_MS, 'the welcome line');
      socket.write('/quit\n');
      await waitUntil(() => text.includes('* bye\n'), WAIT_MS, '"* bye"');
      await within(WAIT_MS, ended, 'a FIN from the server');
      // While the server waits for our FIN it reads and discards these; once it has closed, its kernel resets.
      const poke = setInterval(() => socket.write('still here\n'), 200);
      try {
        await within(3 * WAIT_MS, closed, 'the server to close the socket');
      } finally {
        clearInterval(poke);
      }
      assert.match(error, /^(ECONNRESET|EPIPE)$/, 'the closed socket refused more bytes');
    } finally {
      socket.destroy();
    }
  });
});
