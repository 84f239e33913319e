/**
 * The capstone chat server running on the lab engine: lab clients (browsers), an `nc` process and a
 * Python stdlib client chat in every direction; bad peers get bounded answers; nothing leaks.
 *
 * Each test's peers are closed after it whether it passed or not (a failed test must not leave
 * clients that fail the tests after it), the teardown is bounded, and failure messages show at most
 * a few clipped lines of what a peer received.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import { clip, connect, fdCount, ok, startLab, waitUntil, within, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

/** A line-reading peer: a raw socket from this process, or a child process's stdout. */
class Lines {
  readonly lines: string[] = [];
  private partial = '';
  feed(chunk: Buffer | string) {
    this.partial += chunk.toString();
    const parts = this.partial.split('\n');
    this.partial = parts.pop()!;
    this.lines.push(...parts);
  }
  async waitFor(pattern: RegExp | string, timeoutMs = 5000): Promise<string> {
    const match = (l: string) => (typeof pattern === 'string' ? l === pattern : pattern.test(l));
    await waitUntil(() => this.lines.some(match), timeoutMs, () => `a line matching ${clip(String(pattern), 120)} (${this.summary()})`);
    return this.lines.find(match)!;
  }
  has(pattern: RegExp): boolean {
    return this.lines.some((l) => pattern.test(l));
  }
  /** The last few lines, each clipped: enough to see what went wrong, never megabytes. */
  summary(): string {
    const last = this.lines.slice(-5).map((l) => clip(l, 100));
    return `${this.lines.length} lines so far; the last ${last.length}: ${JSON.stringify(last)}`;
  }
}

/** What the running test opened; closed after each test, whatever its outcome. */
const opened = new Set<() => void>();
function track(close: () => void): void {
  opened.add(close);
}
function closeOpened(): void {
  for (const close of opened) {
    try {
      close();
    } catch {
      // already closed
    }
  }
  opened.clear();
}

function tcpPeer(port: number): Promise<{ sock: net.Socket; lines: Lines }> {
  return new Promise((resolve, reject) => {
    const lines = new Lines();
    const sock = net.connect(port, '127.0.0.1', () => resolve({ sock, lines }));
    track(() => sock.destroy());
    sock.on('data', (d) => lines.feed(d));
    sock.on('error', reject);
  });
}

/** A browser participant: a lab TCP client socket in its own lab session, with a recv loop. */
async function labPeer(server: RunningServer, port: number) {
  const c = await connect(server);
  let open = true;
  const close = () => {
    open = false;
    c.client.close();
  };
  track(close);
  const { sock } = await ok(c.client.call('socket', { type: 'tcp', actor: 'you' }));
  await ok(c.client.call('connect', { sock, address: '127.0.0.1', port }));
  const lines = new Lines();
  void (async () => {
    while (open) {
      const r = await c.client.call('recv', { sock, max: 4096 });
      if (!r.ok || 'eof' in r.result) break;
      lines.feed(r.result.data);
    }
  })();
  return {
    c,
    lines,
    say: (text: string) => ok(c.client.call('send', { sock, data: `${text}\n` })),
    close,
  };
}

function procPeer(cmd: string, args: string[]): { proc: ChildProcess; lines: Lines; say: (t: string) => void } {
  const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  track(() => proc.kill('SIGKILL'));
  const lines = new Lines();
  // A program that cannot start fails the test through the wait for its first line, not as a crash.
  proc.on('error', (e) => lines.feed(`(${cmd} could not start: ${e.message})\n`));
  proc.stdin!.on('error', () => {}); // EPIPE once it has exited
  proc.stdout!.on('data', (d) => lines.feed(d));
  return { proc, lines, say: (t) => proc.stdin!.write(`${t}\n`) };
}

const PY_CLIENT = `
import socket, sys, threading
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
def pump():
    while True:
        data = s.recv(4096)
        if not data:
            break
        sys.stdout.write(data.decode("utf-8", "replace")); sys.stdout.flush()
threading.Thread(target=pump, daemon=True).start()
for line in sys.stdin:
    s.sendall(line.encode())
threading.Event().wait(0.5)
`;

describe('the chat server on the lab engine', () => {
  let server: RunningServer;
  let owner: Connected;
  let port: number;
  let baseline: number;

  before(async () => {
    server = await startLab({});
    baseline = fdCount();
    owner = await connect(server);
    const { sock } = await ok(owner.client.call('socket', { type: 'tcp', actor: 'chat server' }));
    ({ port } = await ok(owner.client.call('bind', { sock, address: '127.0.0.1', port: 0 })));
    await ok(owner.client.call('listen', { sock, backlog: 16 }));
    const run = await ok(owner.client.call('run', { program: 'chat', sock, idleSeconds: 3 }));
    assert.deepEqual(run, { program: 'chat', address: '127.0.0.1', port });
  });
  afterEach(closeOpened);
  after(async () => {
    owner?.client.close();
    try {
      await waitUntil(() => server.hub.sessionCount === 0, 5000, `every session to close (${server.hub.sessionCount} still open)`);
    } finally {
      await within(10_000, server.close(), 'the lab server to close');
    }
  });

  it('lets two lab clients, nc and a Python client chat in every direction, with the server\'s steps visible', { skip: needs('nc', 'python3') }, async () => {
    const a = await labPeer(server, port);
    await a.lines.waitFor(/^\* welcome, guest\d+\./);
    const b = await labPeer(server, port);
    await b.lines.waitFor(/^\* welcome/);
    const nc = procPeer('nc', ['127.0.0.1', String(port)]);
    await nc.lines.waitFor(/^\* welcome/);
    const py = procPeer('python3', ['-c', PY_CLIENT, String(port)]);
    await py.lines.waitFor(/^\* welcome/);
    {
      await a.say('/nick alice');
      await b.say('/nick bob');
      nc.say('/nick nico');
      py.say('/nick pyra');
      await py.lines.waitFor('* guest3 is now nico');
      await a.lines.waitFor('* guest4 is now pyra');

      await a.say('hello from alice');
      await b.say('hi from bob');
      nc.say('nc here');
      py.say('python here');
      for (const [who, peer] of [['alice', a], ['bob', b], ['nico', nc], ['pyra', py]] as const) {
        for (const [from, text] of [['alice', 'hello from alice'], ['bob', 'hi from bob'], ['nico', 'nc here'], ['pyra', 'python here']]) {
          if (from === who) assert.equal(peer.lines.has(new RegExp(`^<${from}> `)), false, `${who} does not get its own line back`);
          else await peer.lines.waitFor(`<${from}> ${text}`);
        }
      }
      nc.say('/who');
      await nc.lines.waitFor('* online: alice, bob, nico, pyra');

      // The server's own calls are steps in the owner's session: accepts, recvs and sends with byte counts.
      const steps = owner.steps().filter((s) => s.actor === 'chat server' && s.status !== 'blocked');
      assert.ok(steps.filter((s) => s.op === 'accept' && s.status === 'ok').length >= 4);
      assert.ok(steps.some((s) => s.op === 'recv' && s.status === 'ok' && (s.result as { data: string }).data.includes('hello from alice')), 'the server\'s recv of alice\'s line is a step');
      assert.ok(steps.some((s) => s.op === 'send' && s.status === 'ok' && (s.result as { bytes: number }).bytes === Buffer.byteLength('<alice> hello from alice\n')), 'the server\'s send of alice\'s line is a step');
      assert.ok(owner.events.some((e) => e.event === 'program' && e.kind === 'joined'), 'a join is a program event');

      const rows = (await ok(owner.client.call('kernel', {}))).rows;
      assert.ok(rows.filter((r) => r.relation === 'own' && r.state === 'ESTABLISHED').length >= 4, 'one ESTABLISHED row per client');

      py.say('/quit');
      await py.lines.waitFor('* bye');
      await a.lines.waitFor('* pyra left');
    }
  });

  it('answers bad peers with bounded responses and keeps serving the others', async () => {
    const good = await tcpPeer(port);
    await good.lines.waitFor(/^\* welcome, (guest\d+)/);
    const goodNick = /guest\d+/.exec(good.lines.lines[0])![0];
    // The well-behaved client keeps talking, so the idle rule (3 s here) never applies to it.
    const keepAlive = setInterval(() => good.sock.write('/who\n'), 700);
    track(() => clearInterval(keepAlive));

    const long = await tcpPeer(port);
    await long.lines.waitFor(/^\* welcome/);
    long.sock.write(`${'x'.repeat(5000)}\nstill here\n`);
    await long.lines.waitFor('! line too long (max 4096 bytes)');
    await good.lines.waitFor(/^<guest\d+> still here$/);

    const garbage = await tcpPeer(port);
    await garbage.lines.waitFor(/^\* welcome/);
    garbage.sock.write(Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0a]));
    await garbage.lines.waitFor('! not UTF-8 text, line dropped');

    const flood = await tcpPeer(port);
    const floodNick = /guest\d+/.exec(await flood.lines.waitFor(/^\* welcome/))![0];
    flood.sock.write(Array.from({ length: 200 }, (_, i) => `spam ${i}\n`).join(''));
    await good.lines.waitFor(`* ${floodNick} left (flooding)`);

    // Connects and says nothing: dropped after the idle time (3 s in this test).
    const silent = await tcpPeer(port);
    const silentNick = /guest\d+/.exec(await silent.lines.waitFor(/^\* welcome/))![0];
    await good.lines.waitFor(`* ${silentNick} left (idle)`, 10_000);

    // Vanishes with a reset instead of a FIN.
    const rude = await tcpPeer(port);
    const rudeNick = /guest\d+/.exec(await rude.lines.waitFor(/^\* welcome/))![0];
    rude.sock.resetAndDestroy();
    await good.lines.waitFor(new RegExp(`^\\* ${rudeNick} left`));

    clearInterval(keepAlive);
    const who = await good.lines.waitFor(/^\* online: /);
    assert.ok(who.includes(goodNick), clip(who));
  });

  it('drops a client that stops reading once its output backs up, without stalling the others', { timeout: 30_000 }, async () => {
    // Its own server, with no flood limit, so one talker can fill the kernel's buffers quickly.
    const c = await connect(server);
    track(() => c.client.close());
    const { sock } = await ok(c.client.call('socket', { type: 'tcp', actor: 'chat server' }));
    const b = await ok(c.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
    await ok(c.client.call('listen', { sock }));
    await ok(c.client.call('run', { program: 'chat', sock, log: 'summary', floodLines: 1_000_000 }));
    const good = await tcpPeer(b.port);
    await good.lines.waitFor(/^\* welcome/);
    const slow = await tcpPeer(b.port);
    const slowNick = /guest\d+/.exec(await slow.lines.waitFor(/^\* welcome/))![0];
    slow.sock.pause(); // stops reading: the kernel buffers fill, then the server's own queue
    const talker = await tcpPeer(b.port);
    await talker.lines.waitFor(/^\* welcome/);
    const line = `${'y'.repeat(4000)}\n`;
    for (let i = 0; i < 4000 && !good.lines.has(new RegExp(`^\\* ${slowNick} left \\(too slow\\)$`)); i++) {
      if (!talker.sock.write(line)) await new Promise((r) => talker.sock.once('drain', r));
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20));
    }
    await good.lines.waitFor(`* ${slowNick} left (too slow)`, 10_000);
    talker.sock.write('after the slow one\n');
    await good.lines.waitFor(/^<guest\d+> after the slow one$/);
  });

  it('a client killed with -9 is announced and leaves no fd behind', { skip: needs('nc') }, async () => {
    const watcher = await tcpPeer(port);
    await watcher.lines.waitFor(/^\* welcome/);
    const before = fdCount();
    const victim = procPeer('nc', ['127.0.0.1', String(port)]);
    const nick = /guest\d+/.exec(await victim.lines.waitFor(/^\* welcome/))![0];
    assert.ok(fdCount() > before, 'the accepted socket is open');
    victim.proc.kill('SIGKILL');
    await watcher.lines.waitFor(`* ${nick} left`);
    await waitUntil(() => fdCount() <= before, 5000, 'the server closed the dead client\'s socket');
  });

  it('closes every socket when the owner\'s session ends', async () => {
    const c = await connect(server);
    track(() => c.ws.terminate());
    const { sock } = await ok(c.client.call('socket', { type: 'tcp' }));
    const b = await ok(c.client.call('bind', { sock, address: '127.0.0.1', port: 0 }));
    await ok(c.client.call('listen', { sock }));
    await ok(c.client.call('run', { program: 'chat', sock }));
    const p = await tcpPeer(b.port);
    await p.lines.waitFor(/^\* welcome/);
    const closed = new Promise((r) => p.sock.once('close', r));
    c.ws.terminate();
    await closed;
    await waitUntil(() => fdCount() <= baseline + 4, 5000, 'fds released');
  });
});
