/**
 * Lab shells (issue 18): a terminal of this machine inside a host of the learner's own sandbox
 * network, through the real script (scripts/lab-shell.mjs) and real nsenter. What the shell does
 * acts on the network the page shows: its listener appears in the session's kernel view for that
 * host, and a lab socket on another host connects to it. Tokens are one-time, expire, name one
 * host, and open only their own session's network; the shell has no way out of the sandbox, and
 * ends when its network does. Every packet stays inside the sessions' namespaces.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from '../../server/app.ts';
import type { ShellTicket } from '../../server/protocol/index.ts';
import { createSandbox } from '../../server/sandbox/index.ts';
import { machineAddresses } from '../../server/start/addresses.ts';
import { connect, errCode, kernelRows, ok, startLab, waitUntil, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'scripts/lab-shell.mjs');

const skip = needs('unshare', 'ip', 'nft', 'nsenter', 'python3');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<number | null>;
}

/** The script as a learner runs it, with a command instead of an interactive shell. Bounded: killed after 20 s. */
function labShell(host: string, token: string, command: string[]): Run {
  const child = spawn(process.execPath, [SCRIPT, host, token, '--', ...command], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const done = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
  return { child, stdout: () => out, stderr: () => err, done };
}

async function runToEnd(host: string, token: string, command: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = labShell(host, token, command);
  const code = await run.done;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Pids of processes running `sleep <marker>`. */
function sleepers(marker: string): number[] {
  return readdirSync('/proc').flatMap((d) => {
    if (!/^[0-9]+$/.test(d)) return [];
    try {
      return readFileSync(`/proc/${d}/cmdline`, 'utf8') === `sleep\0${marker}\0` ? [Number(d)] : [];
    } catch {
      return []; // gone meanwhile
    }
  });
}

async function ticket(c: Connected, host: 'laptop' | 'phone' | 'router' | 'server'): Promise<ShellTicket> {
  const { shell } = await ok(c.client.call('network', { action: 'shell', host }));
  assert.ok(shell, 'the shell action answers with a ticket');
  return shell;
}

/** A Python program: listen on address:port, say "ready", answer one connection with "hi", exit. */
const LISTENER = (address: string, port: number) =>
  `import socket\ns=socket.socket()\ns.bind(("${address}",${port}))\ns.listen()\nprint("ready",flush=True)\nc,_=s.accept()\nc.sendall(b"hi")\nc.close()`;

/** A Python program that tries to connect to each address:port and prints what happened, one line each. */
const PROBE = (targets: Array<[string, number]>) =>
  `import socket\nfor a,p in ${JSON.stringify(targets)}:\n  s=socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET)\n  s.settimeout(2)\n  try:\n    s.connect((a,p)); print(a,p,"CONNECTED")\n  except OSError as e:\n    print(a,p,"FAILED",e.errno)\n  s.close()`;

describe('lab shells: a terminal inside the learner\'s own sandbox host', { skip }, () => {
  let server: RunningServer;
  let a: Connected;
  let b: Connected;
  before(async () => {
    server = await startLab();
    a = await connect(server);
    b = await connect(server);
    await ok(a.client.call('network', { action: 'create', topology: 'home' }));
    await ok(b.client.call('network', { action: 'create', topology: 'home' }));
  });
  after(async () => {
    a.client.close();
    b.client.close();
    await server.close();
  });

  it('the hello says lab shells are available (one learner on loopback)', () => {
    assert.deepEqual(a.hello.network?.shell, { available: true });
  });

  it('a ticket is the command to paste, one token, minutes ahead; no step shows it to viewers', async () => {
    const before = a.steps().length;
    const t = await ticket(a, 'laptop');
    assert.equal(t.host, 'laptop');
    assert.equal(t.command, `npm run lab-shell -- laptop ${t.token}`);
    assert.ok(t.expiresAt > Date.now() + 60_000);
    assert.equal(a.steps().length, before, 'no step carries the token');
  });

  it('inside laptop, ip sees the sandbox: 192.168.1.10 and the default route via 192.168.1.1', async () => {
    const addr = await runToEnd('laptop', (await ticket(a, 'laptop')).token, ['ip', '-4', '-o', 'addr']);
    assert.equal(addr.code, 0, addr.stderr);
    assert.match(addr.stdout, /inet 192\.168\.1\.10\/24/);
    const route = await runToEnd('laptop', (await ticket(a, 'laptop')).token, ['ip', 'route']);
    assert.match(route.stdout, /default via 192\.168\.1\.1/);
    const onServer = await runToEnd('server', (await ticket(a, 'server')).token, ['ip', '-4', '-o', 'addr']);
    assert.match(onServer.stdout, /inet 203\.0\.113\.80\/24/);
    assert.doesNotMatch(onServer.stdout, /192\.168\.1\./);
  });

  it('a python listener in the shell shows in the page\'s kernel view for laptop, and phone connects to it', async () => {
    // Session b looks at its own laptop the same way: the listener is a's, never b's.
    await ticket(b, 'laptop');
    const run = labShell('laptop', (await ticket(a, 'laptop')).token, ['python3', '-c', LISTENER('192.168.1.10', 8080)]);
    try {
      await waitUntil(() => run.stdout().includes('ready'), 10_000, () => `the listener to start (stderr: ${run.stderr()})`);
      const rows = await kernelRows(a);
      const listen = rows.find((r) => r.host === 'laptop' && r.state === 'LISTEN' && r.local.port === 8080);
      assert.ok(listen, `laptop's LISTEN row is in the view: ${JSON.stringify(rows)}`);
      assert.equal(listen.local.address, '192.168.1.10');
      assert.equal(listen.relation, 'outside');
      assert.equal(listen.sock, undefined);
      const theirs = await kernelRows(b);
      assert.ok(!theirs.some((r) => r.local.port === 8080), 'another session\'s view of its own laptop does not show it');

      const phone = await ok(a.client.call('socket', { type: 'tcp', host: 'phone' }));
      const connected = await ok(a.client.call('connect', { sock: phone.sock, address: '192.168.1.10', port: 8080 }));
      assert.equal(connected.local.address, '192.168.1.11');
      const got = await ok(a.client.call('recv', { sock: phone.sock }));
      assert.deepEqual(got, { ...got, data: 'hi' });
      await ok(a.client.call('close', { sock: phone.sock }));
      assert.equal(await run.done, 0, run.stderr());
    } finally {
      run.child.kill('SIGTERM');
      await run.done;
    }
  });

  it('a used token, a token for another host, and a made-up token are refused', async () => {
    const t = await ticket(a, 'laptop');
    assert.equal((await runToEnd('laptop', t.token, ['true'])).code, 0);
    const again = await runToEnd('laptop', t.token, ['true']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /used already.*\[E_POLICY\]/);

    const forLaptop = await ticket(a, 'laptop');
    const onPhone = await runToEnd('phone', forLaptop.token, ['true']);
    assert.notEqual(onPhone.code, 0);
    assert.match(onPhone.stderr, /opens a shell on laptop, not on phone/);

    const [door] = forLaptop.token.split('.');
    const madeUp = await runToEnd('laptop', `${door}.${'A'.repeat(22)}`, ['true']);
    assert.notEqual(madeUp.code, 0);
    assert.match(madeUp.stderr, /E_POLICY/);
  });

  it('a token opens its own session\'s network only: b\'s token never sees a\'s laptop', async () => {
    const run = labShell('laptop', (await ticket(a, 'laptop')).token, ['python3', '-c', LISTENER('192.168.1.10', 8081)]);
    try {
      await waitUntil(() => run.stdout().includes('ready'), 10_000, () => `the listener to start (stderr: ${run.stderr()})`);
      const fromB = await runToEnd('laptop', (await ticket(b, 'laptop')).token, ['ss', '-Htln']);
      assert.equal(fromB.code, 0, fromB.stderr);
      assert.doesNotMatch(fromB.stdout, /:8081/, 'b\'s laptop has no such listener');
      const fromA = await runToEnd('laptop', (await ticket(a, 'laptop')).token, ['ss', '-Htln']);
      assert.match(fromA.stdout, /192\.168\.1\.10:8081/);
    } finally {
      run.child.kill('SIGTERM');
      await run.done;
    }
  });

  it('the shell cannot reach this machine: not its real addresses, not the lab server on loopback', async () => {
    const real = machineAddresses().filter((address) => !address.startsWith('fe80'));
    const targets: Array<[string, number]> = [['127.0.0.1', server.port], ...real.map((address): [string, number] => [address, server.port])];
    const probe = await runToEnd('laptop', (await ticket(a, 'laptop')).token, ['python3', '-c', PROBE(targets)]);
    assert.equal(probe.code, 0, probe.stderr);
    const lines = probe.stdout.trim().split('\n');
    assert.equal(lines.length, targets.length, probe.stdout);
    for (const line of lines) assert.match(line, / FAILED /, line);
  });

  it('a shell whose script is killed outright dies with it (parent-death signal)', async () => {
    const marker = `${300 + Math.random()}`.slice(0, 13); // a sleep nobody else runs, longer than the test
    const run = labShell('laptop', (await ticket(a, 'laptop')).token, ['sleep', marker]);
    try {
      await waitUntil(() => sleepers(marker).length === 1, 10_000, 'the shell\'s command to start');
      const exited = new Promise((resolve) => run.child.on('exit', resolve));
      run.child.kill('SIGKILL');
      await exited;
      await waitUntil(() => sleepers(marker).length === 0, 10_000, 'the shell to die with its script');
      await waitUntil(async () => (await server.sandbox!.openShells()) === 0, 10_000, 'the door to see the script go');
    } finally {
      for (const pid of sleepers(marker)) process.kill(pid, 'SIGKILL'); // only when the test failed
      await run.done;
    }
  });

  it('when the network ends, a running shell is closed and its tokens stop working', async () => {
    const unused = await ticket(a, 'router');
    const run = labShell('laptop', (await ticket(a, 'laptop')).token, ['sleep', '30']);
    await waitUntil(async () => (await server.sandbox!.openShells()) === 1, 10_000, 'the shell to connect');
    await ok(a.client.call('network', { action: 'destroy' }));
    const code = await run.done;
    assert.notEqual(code, 0);
    assert.match(run.stderr(), /your sandbox network ended/);
    assert.equal(await server.sandbox!.openShells(), 0);
    const late = await runToEnd('router', unused.token, ['true']);
    assert.notEqual(late.code, 0);
    assert.match(late.stderr, /E_POLICY/);
    assert.equal(await errCode(a.client.call('network', { action: 'shell', host: 'laptop' })), 'E_NO_NETWORK');
  });
});

describe('lab shells: expiry and the host\'s setting', { skip }, () => {
  it('an expired token is refused', async () => {
    const sandbox = createSandbox({ shellTokenSeconds: 0.3 });
    try {
      const net = await sandbox.create('home');
      const t = await net.shell('laptop');
      await new Promise((r) => setTimeout(r, 500));
      const late = await runToEnd('laptop', t.token, ['true']);
      assert.notEqual(late.code, 0);
      assert.match(late.stderr, /expired.*\[E_POLICY\]/);
      const fresh = await runToEnd('laptop', (await net.shell('laptop')).token, ['true']);
      assert.equal(fresh.code, 0, fresh.stderr);
    } finally {
      await sandbox.close();
    }
  });

  it('with --lab-shell off the hello says why and shell is refused with E_POLICY', async () => {
    const server = await startLab({ labShell: 'off' });
    const c = await connect(server);
    try {
      assert.equal(c.hello.network?.shell?.available, false);
      assert.match(c.hello.network?.shell?.reason ?? '', /--lab-shell/);
      await ok(c.client.call('network', { action: 'create', topology: 'home' }));
      assert.equal(await errCode(c.client.call('network', { action: 'shell', host: 'laptop' })), 'E_POLICY');
    } finally {
      c.client.close();
      await server.close();
    }
  });
});
