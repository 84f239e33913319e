/**
 * The class server's small parts on their own: the progress batch (coalescing, acknowledgements
 * only after a commit, a failed commit kept and retried), the dashboard's deltas (whatever happens
 * between two pushes, the browser's copy built from deltas equals a fresh snapshot), and the
 * per-address keys and token buckets behind the limits.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ClassInfo, Dashboard, FeedItem, LessonProgressReport, StudentSummary } from '../../server/protocol/class.ts';
import type { StoreBatch } from '../../server/class/class-store.ts';
import { ProgressBatch } from '../../server/class/progress-batch.ts';
import { DashboardTracker, type DashboardState } from '../../server/class/dashboard-tracker.ts';
import { AddressLimits, PENALTY_MS, PENALTY_PLACES, TokenBucket, WRONG_CODES_BURST, addressKey } from '../../server/class/limits.ts';
import { applyDashboardDelta } from '../../app/_lib/class/dashboard-delta.ts';

const quiz = (score: number): LessonProgressReport => ({ read: true, quiz: { score, total: 10, passed: score >= 5 } });

describe('ProgressBatch', () => {
  test('coalesces per student and lesson, commits once, acknowledges only after the commit', async () => {
    const commits: StoreBatch[] = [];
    const order: string[] = [];
    const batch = new ProgressBatch(
      (b) => {
        commits.push(b);
        order.push('commit');
      },
      () => order.push('committed'),
      60_000,
    );
    batch.addProgress(1, { a: quiz(1), b: quiz(1) }, 10, () => order.push('ack 1'));
    batch.addProgress(1, { a: quiz(2) }, 11, () => order.push('ack 2'));
    batch.addProgress(2, { a: quiz(7) }, 12);
    batch.touch(1, 20);
    batch.touch(1, 15);
    assert.deepEqual(order, [], 'nothing is acknowledged before a commit');
    assert.equal(await batch.flush(), true);
    assert.equal(commits.length, 1);
    assert.deepEqual([...commits[0].progress], [
      [1, { lessons: { a: quiz(2), b: quiz(1) }, at: 11 }],
      [2, { lessons: { a: quiz(7) }, at: 12 }],
    ]);
    assert.deepEqual([...commits[0].touches], [[1, 20]]);
    assert.deepEqual(order, ['commit', 'committed', 'ack 1', 'ack 2']);
    batch.close();
  });

  test('a failed commit keeps the batch (under anything newer) and its acknowledgements wait', async () => {
    let fail = true;
    const commits: StoreBatch[] = [];
    const acks: number[] = [];
    const failures: number[] = [];
    const batch = new ProgressBatch(
      async (b) => {
        if (fail) throw new Error('disk full');
        commits.push(b);
      },
      () => {},
      60_000,
    );
    const errors: unknown[] = [];
    const consoleError = console.error;
    console.error = (...a: unknown[]) => errors.push(a);
    try {
      batch.addProgress(1, { a: quiz(1), b: quiz(1) }, 10, () => acks.push(1), () => failures.push(1));
      assert.equal(await batch.flush(), false);
      batch.addProgress(1, { a: quiz(3) }, 11, () => acks.push(2), () => failures.push(2));
      assert.equal(await batch.flush(), false);
      assert.deepEqual(acks, []);
      assert.deepEqual(failures, [1, 2], 'each report hears of the failure once');
      fail = false;
      assert.equal(await batch.flush(), true);
    } finally {
      console.error = consoleError;
      batch.close();
    }
    assert.equal(errors.length, 1, 'said once, not on every retry');
    assert.deepEqual(commits[0].progress.get(1), { lessons: { a: quiz(3), b: quiz(1) }, at: 11 });
    assert.deepEqual(acks, [1, 2]);
    assert.deepEqual(failures, [1, 2], 'and not again on the retry');
  });

  test('one commit at a time: a flush during a slow commit waits for it, then commits what came meanwhile', async () => {
    const order: string[] = [];
    let release!: () => void;
    const batch = new ProgressBatch(
      (b) => {
        order.push(`commit ${[...b.progress.keys()].join(',')}`);
        if (order.length === 1) return new Promise<void>((r) => (release = r));
      },
      () => {},
      60_000,
    );
    batch.addProgress(1, { a: quiz(1) }, 1);
    const first = batch.flush();
    batch.addProgress(2, { a: quiz(2) }, 2);
    const second = batch.flush();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['commit 1'], 'the second waits');
    release();
    assert.equal(await first, true);
    assert.equal(await second, true);
    assert.deepEqual(order, ['commit 1', 'commit 2']);
    batch.close();
  });

  test('an acknowledgement with nothing to write still waits for the next tick and then runs', async () => {
    let commits = 0;
    const batch = new ProgressBatch(() => void commits++, () => {}, 5);
    const acked = new Promise<void>((resolve) => batch.addProgress(1, {}, 1, resolve));
    await acked;
    assert.equal(commits, 1);
    batch.close();
  });
});

describe('dashboard deltas', () => {
  const student = (id: number): StudentSummary => ({ id, nickname: `S${id}`, online: true, joinedAt: id, lastSeen: id, lessons: {}, labCalls: 0, labErrors: 0, sharedLab: null });
  const info: ClassInfo = { title: 't', startedAt: 1, endedAt: null, code: 'ABC234', studentUrl: 'http://x/class?code=ABC234', chat: null, machineAddresses: [] };

  /** A class that changes at random between pushes. */
  const change = fc.oneof(
    fc.record({ kind: fc.constant('join' as const) }),
    fc.record({ kind: fc.constant('online' as const), who: fc.nat(), on: fc.boolean() }),
    fc.record({ kind: fc.constant('lesson' as const), who: fc.nat(), slug: fc.constantFrom('a', 'b', 'c'), score: fc.integer({ min: 0, max: 10 }) }),
    fc.record({ kind: fc.constant('calls' as const), who: fc.nat(), n: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('feed' as const), n: fc.integer({ min: 1, max: 70 }) }),
    fc.record({ kind: fc.constant('present' as const), token: fc.option(fc.constantFrom('w1', 'w2'), { nil: null }) }),
    fc.record({ kind: fc.constant('end' as const) }),
    fc.record({ kind: fc.constant('push' as const) }),
  );

  test('the browser\'s dashboard after every delta equals a fresh snapshot', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 60 }), (changes) => {
        let students = [student(1), student(2)];
        let feed: FeedItem[] = [];
        let seq = 0;
        let presenting: string | null = null;
        let cls = { ...info };
        const state = (): DashboardState => ({
          class: cls,
          students: students.map((s) => ({ ...s, lessons: { ...s.lessons } })),
          feed: feed.slice(-60),
          errors: [],
          presenting,
        });
        const tracker = new DashboardTracker();
        const first = { type: 'dashboard' as const, ...state(), qrSvg: '<svg/>' };
        tracker.begin(first);
        let browser: Dashboard = first;
        const push = () => {
          const d = tracker.delta(state());
          if (d) browser = applyDashboardDelta(browser, d);
          assert.deepEqual(browser, { type: 'dashboard', ...state(), qrSvg: '<svg/>' });
        };
        for (const c of changes) {
          const pick = (n: number) => students[n % students.length];
          if (c.kind === 'join') students = [...students, student(students.length + 1)];
          else if (c.kind === 'online') pick(c.who).online = c.on;
          else if (c.kind === 'lesson') pick(c.who).lessons[c.slug] = quiz(c.score);
          else if (c.kind === 'calls') pick(c.who).labCalls += c.n;
          else if (c.kind === 'feed') for (let i = 0; i < c.n; i++) feed.push({ seq: seq++, at: seq, student: 'S1', call: 'socket()', outcome: 'ok' });
          else if (c.kind === 'present') presenting = c.token;
          else if (c.kind === 'end') cls = { ...cls, endedAt: 99, chat: null };
          else push();
        }
        push();
      }),
      { numRuns: 300 },
    );
  });

  test('nothing changed: no frame; applying a delta twice changes nothing', () => {
    const tracker = new DashboardTracker();
    const s = { class: info, students: [student(1)], feed: [], errors: [], presenting: null };
    tracker.begin(s);
    assert.equal(tracker.delta(s), null);
    const next = { ...s, students: [{ ...student(1), online: false }] };
    const d = tracker.delta(next)!;
    assert.deepEqual(d, { type: 'dashboard-delta', students: [{ id: 1, online: false }] });
    const base: Dashboard = { type: 'dashboard', ...s, qrSvg: '' };
    assert.deepEqual(applyDashboardDelta(applyDashboardDelta(base, d), d), applyDashboardDelta(base, d));
  });
});

describe('limits', () => {
  test('one key per IPv4 address and per IPv6 /64; IPv4-mapped IPv6 is IPv4', () => {
    assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), addressKey('2001:db8:1:2:bbbb::2'));
    assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
  });

  test('wrong codes: an allowance, then penalty places; only a full set of places stops checking', () => {
    const limits = new AddressLimits(150);
    const t0 = 1_000_000;
    for (let i = 0; i < WRONG_CODES_BURST; i++) limits.wrongCode('10.0.0.1', t0);
    assert.equal(limits.mustWait('10.0.0.1', t0), false, 'a used-up allowance alone does not stop a right code');
    for (let i = 0; i < PENALTY_PLACES - 1; i++) limits.wrongCode('10.0.0.1', t0);
    assert.equal(limits.mustWait('10.0.0.1', t0), false);
    limits.wrongCode('10.0.0.1', t0);
    assert.equal(limits.mustWait('10.0.0.1', t0), true);
    assert.equal(limits.mustWait('10.0.0.2', t0), false, 'another address is not touched');
    assert.equal(limits.mustWait('10.0.0.1', t0 + PENALTY_MS + 1), false, 'places free up');
    assert.equal(limits.mustWait('10.0.0.1', t0 + 10 * 60_000), false);
  });

  test('a token bucket spends its burst, then refills at its rate', () => {
    const b = new TokenBucket(3, 2, 0);
    assert.deepEqual([b.take(0), b.take(0), b.take(0), b.take(0)], [true, true, true, false]);
    assert.equal(b.empty(0), true);
    assert.equal(b.take(400), false, '0.8 of a token after 400 ms');
    assert.equal(b.take(500), true, 'one token after 500 ms');
    assert.equal(b.full(10_000), true);
  });
});
