/**
 * Issue 18: every network lesson (2 networks, 3 protocols, 4, 5, 6, 12 how the web works) ends
 * with a challenge checked in its sandbox network, and a pass in any of them travels like the
 * others: kept in progress, carried by the class report, accepted by the server's schema.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { CHALLENGES } from '../../content/challenges.ts';
import { sanitizeProgress } from '../../app/_lib/progress.ts';
import { toProgressReport } from '../../app/_lib/class/progress-report.ts';
import { CHALLENGE_PLACES } from '../../server/protocol/challenges.ts';
import { LessonProgressReportSchema } from '../../server/protocol/class.ts';

const NETWORK_LESSONS = ['networks', 'protocols', 'ip-addresses', 'ports-and-forwarding', 'firewalls', 'how-the-web-works'] as const;

describe('challenges of the network lessons', () => {
  test('each network lesson has a sandbox challenge, shown on its page before the recap', () => {
    for (const lesson of NETWORK_LESSONS) {
      const mine = CHALLENGES.filter((c) => c.lesson === lesson && CHALLENGE_PLACES[c.id] === 'network');
      assert.ok(mine.length > 0, `${lesson} has no network challenge`);
      const page = readFileSync(new URL(`../../content/${lesson}.mdx`, import.meta.url), 'utf8');
      for (const c of mine) {
        const at = page.indexOf(`<Challenge id="${c.id}" />`);
        assert.ok(at > 0 && at < page.indexOf('<Recap>'), `${c.id} sits before the recap of ${lesson}`);
      }
    }
  });

  test('a pass in lessons 2, 3 and 12 is kept in progress and reported to the class', () => {
    const stored = {
      networks: { read: 1, challenges: { 'phone-next-hop': 10 } },
      protocols: { challenges: { 'bytes-left-on-server': 11 } },
      'how-the-web-works': { read: 2, challenges: { 'serve-http-200': 12 } },
    };
    const progress = sanitizeProgress(stored);
    assert.deepEqual(progress, stored);
    const report = toProgressReport(progress);
    assert.deepEqual(report.networks, { read: true, quiz: null, challenges: ['phone-next-hop'] });
    assert.deepEqual(report.protocols, { read: false, quiz: null, challenges: ['bytes-left-on-server'] });
    assert.deepEqual(report['how-the-web-works'], { read: true, quiz: null, challenges: ['serve-http-200'] });
    for (const lesson of ['networks', 'protocols', 'how-the-web-works'] as const) {
      assert.ok(LessonProgressReportSchema.safeParse(report[lesson]).success, lesson);
    }
  });
});
