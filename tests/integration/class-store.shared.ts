/**
 * One ClassStore test suite, run against each engine (class-store-sqlite.test.ts,
 * class-store-postgres.test.ts): settings, the roster and its nickname rule, progress batches,
 * lab-call counts, a new class wiping the old, reopening (data kept, migrations applied once), and
 * two handles on one store standing in for two instances (one class between them, one nickname).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClassStore, StoreBatch } from '../../server/class/class-store.ts';
import type { LessonProgressReport } from '../../server/protocol/class.ts';

export interface StoreUnderTest {
  /** The schema version the engine's migrations end at. */
  schemaVersion: number;
  /** A handle on a fresh, empty store. */
  fresh(): Promise<StoreHandle>;
}

export interface StoreHandle {
  store: ClassStore;
  /** Another handle on the same data (a second instance, or the same one after a restart). */
  another(): Promise<ClassStore>;
}

const quiz = (score: number, total = 10): LessonProgressReport => ({ read: true, quiz: { score, total, passed: score * 2 >= total } });
const newClass = (code = 'ABC234') => ({ code, instructorKey: `key-${code}`, title: 'Sockets 101', startedAt: 1_700_000_000_000 });

function batch(progress: [number, Record<string, LessonProgressReport>, number][], touches: [number, number][] = []): StoreBatch {
  return { progress: new Map(progress.map(([id, lessons, at]) => [id, { lessons, at }])), touches: new Map(touches) };
}

export function classStoreSuite(engine: string, under: StoreUnderTest): void {
  const withStore = (name: string, fn: (h: StoreHandle) => Promise<void>) =>
    it(name, { timeout: 60_000 }, async () => {
      const h = await under.fresh();
      try {
        await fn(h);
      } finally {
        await h.store.close();
      }
    });

  describe(`class store (${engine})`, { timeout: 300_000 }, () => {
    withStore('holds no class until one is started; settings round-trip', async ({ store }) => {
      assert.equal(store.engine, engine);
      assert.equal(await store.settings(), null);
      await store.startClass(newClass());
      assert.deepEqual(await store.settings(), { ...newClass(), endedAt: null, lesson: null, presenting: null });
      await store.setLesson('tcp-handshake');
      await store.setPresenting('watch-1');
      await store.setInstructorKey('other-key');
      let s = (await store.settings())!;
      assert.equal(s.lesson, 'tcp-handshake');
      assert.equal(s.presenting, 'watch-1');
      assert.equal(s.instructorKey, 'other-key');
      await store.setLesson(null);
      await store.endClass(42);
      s = (await store.settings())!;
      assert.equal(s.lesson, null);
      assert.equal(s.endedAt, 42);
      assert.equal(s.presenting, null, 'the end stops presenting');
    });

    withStore('the roster: a join, a token lookup, nicknames unique by both keys', async ({ store }) => {
      await store.startClass(newClass());
      const a = await store.addStudent('tok-a', 'Ada', 10);
      assert.deepEqual(a, { id: a!.id, token: 'tok-a', nickname: 'Ada', joinedAt: 10, lastSeen: 10, labCalls: 0, labErrors: 0 });
      assert.equal(await store.addStudent('tok-b', 'ADA', 11), null, 'case-folded key taken');
      assert.equal(await store.addStudent('tok-c', 'Аda', 12), null, 'look-alike (Cyrillic А) key taken');
      const b = await store.addStudent('tok-d', 'Grace', 13);
      assert.ok(b && b.id !== a!.id);
      assert.deepEqual(await store.studentByToken('tok-d'), b);
      assert.equal(await store.studentByToken('nope'), null);
      assert.deepEqual((await store.students()).map((s) => s.nickname), ['Ada', 'Grace'], 'in join order');
    });

    withStore('progress: a batch is stored whole, newer reports replace older, last-seen only moves forward', async ({ store }) => {
      await store.startClass(newClass());
      const a = (await store.addStudent('tok-a', 'Ada', 10))!;
      const b = (await store.addStudent('tok-b', 'Bob', 10))!;
      await store.commitBatch(batch([[a.id, { l1: quiz(3), l2: { read: true, quiz: null } }, 20], [b.id, { l1: quiz(9) }, 21]], [[a.id, 30]]));
      assert.deepEqual(await store.progressOf(a.id), { l1: quiz(3), l2: { read: true, quiz: null } });
      await store.commitBatch(batch([[a.id, { l1: quiz(7) }, 40]], [[a.id, 25]]));
      assert.deepEqual(await store.progressOf(a.id), { l1: quiz(7), l2: { read: true, quiz: null } });
      assert.deepEqual(await store.progressOf(99_999), {});
      const all = await store.progress();
      assert.deepEqual(all.get(b.id), { l1: quiz(9) });
      assert.equal(all.size, 2);
      assert.equal((await store.studentByToken('tok-a'))!.lastSeen, 30, 'an older touch does not move it back');
      const failing = { ...quiz(2), quiz: { score: 2, total: 10, passed: false } };
      await store.commitBatch(batch([[b.id, { l3: failing }, 50]]));
      assert.deepEqual((await store.progressOf(b.id)).l3, failing);
    });

    withStore('lab-call counts add up', async ({ store }) => {
      await store.startClass(newClass());
      const a = (await store.addStudent('tok-a', 'Ada', 10))!;
      await store.addLabCounts(new Map([[a.id, { calls: 5, errors: 1 }]]));
      await store.addLabCounts(new Map([[a.id, { calls: 2, errors: 2 }]]));
      await store.addLabCounts(new Map());
      const row = (await store.studentByToken('tok-a'))!;
      assert.deepEqual([row.labCalls, row.labErrors], [7, 3]);
    });

    withStore('a new class forgets the old roster, progress and settings', async ({ store }) => {
      await store.startClass(newClass('AAA222'));
      const a = (await store.addStudent('tok-a', 'Ada', 10))!;
      await store.commitBatch(batch([[a.id, { l1: quiz(3) }, 20]]));
      await store.setLesson('x');
      await store.startClass(newClass('BBB333'));
      assert.deepEqual(await store.students(), []);
      assert.equal((await store.progress()).size, 0);
      assert.deepEqual(await store.settings(), { ...newClass('BBB333'), endedAt: null, lesson: null, presenting: null });
      assert.ok(await store.addStudent('tok-a2', 'Ada', 30), 'the nickname is free again');
    });

    withStore('reopened, it holds what was stored (migrations applied once, not again)', async (h) => {
      assert.equal(await h.store.schemaVersion(), under.schemaVersion, 'a new store is migrated to the latest version');
      await h.store.startClass(newClass());
      const a = (await h.store.addStudent('tok-a', 'Ada', 10))!;
      await h.store.commitBatch(batch([[a.id, { l1: quiz(4) }, 20]]));
      await h.store.close();
      h.store = await h.another();
      assert.equal(await h.store.schemaVersion(), under.schemaVersion);
      assert.equal((await h.store.settings())!.code, 'ABC234');
      assert.deepEqual(await h.store.progressOf(a.id), { l1: quiz(4) });
      assert.equal((await h.store.addStudent('tok-z', 'Zed', 30))!.id > a.id, true);
    });

    withStore('two instances on one store: one class between them, one student per nickname', async (h) => {
      const other = await h.another();
      try {
        const made = await Promise.all([h.store.startClassIfNone(newClass('AAA222')), other.startClassIfNone(newClass('BBB333'))]);
        assert.deepEqual(made.filter(Boolean).length, 1, `exactly one made the class: ${made}`);
        const code = (await h.store.settings())!.code;
        assert.equal((await other.settings())!.code, code, 'both see the same join code');
        assert.equal(await other.startClassIfNone(newClass('CCC444')), false, 'a class is kept once there is one');
        const joins = await Promise.all([h.store.addStudent('tok-1', 'Sam', 1), other.addStudent('tok-2', 'sam', 1)]);
        assert.equal(joins.filter(Boolean).length, 1, 'one of two racing joins gets the nickname');
        const winner = joins.find(Boolean)!;
        assert.deepEqual(await other.studentByToken(winner.token), await h.store.studentByToken(winner.token), 'a token resumes on either');
        await other.commitBatch(batch([[winner.id, { l1: quiz(6) }, 5]]));
        assert.deepEqual(await h.store.progressOf(winner.id), { l1: quiz(6) }, 'progress written by one is read by the other');
      } finally {
        await other.close();
      }
    });
  });
}
