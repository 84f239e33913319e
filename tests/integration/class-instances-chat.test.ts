/**
 * One class on two instances behind nginx (issue 21), what is left after class-instances.test.ts:
 * the class chat is one real TCP server for the whole class, on the instance that holds its lease
 * in Redis; both instances show its one address, and a student's lab on the other instance talks
 * to a student's lab on the owner through it with real calls; a Redis restart leaves it where it
 * is. Then the owner, which also holds the
 * instructor's dashboard, dies with `kill -9`: the other instance starts the chat within the lease's
 * bound, the instructor's browser reconnects through the proxy with the key and finds the roster
 * and progress intact, and the student on the surviving instance keeps going.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import { LEASE_MS, RENEW_MS } from '../../server/class/chat-owner.ts';
import { clip, connect, ok, waitUntil, type Connected } from '../helpers/lab.ts';
import { needs } from '../helpers/tools.ts';
import { freePort } from '../helpers/free-port.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { startNginx, type TestNginx } from '../helpers/nginx.ts';
import type { ClassPeer } from './class.shared.ts';
import { boot, KEY, procs, routeTo, viaProxy, type Instance } from './class-instances.shared.ts';

const [LESSON_1, LESSON_2] = LESSON_SLUGS;
const CHAT_A = 41_875;
const CHAT_B = 41_885;

class Lines {
  readonly lines: string[] = [];
  private partial = '';
  feed(chunk: Buffer | string) {
    this.partial += chunk.toString();
    const parts = this.partial.split('\n');
    this.partial = parts.pop()!;
    this.lines.push(...parts);
  }
  async waitFor(pattern: RegExp, timeoutMs = 8000): Promise<string> {
    await waitUntil(() => this.lines.some((l) => pattern.test(l)), timeoutMs, () => `a line matching ${pattern} (${clip(JSON.stringify(this.lines.slice(-5)), 300)})`);
    return this.lines.find((l) => pattern.test(l))!;
  }
}

const closers = new Set<() => void>();

/** The lab ports an instance listens on, beside its own HTTP port (ss shows a user its own processes). */
function listening(i: Instance): number[] {
  const pid = i.proc.pid!;
  const out = execFileSync('ss', ['-Hltnp'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes(`pid=${pid},`))
    .map((l) => Number(/:(\d+)\s/.exec(l.split(/\s+/)[3] + ' ')?.[1]))
    .filter((p) => p >= 41_000 && p <= 41_999 && p !== i.port);
}

/** The first free port from `first` is where an instance starts its chat; another test may hold one. */
const near = (port: number, first: number) => port >= first && port <= first + 20;

/** A student's browser in the chat: a lab TCP client socket in their lab session, with a recv loop. */
async function labChatter(proxyPort: number, cookie: string, token: string, chat: { address: string; port: number }) {
  const c: Connected = await connect({ port: proxyPort }, { student: token, headers: { cookie } });
  let open = true;
  const close = () => {
    open = false;
    c.client.close();
  };
  closers.add(close);
  const { sock } = await ok(c.client.call('socket', { type: 'tcp', actor: 'you' }));
  await ok(c.client.call('connect', { sock, address: chat.address, port: chat.port }));
  const lines = new Lines();
  const ended = (async () => {
    while (open) {
      const r = await c.client.call('recv', { sock, max: 4096 });
      if (!r.ok || 'eof' in r.result) break;
      lines.feed(r.result.data);
    }
  })();
  return { lines, ended, say: (text: string) => ok(c.client.call('send', { sock, data: `${text}\n` })), close };
}

/** A student in a terminal: `nc <address> <port>`, as the class bar tells them. */
function terminal(chat: { address: string; port: number }): Promise<{ lines: Lines; say: (t: string) => void }> {
  return new Promise((resolve, reject) => {
    const lines = new Lines();
    const sock = net.connect(chat.port, chat.address, () => resolve({ lines, say: (t) => sock.write(`${t}\n`) }));
    closers.add(() => sock.destroy());
    sock.on('data', (d) => lines.feed(d));
    sock.on('error', reject);
  });
}

describe('one class chat for a class on two instances; the instructor\'s instance dies', { skip: needs('redisServer', 'nginx'), timeout: 180_000 }, () => {
  let dir: string;
  let redis: TestRedis;
  let nginx: TestNginx;
  let a: Instance;
  let b: Instance;
  let toA: string;
  let toB: string;
  const peers: ClassPeer[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'socketlab-instances-chat-'));
    redis = await startRedis();
    const [portA, portB, proxyPort] = [await freePort(), await freePort(), await freePort()];
    const common = { dataFile: path.join(dir, 'class.sqlite'), redis: redis.url, proxyOrigin: `http://127.0.0.1:${proxyPort}` };
    // A starts first and takes the chat's lease; B finds it held and shows A's chat.
    a = await boot('A', portA, { ...common, chatPort: CHAT_A });
    b = await boot('B', portB, { ...common, chatPort: CHAT_B });
    nginx = await startNginx([portA, portB], proxyPort);
    [toA, toB] = [await routeTo(nginx, portA), await routeTo(nginx, portB)];
  });

  after(async () => {
    for (const c of closers) c();
    for (const p of peers) p.close();
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await nginx?.stop();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs one chat both instances point to; on kill -9 of its instance the other starts it, and the instructor comes back with the class intact', async () => {
    const join = async (cookie: string, nickname: string) => {
      const p = await viaProxy(nginx, cookie);
      peers.push(p);
      p.send({ type: 'join', code: a.code, nickname });
      return { peer: p, joined: await p.next('joined') };
    };
    // The instructor's dashboard on A, which runs the chat.
    const teacher = await viaProxy(nginx, toA);
    peers.push(teacher);
    teacher.send({ type: 'instructor', key: KEY });
    const first = await teacher.next('dashboard');
    assert.equal(b.code, a.code, 'both instances serve the one class');
    const chatOnA = first.class.chat!;
    assert.equal(chatOnA?.address, '127.0.0.1');
    assert.ok(near(chatOnA.port, CHAT_A), `the chat runs on A, the first instance (${JSON.stringify(chatOnA)})`);
    assert.deepEqual(listening(a), [chatOnA.port], 'A listens on the chat port');
    // Each instance tells its own students that one address.
    const ada = await join(toB, 'Ada');
    const bob = await join(toA, 'Bob');
    assert.deepEqual(ada.joined.chat, chatOnA, 'B shows A\'s chat, not one of its own');
    assert.deepEqual(bob.joined.chat, chatOnA);
    assert.deepEqual(listening(b), [], 'B did not start a second chat');

    // Ada's lab on B and Bob's on A, in the one chat with real calls, exchange lines.
    const adaChat = await labChatter(nginx.port, toB, ada.joined.token, chatOnA);
    const bobChat = await labChatter(nginx.port, toA, bob.joined.token, chatOnA);
    await adaChat.say('/nick ada');
    await bobChat.say('/nick bob');
    await adaChat.lines.waitFor(/bob/);
    await bobChat.say('hello from A');
    await adaChat.lines.waitFor(/<bob> hello from A/);
    await adaChat.say('hello from B');
    await bobChat.lines.waitFor(/<ada> hello from B/);

    // Redis restarts (and forgets the lease): the chat stays on A, the one both labs are in; B does
    // not start a second one in the gap.
    await redis.restart(1500);
    await teacher.waitDashboard((d) => d.partial === false, 15_000);
    await new Promise((r) => setTimeout(r, LEASE_MS + 2 * RENEW_MS));
    assert.deepEqual(teacher.dashboard!.class.chat, chatOnA, 'still A\'s chat after Redis came back');
    assert.deepEqual(listening(b), [], 'no second chat on B');
    await bobChat.say('still here');
    await adaChat.lines.waitFor(/<bob> still here/);

    ada.peer.send({ type: 'progress', lessons: { [LESSON_1]: { read: true, quiz: null } }, seq: 1 });
    await ada.peer.next('progress-saved', (m) => m.seq === 1);
    await teacher.waitDashboard((d) => d.students.find((s) => s.id === ada.joined.student.id)?.lessons[LESSON_1]?.read === true, 8000);

    // A dies, with the chat and the instructor's dashboard on it.
    const teacherClosed = teacher.closed;
    a.proc.kill('SIGKILL');
    await a.exited;
    const killedAt = Date.now();
    await teacherClosed;
    await adaChat.ended; // Ada's chat socket saw the end of A's chat server (the kernel closed it)

    // The instructor's browser reconnects through the proxy (same cookie) and lands on B, with the key.
    const back = await viaProxy(nginx, toA);
    peers.push(back);
    back.send({ type: 'instructor', key: KEY });
    const d = await back.waitDashboard((x) => near(x.class.chat?.port ?? 0, CHAT_B), LEASE_MS + 2 * RENEW_MS + 8000);
    const chatOnB = d.class.chat!;
    const tookOver = Date.now() - killedAt;
    console.log(`# the class chat restarted on B ${tookOver} ms after kill -9 of A (lease ${LEASE_MS} ms, renewed every ${RENEW_MS} ms)`);
    assert.equal(chatOnB.address, '127.0.0.1');
    assert.deepEqual(listening(b), [chatOnB.port], 'B runs the chat now');
    assert.equal(d.class.code, a.code, 'the same class');
    const names = d.students.map((s) => s.nickname).sort();
    assert.deepEqual(names, ['Ada', 'Bob'], 'the roster is whole');
    assert.equal(d.students.find((s) => s.nickname === 'Ada')?.lessons[LESSON_1]?.read, true, 'progress is intact');
    await back.waitDashboard((x) => x.students.find((s) => s.nickname === 'Ada')?.online === true, 8000);

    // Ada, on B all along, keeps going: her progress is acknowledged and shows on the new dashboard.
    ada.peer.send({ type: 'progress', lessons: { [LESSON_2]: { read: true, quiz: null } }, seq: 2 });
    await ada.peer.next('progress-saved', (m) => m.seq === 2);
    await back.waitDashboard((x) => x.students.find((s) => s.nickname === 'Ada')?.lessons[LESSON_2]?.read === true, 8000);

    // The new chat is real: Ada's lab on B and someone in a terminal talk through it.
    const adaAgain = await labChatter(nginx.port, toB, ada.joined.token, chatOnB);
    const nc = await terminal(chatOnB);
    await nc.lines.waitFor(/welcome/);
    nc.say('/nick tess');
    await adaAgain.say('/nick ada');
    nc.say('typed in a terminal');
    await adaAgain.lines.waitFor(/<tess> typed in a terminal/);
  });
});
