/**
 * The build-time content check (scripts/check-content.ts): every real lesson passes it, and each
 * kind of broken lesson is caught with a message that names the problem and the file.
 * The fixtures in tests/fixtures/content/ are copies of good.mdx with exactly one thing broken.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import { checkAllContent, checkLessonFile, type LessonReport } from '../../scripts/check-content.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/content');
const ORDER = 2; // the fixtures' frontmatter says order: 2

async function check(name: string): Promise<LessonReport> {
  const report = await checkLessonFile(path.join(FIXTURES, name), ORDER);
  assert.equal(report.file, `tests/fixtures/content/${name}`, 'the report names the fixture file, relative to the project');
  return report;
}

/** Asserts that some error matches every pattern; returns the errors for more checks. */
function assertError(report: LessonReport, ...patterns: RegExp[]): string[] {
  for (const p of patterns) {
    assert.ok(
      report.errors.some((e) => p.test(e)),
      `${report.file}: no error matches ${p}; errors were:\n${report.errors.join('\n') || '(none)'}`,
    );
  }
  return report.errors;
}

describe('every real lesson passes the content check', () => {
  let reports: LessonReport[] = [];
  before(async () => {
    reports = await checkAllContent();
  });

  test('each lesson in content/lessons.ts has a report, and no .mdx file is left unlisted', () => {
    const files = reports.map((r) => r.file);
    for (const slug of LESSON_SLUGS) assert.ok(files.includes(`content/${slug}.mdx`), `no report for ${slug}`);
    const unlisted = reports.filter((r) => r.errors.some((e) => e.startsWith('not listed in content/lessons.ts')));
    assert.deepEqual(unlisted.map((r) => r.file), []);
  });

  for (const slug of LESSON_SLUGS) {
    test(`content/${slug}.mdx has no errors`, () => {
      const r = reports.find((x) => x.file === `content/${slug}.mdx`);
      assert.ok(r, `no report for ${slug}`);
      assert.deepEqual(r.errors, [], `content/${slug}.mdx:\n  ${r.errors.join('\n  ')}`);
    });
  }
});

describe('checkLessonFile on broken fixtures', () => {
  test('the intact fixture has no errors (so each broken copy fails for its one change)', async () => {
    const r = await check('good.mdx');
    assert.deepEqual(r.errors, []);
    assert.ok(r.words > 20, `counted ${r.words} words of prose`);
  });

  test('frontmatter without summary', async () => {
    const errors = assertError(await check('missing-summary.mdx'), /summary: .*expected string/);
    assert.equal(errors.length, 1, errors.join('\n'));
  });

  test('frontmatter order that does not match the lesson\'s place in the course', async () => {
    const errors = assertError(await check('wrong-order.mdx'), /order is 5 .*at 2/);
    assert.equal(errors.length, 1, errors.join('\n'));
  });

  test('an unknown tag <Blink>', async () => {
    assertError(await check('unknown-tag.mdx'), /unknown MDX tag <Blink>/);
  });

  test('a quiz question with two correct choices', async () => {
    const errors = assertError(await check('two-correct.mdx'), /<Quiz questions>.*exactly one choice with correct: true/);
    assert.equal(errors.length, 1, errors.join('\n'));
  });

  test('a <Diagram> whose file does not exist in public/diagrams/', async () => {
    const errors = assertError(await check('missing-diagram-file.mdx'), /<Diagram src="no-such-diagram\.svg">: no such file in public\/diagrams\//);
    assert.equal(errors.length, 1, errors.join('\n'));
  });

  test('no <TryIt> section', async () => {
    const errors = assertError(await check('missing-tryit.mdx'), /skeleton: <TryIt> appears 0 time\(s\); a lesson needs exactly 1/);
    assert.equal(errors.length, 1, errors.join('\n'));
  });

  test('a file that does not exist', async () => {
    const r = await check('no-such-lesson.mdx');
    assertError(r, /file is missing/);
  });
});
