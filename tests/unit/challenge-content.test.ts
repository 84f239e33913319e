/**
 * Challenges as content (issue 18): the list in content/challenges.ts against the server's ids, a
 * `<Challenge>` block that names no challenge or sits on another lesson's page, and each challenge
 * on its lesson's page exactly once.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { checkChallengeList } from '../../content/challenge-schema.ts';
import { CHALLENGES } from '../../content/challenges.ts';
import { CHALLENGE_IDS } from '../../server/protocol/challenges.ts';
import { challengePlacement, checkLessonFile, type LessonReport } from '../../scripts/check-content.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/content');

describe('the list of challenges', () => {
  test('the course\'s list is whole: one entry per id the server can check', () => {
    assert.deepEqual(checkChallengeList(CHALLENGES), []);
    assert.deepEqual(CHALLENGES.map((c) => c.id).sort(), [...CHALLENGE_IDS].sort());
  });

  test('an id listed twice, and an id with no entry', () => {
    const twice = [...CHALLENGES, CHALLENGES[0]];
    assert.ok(checkChallengeList(twice).some((p) => /"public-address-listener" is listed twice/.test(p)));
    const missing = CHALLENGES.filter((c) => c.id !== 'echo-41234');
    assert.deepEqual(checkChallengeList(missing), ['content/challenges.ts: challenge "echo-41234" has a checker on the server but no entry here']);
  });

  test('an unknown id, an unknown lesson, a task too short, no checks', () => {
    const bad = (patch: object) => checkChallengeList([{ ...CHALLENGES[0], ...patch }]).join('\n');
    assert.match(bad({ id: 'made-up' }), /0\.id: Invalid option/);
    assert.match(bad({ lesson: 'no-such-lesson' }), /0\.lesson: Invalid option/);
    assert.match(bad({ task: 'Do it.' }), /0\.task: Too small/);
    assert.match(bad({ checks: [] }), /0\.checks: Too small/);
    assert.match(bad({ extra: true }), /Unrecognized key/);
  });
});

describe('<Challenge> blocks in lessons', () => {
  test('a block naming no challenge', async () => {
    const r = await checkLessonFile(path.join(FIXTURES, 'unknown-challenge.mdx'), 2);
    assert.deepEqual(r.errors, ['<Challenge id="no-such-challenge">: no such challenge in content/challenges.ts']);
  });

  test('a block on another lesson\'s page (the fixture sits at lesson 2, networks)', async () => {
    const r = await checkLessonFile(path.join(FIXTURES, 'challenge-elsewhere.mdx'), 2);
    assert.deepEqual(r.errors, ['<Challenge id="block-phone">: content/challenges.ts puts it in the lesson firewalls, not here']);
  });

  test('each challenge on its own lesson\'s page once: missing and doubled are both errors', () => {
    const report = (file: string, challenges: string[]): LessonReport => ({ file, errors: [], warnings: [], words: 0, challenges });
    const good = CHALLENGES.map((c) => report(`content/${c.lesson}.mdx`, [c.id]));
    assert.deepEqual(challengePlacement(good), []);
    const doubled = good.map((r) => (r.file === 'content/firewalls.mdx' ? { ...r, challenges: ['block-phone', 'block-phone'] } : r));
    assert.deepEqual(challengePlacement(doubled), [{ file: 'content/firewalls.mdx', error: '<Challenge id="block-phone"> appears 2 time(s); content/challenges.ts puts it on this page once' }]);
    const dropped = good.filter((r) => r.file !== 'content/server-side.mdx');
    assert.deepEqual(challengePlacement(dropped), [{ file: 'content/server-side.mdx', error: '<Challenge id="echo-41234"> appears 0 time(s); content/challenges.ts puts it on this page once' }]);
  });
});
