/**
 * The capstone's downloadable chat programs (public/programs/chat/), run as real processes on loopback:
 * each of the three servers (Python, Node, C) with a mix of the three clients and nc, plus raw sockets
 * from this process where the test needs exact control (a client that stops reading, a reset).
 *
 * Run: node --import tsx --test tests/integration/chat-programs.test.ts
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { have, needs, type ToolName } from '../helpers/tools.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIR = path.join(ROOT, 'public/programs/chat');
const WAIT_MS = 5_000;

/**
 * How much a flood may take before a client that stopped reading must be dropped: the kernel first buffers up to
 * its send-buffer maximum for that client (Linux: tcp_wmem's third number, 4 MiB by default), plus the receiver's
 * window, plus the server's own 64 KiB. About 3-4 MB are needed here; the bound leaves room for bigger settings.
 */
function floodBound(): number {
  try {
    const wmemMax = Number(readFileSync('/proc/sys/net/ipv4/tcp_wmem', 'utf8').trim().split(/\s+/)[2]);
    if (wmemMax > 0) return Math.max(16_000_000, 2 * wmemMax + 4_000_000);
  } catch {
    // not Linux: use the default below
  }
  return 16_000_000;
}

type ServerKind = 'python' | 'node' | 'c';
type ClientKind = ServerKind | 'nc';

let bin = ''; // temp dir with the compiled C programs
let ccWarnings = '';

/** Lines received so far, and a way to wait for one. */
class Lines {
  readonly all: string[] = [];
  private partial = '';
  private waiters = new Set<() => void>();

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    this.all.push(...parts);
    for (const w of this.waiters) w();
  }

  /**
   * Resolves with the first line (received before or after the call) equal to or matching `want`, once `times`
   * such lines have arrived.
   */
  waitFor(want: string | RegExp, what: string, ms = WAIT_MS, times = 1): Promise<string> {
    const matches = () => this.all.filter((l) => (typeof want === 'string' ? l === want : want.test(l)));
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = matches();
        const hit = found[0];
        if (hit === undefined || found.length < times) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const tail = this.all.slice(-8).map((l) => (l.length > 100 ? `${l.slice(0, 100)}...` : l));
        reject(new Error(`${what} did not receive ${String(want)}${times > 1 ? ` ${times} times` : ''} within ${ms} ms; last lines: ${JSON.stringify(tail)}`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }
}

const processes = new Set<ChildProcess>();
const sockets = new Set<Socket>();

function killAll(): void {
  for (const p of processes) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  processes.clear();
  for (const s of sockets) s.destroy();
  sockets.clear();
}

interface Proc {
  child: ChildProcess;
  out: Lines;
  stderr: () => string;
  send: (data: string | Buffer) => void;
  exited: () => Promise<number | null>;
}

function run(name: string, cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  processes.add(child);
  const out = new Lines();
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => out.push(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdin!.on('error', () => {}); // EPIPE if the process is already gone
  child.on('error', (e) => (err += `${name} could not start: ${e.message}\n`)); // e.g. ENOENT: said by the test's wait, not a crash
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    out,
    stderr: () => err,
    send: (data) => child.stdin!.write(data),
    exited: () =>
      Promise.race([
        exit,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${name} did not exit; stderr: ${err}`)), WAIT_MS).unref()),
      ]),
  };
}

const tsx = (file: string) => [process.execPath, ['--import', 'tsx', path.join(DIR, file)]] as const;

async function startServer(kind: ServerKind): Promise<{ proc: Proc; port: number }> {
  const [cmd, pre] =
    kind === 'python' ? ['python3', [path.join(DIR, 'server.py')]] : kind === 'node' ? tsx('server.ts') : [path.join(bin, 'server'), []];
  const proc = run(`${kind} server`, cmd, [...pre, '0']);
  const line = await proc.out.waitFor(/^listening on /, `${kind} server`, 15_000);
  const m = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
  assert.ok(m, `unexpected first line: ${line}`);
  return { proc, port: Number(m[1]) };
}

function startClient(kind: ClientKind, port: number, extra: string[] = []): Proc {
  const target = ['127.0.0.1', String(port)];
  if (kind === 'python') return run('python client', 'python3', [path.join(DIR, 'client.py'), ...target]);
  if (kind === 'node') {
    const [cmd, pre] = tsx('client.ts');
    return run('node client', cmd, [...pre, ...target]);
  }
  if (kind === 'c') return run('C client', path.join(bin, 'client'), target);
  return run('nc', 'nc', [...extra, ...target]);
}

/** A raw TCP client inside this test process: exact control over reading, writing and resets. */
async function rawClient(port: number): Promise<{ socket: Socket; in: Lines }> {
  const socket = connect(port, '127.0.0.1');
  sockets.add(socket);
  socket.on('error', () => {});
  const lines = new Lines();
  socket.setEncoding('utf8').on('data', (d: string) => lines.push(d));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, in: lines };
}

const welcome = (nick: string) => `* welcome, ${nick}. Commands: /nick NAME, /who, /quit`;

/** The outside tool each kind of program needs: the C ones are compiled here with cc. */
const TOOL_OF: Record<ClientKind, ToolName | null> = { python: 'python3', c: 'cc', nc: 'nc', node: null };

function skipReason(...kinds: ClientKind[]): string | false {
  return needs(...kinds.flatMap((k) => TOOL_OF[k] ?? []));
}

before(() => {
  if (!have('cc')) return;
  bin = mkdtempSync(path.join(os.tmpdir(), 'chat-programs-'));
  for (const name of ['server', 'client']) {
    const r = spawnSync('cc', ['-Wall', '-Wextra', '-O2', '-o', path.join(bin, name), path.join(DIR, `${name}.c`)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cc ${name}.c failed:\n${r.stderr}`);
    ccWarnings += r.stderr;
  }
});

after(() => {
  killAll();
  if (bin) rmSync(bin, { recursive: true, force: true });
});

it('the C programs compile with cc -Wall -Wextra without a warning', { skip: needs('cc') }, () => {
  assert.equal(ccWarnings, '');
});

/** Per server: two pairs of clients, so every client meets every server and plays both roles. */
const SERVERS: { kind: ServerKind; pairs: [ClientKind, ClientKind][]; badInput: ClientKind; killed: ClientKind }[] = [
  { kind: 'python', pairs: [['python', 'nc'], ['node', 'c']], badInput: 'c', killed: 'python' },
  { kind: 'node', pairs: [['node', 'python'], ['c', 'nc']], badInput: 'python', killed: 'c' },
  { kind: 'c', pairs: [['c', 'node'], ['nc', 'python']], badInput: 'node', killed: 'node' },
];

for (const { kind, pairs, badInput, killed } of SERVERS) {
  describe(`the ${kind} chat server`, { skip: skipReason(kind), timeout: 60_000 }, () => {
    let server: { proc: Proc; port: number };
    beforeEach(async () => {
      server = await startServer(kind);
    });
    afterEach(killAll);

    for (const [ka, kb] of pairs) {
      it(`${ka} client and ${kb} client: join, /nick, chat both ways, /who, unknown command, /quit, EOF`, { skip: skipReason(ka, kb) }, async () => {
        const a = startClient(ka, server.port, ['-N']); // nc -N: FIN when its stdin ends, like our clients
        await a.out.waitFor(welcome('guest1'), `${ka} (A)`);
        const b = startClient(kb, server.port, ['-N']);
        await b.out.waitFor(welcome('guest2'), `${kb} (B)`);
        await a.out.waitFor('* guest2 joined', 'A');

        a.send('/nick alice\n');
        await a.out.waitFor('* guest1 is now alice', 'A');
        await b.out.waitFor('* guest1 is now alice', 'B');
        b.send('/nick alice\n');
        await b.out.waitFor('! nickname alice is taken', 'B');
        b.send('/nick no spaces\n/nick bob\n');
        await b.out.waitFor('! bad nickname', 'B');
        await b.out.waitFor('* guest2 is now bob', 'B');
        await a.out.waitFor('* guest2 is now bob', 'A');

        a.send('hello bob\n\n');
        await b.out.waitFor('<alice> hello bob', 'B');
        b.send('hi alice, grüße, 世界\r\n');
        await a.out.waitFor('<bob> hi alice, grüße, 世界', 'A');

        a.send('/who\n/dance now\n');
        await a.out.waitFor('* online: alice, bob', 'A');
        await a.out.waitFor('! unknown command /dance', 'A');

        b.send('/quit\n');
        await b.out.waitFor('* bye', 'B');
        await a.out.waitFor('* bob left', 'A');
        if (kb !== 'nc') assert.equal(await b.exited(), 0, 'B exits when the server closes'); // nc waits for its stdin

        a.child.stdin!.end(); // EOF on stdin: the client sends FIN, the server closes, the client exits
        assert.equal(await a.exited(), 0, 'A exits after EOF on stdin');

        assert.ok(!a.out.all.some((l) => l.startsWith('<alice>')), 'no echo of your own messages');
        assert.ok(!b.out.all.some((l) => l.startsWith('<bob>')), 'no echo of your own messages');
        assert.ok(!b.out.all.includes('<alice> '), 'an empty line is not broadcast');
        assert.ok(!a.out.all.some((l) => l.includes('\r')), 'the \\r before \\n is removed');
      });
    }

    it(`over-long lines and invalid UTF-8 (sent with nc) get an error; the ${badInput} client sees only good lines`, { skip: skipReason('nc', badInput) }, async () => {
      const sender = startClient('nc', server.port);
      await sender.out.waitFor(welcome('guest1'), 'nc');
      const receiver = startClient(badInput, server.port);
      await receiver.out.waitFor(welcome('guest2'), badInput);

      sender.send(`${'x'.repeat(5000)}\n`);
      await sender.out.waitFor('! line too long (max 4096 bytes)', 'nc');
      sender.send('still here\n');
      await receiver.out.waitFor('<guest1> still here', badInput);

      // 3 x 3000 bytes in separate writes, then the newline: the cap holds across recv() calls.
      for (let i = 0; i < 3; i++) {
        sender.send('z'.repeat(3000));
        await new Promise((r) => setTimeout(r, 50));
      }
      sender.send('\nafter the long one\n');
      await receiver.out.waitFor('<guest1> after the long one', badInput);
      await sender.out.waitFor('! line too long (max 4096 bytes)', 'nc', WAIT_MS, 2);

      sender.send(`${'y'.repeat(4096)}\n`); // exactly at the limit: accepted
      await receiver.out.waitFor(`<guest1> ${'y'.repeat(4096)}`, badInput);

      sender.send(Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x0a])); // "hi" + bytes that are never UTF-8
      await sender.out.waitFor('! not UTF-8 text, line dropped', 'nc');
      sender.send(Buffer.from([0xed, 0xa0, 0x80, 0x0a])); // an encoded surrogate: invalid too
      sender.send('ok after garbage\r\n');
      await receiver.out.waitFor('<guest1> ok after garbage', badInput);
      await sender.out.waitFor('! not UTF-8 text, line dropped', 'nc', WAIT_MS, 2);
      sender.send('/who\n'); // its reply comes after every earlier reply to this client
      await sender.out.waitFor(/^\* online: /, 'nc');
      const count = (line: string) => sender.out.all.filter((l) => l === line).length;
      assert.equal(count('! line too long (max 4096 bytes)'), 2, 'one error per long line');
      assert.equal(count('! not UTF-8 text, line dropped'), 2, 'one error per bad line');
      assert.ok(!receiver.out.all.some((l) => l.includes('xxxxxxxxxx') || l.includes('zzzzzzzzzz') || l.includes('\ufffd')));
    });

    it('drops a client that stops reading "(too slow)" while the others keep chatting', async (t) => {
      const slow = await rawClient(server.port);
      await slow.in.waitFor(welcome('guest1'), 'slow client');
      slow.socket.pause(); // stop reading: the kernel buffers fill, then the server's own buffer
      const observer = await rawClient(server.port);
      await observer.in.waitFor(welcome('guest2'), 'observer');
      const flooder = await rawClient(server.port);
      await flooder.in.waitFor(welcome('guest3'), 'flooder');

      // Flood in steps the observer keeps up with, so only the slow client falls behind.
      const bound = floodBound();
      const TOO_SLOW = '* guest1 left (too slow)';
      let received = 0;
      observer.socket.on('data', (d: string) => (received += d.split('\n').length - 1));
      const batch = `${'f'.repeat(999)}\n`.repeat(64);
      let sent = 0;
      while (sent < bound && !observer.in.all.includes(TOO_SLOW)) {
        const target = received + 64;
        flooder.socket.write(batch);
        sent += batch.length;
        await new Promise<void>((resolve) => {
          const check = () => {
            if (received < target && !observer.in.all.includes(TOO_SLOW)) return;
            observer.socket.off('data', check);
            resolve();
          };
          observer.socket.on('data', check);
        });
      }
      assert.ok(sent < bound, `no "(too slow)" after ${sent} bytes`);
      t.diagnostic(`the slow client was dropped after ${(sent / 1e6).toFixed(1)} MB of flood`);

      observer.socket.write('still chatting\n');
      await flooder.in.waitFor('<guest2> still chatting', 'flooder');
      flooder.socket.write('/who\n');
      await flooder.in.waitFor('* online: guest2, guest3', 'flooder');

      // The server closed the slow client's socket: once it reads again it reaches EOF.
      const closed = new Promise((resolve) => slow.socket.once('close', resolve));
      slow.socket.resume();
      await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('slow client not closed')), WAIT_MS))]);
    });

    it(`announces a ${killed} client killed with SIGKILL and a client that sends a reset`, { skip: skipReason(killed) }, async () => {
      const observer = await rawClient(server.port);
      await observer.in.waitFor(welcome('guest1'), 'observer');
      const victim = startClient(killed, server.port);
      await victim.out.waitFor(welcome('guest2'), killed);
      victim.child.kill('SIGKILL'); // no goodbye: the kernel closes its socket
      await observer.in.waitFor('* guest2 left', 'observer');

      const rude = await rawClient(server.port);
      await rude.in.waitFor(welcome('guest3'), 'raw client');
      rude.socket.resetAndDestroy(); // RST instead of FIN: the server's recv() fails with ECONNRESET
      await observer.in.waitFor('* guest3 left', 'observer');

      observer.socket.write('/who\n');
      await observer.in.waitFor('* online: guest1', 'observer');
    });

    /**
     * /quit with bytes from the client still unread in the server's kernel: a plain close() then sends a reset
     * (RST) instead of FIN and throws away whatever it had not sent yet (RFC 2525 §2.17), so the client can lose
     * "* bye" and sees ECONNRESET instead of EOF. The servers half-close, read to the client's FIN, then close.
     */
    describe('/quit closes politely', () => {
      const within = (p: Promise<unknown>, ms: number, what: string) =>
        Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(what)), ms).unref())]);

      it('a client with bytes the server has not read yet gets "* bye" and a clean EOF, not a reset', async () => {
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
        const c = run('python quitter', 'python3', ['-c', script, String(server.port)]);
        assert.equal(await c.exited(), 0, c.stderr());
        assert.deepEqual(c.out.all.slice(-2), ['* bye', 'EOF']);
      });

      it('a client that never closes its side after /quit is closed anyway', async () => {
        // allowHalfOpen: this client keeps its side open after the server's FIN.
        const socket = connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
        sockets.add(socket);
        const lines = new Lines();
        let error = '';
        socket.on('error', (e: NodeJS.ErrnoException) => (error ||= e.code ?? e.message));
        const ended = new Promise((resolve) => socket.once('end', resolve));
        const closed = new Promise((resolve) => socket.once('close', resolve));
        socket.setEncoding('utf8').on('data', (d: string) => lines.push(d));
        await lines.waitFor(welcome('guest1'), 'quitting client');
        socket.write('/quit\n');
        await lines.waitFor('* bye', 'quitting client');
        await within(ended, WAIT_MS, 'no FIN from the server');
        // While the server waits for our FIN it reads and discards these; once it has closed, its kernel resets.
        const poke = setInterval(() => socket.write('still here\n'), 200);
        try {
          await within(closed, 3 * WAIT_MS, 'the server never closed the socket');
        } finally {
          clearInterval(poke);
        }
        assert.match(error, /^(ECONNRESET|EPIPE)$/, 'the closed socket refused more bytes');
      });
    });

    it('exits with status 0 on SIGINT (Ctrl-C) and closes its clients', async () => {
      const c = await rawClient(server.port);
      await c.in.waitFor(welcome('guest1'), 'client');
      const ended = new Promise((resolve) => c.socket.once('end', resolve));
      server.proc.child.kill('SIGINT');
      assert.equal(await server.proc.exited(), 0, `stderr: ${server.proc.stderr()}`);
      await ended;
    });
  });
}
