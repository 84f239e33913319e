/**
 * The Redis class bus on its own (server/class/class-bus.ts), against a real redis-server: events
 * reach the other instances and never the sender; anything on the channel that is not a class event
 * is dropped and counted, not applied; a Redis restart is reported down, then up, and events flow
 * again without anyone resubscribing; the wrong-code count is one count across instances.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisBus } from '../../server/class/class-bus.ts';
import type { ClassEvent } from '../../server/class/class-events.ts';
import { waitUntil } from '../helpers/lab.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { needs } from '../helpers/tools.ts';

describe('the Redis class bus', { skip: needs('redisServer'), timeout: 60_000 }, () => {
  let redis: TestRedis;
  const buses: RedisBus[] = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const b of buses) await b.close();
    await redis?.stop();
  });

  async function bus(classId: string) {
    const b = new RedisBus(redis.url);
    buses.push(b);
    const got: { e: ClassEvent; from: string }[] = [];
    const status: boolean[] = [];
    await b.start(classId, { event: (e, from) => got.push({ e, from }), status: (up) => status.push(up) });
    return { b, got, status };
  }

  it('delivers to the others, not the sender, and drops what is not a class event', async () => {
    const a = await bus('c1');
    const b = await bus('c1');
    const other = await bus('c2');
    a.b.publish({ type: 'open-lesson', slug: 'sockets' });
    await waitUntil(() => b.got.length === 1, 5000, 'the event on b');
    assert.deepEqual(b.got[0], { e: { type: 'open-lesson', slug: 'sockets' }, from: a.b.instance });
    // Garbage on the channel: not JSON, the wrong shape, a bad slug, a negative student id.
    const raw = new Redis(redis.url);
    for (const text of ['not json', '{"from":"x"}', '{"from":"x","event":{"type":"open-lesson","slug":"../etc"}}', '{"from":"x","event":{"type":"seen","studentId":-1,"at":1}}']) {
      await raw.publish('socketlab:class:c1', text);
    }
    await waitUntil(() => b.b.dropped === 4 && a.b.dropped === 4, 5000, 'every bad message dropped');
    raw.disconnect();
    assert.equal(a.got.length, 0, 'the sender never hears itself');
    assert.equal(b.got.length, 1);
    assert.equal(other.got.length, 0, 'another class hears nothing');
  });

  it('counts wrong codes once across instances, per address', async () => {
    const a = await bus('c3');
    const b = await bus('c3');
    assert.equal(await a.b.wrongCode('10.0.0.1'), 1);
    assert.equal(await b.b.wrongCode('10.0.0.1'), 2);
    assert.equal(await a.b.wrongCodes('10.0.0.1'), 2);
    assert.equal(await b.b.wrongCodes('10.0.0.2'), 0);
  });

  it('gives a lease to one instance at a time: renewed by its holder, free when released or run out', async () => {
    const a = await bus('c5');
    const b = await bus('c5');
    assert.equal(await a.b.hold('chat', '', 400), true, 'free: taken');
    assert.equal(await b.b.hold('chat', 'mine', 400), false, 'held by a: refused');
    assert.equal(await a.b.hold('chat', '{"address":"127.0.0.1","port":41001}', 400), true, 'a renews it with its value');
    assert.deepEqual(await b.b.holder('chat'), { instance: a.b.instance, value: '{"address":"127.0.0.1","port":41001}' });
    await b.b.release('chat');
    assert.equal((await b.b.holder('chat'))?.instance, a.b.instance, 'only the holder can give it up');
    await a.b.release('chat');
    assert.equal(await b.b.holder('chat'), null);
    assert.equal(await b.b.hold('chat', 'b', 300), true, 'released: the next one takes it');
    // b stops renewing (as if killed): the lease runs out by itself and a takes it.
    assert.equal(await a.b.hold('chat', 'a', 300), false);
    await waitUntil(async () => (await a.b.hold('chat', 'a', 300)) === true, 3000, 'the lease to run out');
    assert.deepEqual(await b.b.holder('chat'), { instance: a.b.instance, value: 'a' });
    const other = await bus('c6');
    assert.equal(await other.b.hold('chat', 'x', 300), true, 'another class has its own lease');
  });

  it('reports Redis down and up again, and delivers again after the restart by itself', async () => {
    const a = await bus('c4');
    const b = await bus('c4');
    const restarted = redis.restart(800);
    await waitUntil(() => b.status.includes(false), 5000, 'down reported');
    assert.equal(b.b.up, false);
    // Down: publishing is skipped, not queued and not thrown.
    a.b.publish({ type: 'open-lesson', slug: 'lost' });
    assert.equal(await a.b.wrongCode('10.0.0.3'), null, 'no shared count while down');
    await restarted;
    await waitUntil(() => a.b.up && b.b.up, 10_000, 'both back up');
    assert.deepEqual(b.status, [false, true]);
    a.b.publish({ type: 'open-lesson', slug: 'after' });
    await waitUntil(() => b.got.length > 0, 5000, 'an event after the restart');
    assert.deepEqual(
      b.got.map((g) => g.e),
      [{ type: 'open-lesson', slug: 'after' }],
      'what was published while down was skipped, never delivered late',
    );
  });
});
