/**
 * The code view's programs are real: run a session on the real lab, generate the programs from its
 * steps, then run them against each other and check they exchange the same bytes the lab did.
 * - TCP: the tcp-hello scenario (Python server with a C client, C server with a Python client, Node
 *   server with a Python client).
 * - UDP: a receiver that binds port 0 (the lab picks the port), recvfrom()s a datagram and answers
 *   with sendto(); a sender that binds, sendto()s and recvfrom()s the answer. Every pairing of C,
 *   Python and Node runs, so each generator's bind must use the port the lab picked, not the 0 it
 *   was asked for.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../server/app.ts';
import type { Step } from '../../server/protocol/index.ts';
import { parseProcNet } from '../../server/kernel/procnet.ts';
import { ScenarioRunner } from '../../app/_lib/lab/scenario-runner.ts';
import { SCENARIOS } from '../../content/scenarios/index.ts';
import { generatePrograms, type Language } from '../../app/_lib/lab/codegen/index.ts';
import { clip, connect, ok, startLab, waitUntil } from '../helpers/lab.ts';
import { needs, type ToolName } from '../helpers/tools.ts';

/** The outside tools a language's program needs to build and run (Node is this very process). */
const TOOLS: Record<Language, ToolName[]> = { c: ['cc'], python: ['python3'], node: [] };
const needsFor = (...langs: Language[]) => needs(...new Set(langs.flatMap((l) => TOOLS[l])));

function bound(proto: 'tcp' | 'udp', port: number): boolean {
  const rows = [...parseProcNet(readFileSync(`/proc/net/${proto}`, 'utf8'), proto)];
  return rows.some((r) => r.local.port === port && (proto === 'udp' || r.state === 'LISTEN'));
}

describe('programs generated from a lab session run for real', () => {
  let server: RunningServer;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'socketlab-codegen-'));
    server = await startLab({});
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A fresh lab session of tcp-hello for each pair of programs: whichever program closes first keeps
   * the port in TIME_WAIT for a minute, and the generated server (like the lab) sets no SO_REUSEADDR.
   */
  async function tcpSession(): Promise<{ steps: Step[]; port: number }> {
    const c = await connect(server);
    try {
      const runner = new ScenarioRunner(SCENARIOS['tcp-hello'], c.client, { siteAddress: '127.0.0.1', sitePort: server.port, host: `127.0.0.1:${server.port}` });
      while (!runner.done) {
        const out = await runner.next();
        assert.equal(out?.actual, out?.step.expect, `${out?.step.op}`);
      }
      const steps = c.steps();
      return { steps, port: (steps.find((s) => s.op === 'bind' && s.status === 'ok')!.result as { port: number }).port };
    } finally {
      c.client.close();
    }
  }

  /** A datagram and its answer, call by call on the lab: both sides bind port 0 and get a lab port. */
  async function udpSession(): Promise<{ steps: Step[]; port: number; polled: boolean }> {
    const c = await connect(server);
    try {
      const { sock: rx } = await ok(c.client.call('socket', { type: 'udp', actor: 'server' }));
      const { port } = await ok(c.client.call('bind', { sock: rx, address: '127.0.0.1', port: 0 }));
      const { sock: tx } = await ok(c.client.call('socket', { type: 'udp', actor: 'client' }));
      const back = await ok(c.client.call('bind', { sock: tx, address: '127.0.0.1', port: 0 }));
      // getsockname() in every language: the programs must compile and run it too.
      assert.deepEqual(await ok(c.client.call('getsockname', { sock: rx })), { address: '127.0.0.1', port });
      assert.deepEqual(await ok(c.client.call('getsockname', { sock: tx })), back);
      // setsockopt()/getsockopt() too, in each form the programs write (an int, a timeval, a linger);
      // only the native engine makes them (the fallback refuses: E_UNSUPPORTED).
      if (c.hello.engine === 'native') {
        await ok(c.client.call('setsockopt', { sock: rx, option: 'SO_RCVBUF', value: 65536 }));
        await ok(c.client.call('getsockopt', { sock: rx, option: 'SO_RCVBUF' }));
        await ok(c.client.call('setsockopt', { sock: tx, option: 'SO_RCVTIMEO', value: 5000 }));
        await ok(c.client.call('getsockopt', { sock: tx, option: 'SO_RCVTIMEO' }));
        await ok(c.client.call('setsockopt', { sock: tx, option: 'SO_LINGER', value: { onoff: false, linger: 0 } }));
        await ok(c.client.call('getsockopt', { sock: tx, option: 'SO_LINGER' }));
      }
      // poll() in every language (Node's program says its event loop does it): the sender's socket
      // is ready to write at once; the receiver's waits for the datagram.
      const polled = c.hello.engine === 'native';
      if (polled) {
        const out = await ok(c.client.call('poll', { socks: [{ sock: tx, events: ['out'] }], timeout: 5000 }));
        assert.deepEqual(out, { ready: 1, socks: [{ sock: tx, revents: ['out'] }] });
      }
      await ok(c.client.call('sendto', { sock: tx, data: 'ping\n', address: '127.0.0.1', port }));
      if (polled) {
        const r = await ok(c.client.call('poll', { socks: [{ sock: rx, events: ['in'] }], timeout: 5000 }));
        assert.deepEqual(r, { ready: 1, socks: [{ sock: rx, revents: ['in'] }] });
      }
      const got = await ok(c.client.call('recvfrom', { sock: rx, max: 100 }));
      assert.equal(got.data, 'ping\n');
      assert.equal(got.from.port, back.port);
      await ok(c.client.call('sendto', { sock: rx, data: 'pong\n', address: '127.0.0.1', port: back.port }));
      assert.equal((await ok(c.client.call('recvfrom', { sock: tx, max: 100 }))).data, 'pong\n');
      await ok(c.client.call('close', { sock: rx }));
      await ok(c.client.call('close', { sock: tx }));
      const steps = c.steps();
      // The lab was asked for port 0 and picked one: the programs must use the picked ones.
      assert.ok(steps.filter((s) => s.op === 'bind').every((s) => (s.args as { port: number }).port === 0));
      return { steps, port, polled };
    } finally {
      c.client.close();
    }
  }

  function write(steps: Step[], language: Language, tag: string): Record<string, string> {
    const files: Record<string, string> = {};
    for (const p of generatePrograms(steps, language)) {
      const file = path.join(dir, `${tag}-${language}-${p.fileName}`);
      writeFileSync(file, p.source);
      files[p.actor] = file;
    }
    assert.deepEqual(Object.keys(files).sort(), ['client', 'server']);
    return files;
  }

  function command(language: Language, file: string): [string, string[]] {
    if (language === 'python') return ['python3', [file]];
    if (language === 'node') return [process.execPath, ['--import', 'tsx', file]];
    const exe = file.replace(/\.c$/, '');
    execFileSync('cc', ['-Wall', '-Wextra', '-Werror', '-o', exe, file]);
    return [exe, []];
  }

  async function pair(proto: 'tcp' | 'udp', serverLang: Language, clientLang: Language) {
    const session = proto === 'tcp' ? await tcpSession() : await udpSession();
    const { steps, port } = session;
    const polled = 'polled' in session && session.polled;
    const tag = `${proto}-${serverLang}-${clientLang}`;
    const [sCmd, sArgs] = command(serverLang, write(steps, serverLang, tag).server);
    const [cCmd, cArgs] = command(clientLang, write(steps, clientLang, tag).client);
    const srv = spawn(sCmd, sArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let serverOut = '';
    srv.stdout.on('data', (d) => (serverOut += d));
    srv.stderr.on('data', (d) => (serverOut += d));
    srv.on('error', (e) => (serverOut += `could not start: ${e.message}`));
    try {
      await waitUntil(() => bound(proto, port), 10_000, () => `the ${serverLang} server to ${proto === 'tcp' ? 'listen' : 'bind'} on ${port} (its output: ${clip(serverOut)})`);
      const cli = spawnSync(cCmd, cArgs, { encoding: 'utf8', timeout: 15_000 });
      assert.equal(cli.status, 0, `the ${clientLang} client: ${clip(`${cli.stdout}${cli.stderr}${cli.error ?? ''}`, 600)}`);
      const serverDone = await new Promise<number | null>((resolve) => (srv.exitCode !== null ? resolve(srv.exitCode) : srv.once('exit', resolve)));
      assert.equal(serverDone, 0, clip(serverOut, 600));
      return { server: serverOut, client: cli.stdout, polled };
    } finally {
      srv.kill();
    }
  }

  it('the generated Python and C programs compile', { skip: needsFor('c', 'python') }, async () => {
    for (const [steps, proto] of [[(await tcpSession()).steps, 'tcp'], [(await udpSession()).steps, 'udp']] as const) {
      for (const f of Object.values(write(steps, 'c', proto))) execFileSync('cc', ['-Wall', '-Wextra', '-Werror', '-fsyntax-only', f]);
      for (const f of Object.values(write(steps, 'python', proto))) execFileSync('python3', ['-m', 'py_compile', f]);
    }
  });

  it('a Python server and a C client exchange the lab\'s bytes', { skip: needsFor('c', 'python'), timeout: 30_000 }, async () => {
    const out = await pair('tcp', 'python', 'c');
    assert.match(out.server, /recv -> b'hello\\n'/);
    assert.match(out.client, /recv -> 12 bytes "hi, client!\\n"/);
  });

  it('a C server and a Python client exchange the lab\'s bytes', { skip: needsFor('c', 'python'), timeout: 30_000 }, async () => {
    const out = await pair('tcp', 'c', 'python');
    assert.match(out.server, /recv -> 6 bytes "hello\\n"/);
    assert.match(out.client, /recv -> b'hi, client!\\n'/);
  });

  it('a Node.js server and a Python client exchange the lab\'s bytes', { skip: needsFor('node', 'python'), timeout: 30_000 }, async () => {
    const out = await pair('tcp', 'node', 'python');
    assert.match(out.server, /recv -> "hello\\n"/);
    assert.match(out.client, /recv -> b'hi, client!\\n'/);
  });

  /** How each language's program prints the datagram it received. */
  const RECEIVED: Record<Language, (text: string) => RegExp> = {
    c: (t) => new RegExp(`recvfrom -> ${t.length + 1} bytes "${t}\\\\n"`),
    python: (t) => new RegExp(`recvfrom -> b'${t}\\\\n' from \\('127\\.0\\.0\\.1', \\d+\\)`),
    node: (t) => new RegExp(`recvfrom -> "${t}\\\\n" from 127\\.0\\.0\\.1 \\d+`),
  };
  /** How each language's program prints its poll: the receiver's socket ready to read, the sender's to write. */
  const POLLED: Record<Language, (revents: string) => RegExp | null> = {
    c: (r) => new RegExp(`poll -> 1\\n  s\\d+: ${r}\\n`),
    python: (r) => new RegExp(`poll -> 1 \\[\\('s\\d+', \\[${r.split(' ').map((e) => `'${e}'`).join(', ')}\\]\\)\\]`),
    node: () => null,
  };
  const LANGS: Language[] = ['c', 'python', 'node'];

  for (const serverLang of LANGS) {
    for (const clientLang of LANGS) {
      if (serverLang === clientLang) continue;
      it(`UDP: a ${serverLang} receiver and a ${clientLang} sender exchange the lab's datagrams on the ports the lab picked`, { skip: needsFor(serverLang, clientLang), timeout: 30_000 }, async () => {
        const out = await pair('udp', serverLang, clientLang);
        assert.match(out.server, RECEIVED[serverLang]('ping'), clip(out.server, 600));
        assert.match(out.client, RECEIVED[clientLang]('pong'), clip(out.client, 600));
        if (out.polled) {
          const [rx, tx] = [POLLED[serverLang]('in'), POLLED[clientLang]('out')];
          if (rx) assert.match(out.server, rx, clip(out.server, 600));
          if (tx) assert.match(out.client, tx, clip(out.client, 600));
        }
      });
    }
  }
});
