/**
 * A class in Chromium: one instructor page and three student browsers (separate profiles).
 * Students join by code, the roster updates, the instructor presents and the students follow live,
 * and a lesson opened for everyone opens on the students' screens.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, seriousA11yViolations, watchProblems } from '../helpers/browser.ts';

describeInBrowser('a class in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let dir: string;
  const contexts: BrowserContext[] = [];
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'socketlab-class-e2e-'));
    server = await startLab({ labOnly: false, class: true, classData: path.join(dir, 'class.sqlite'), classChatPort: 41970 });
    browser = await launch();
  });
  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function studentPage(nickname: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(server.classroom!.studentUrl);
    await page.getByLabel('Join code').waitFor();
    await page.getByLabel(/nickname/i).fill(nickname);
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await page.getByTestId('class-nickname').and(page.getByText(nickname, { exact: true })).waitFor();
    return page;
  }

  it('students join, the roster updates, the presenter is followed live, a lesson opens for everyone', { timeout: 120_000 }, async () => {
    const instructorContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(instructorContext);
    const teacher = await instructorContext.newPage();
    const problems = watchProblems(teacher);
    await teacher.goto(server.classroom!.instructorUrl);
    await teacher.getByTestId('instructor-dashboard').waitFor();
    assert.equal(new URL(teacher.url()).hash, '', 'the key leaves the address bar');
    const code = (await teacher.getByTestId('join-code').textContent())!.replace(/\W/g, '');
    assert.equal(code, server.classroom!.hub.info.code);

    const students = [];
    for (const name of ['Ada', 'Grace', 'Linus']) {
      students.push(await studentPage(name));
      await teacher.getByTestId('roster-row').filter({ hasText: name }).filter({ hasText: 'online' }).waitFor();
    }
    assert.equal(await teacher.getByTestId('roster-row').count(), 3);

    // A student reads a lesson: the roster shows it.
    const [ada, grace, linus] = students;
    await ada.goto(`${server.url}/learn/networks`);
    // Reaching the end counts only after 30 s on the page (tests/e2e/lab-ux.test.ts); marking by hand counts at once.
    await ada.getByTestId('read-marker').getByRole('button', { name: 'Mark as read' }).click();
    await ada.getByTestId('read-marker').getByText('Lesson read').waitFor();
    await teacher.getByTestId('roster-row').filter({ hasText: 'Ada' }).locator('td').nth(1).filter({ hasText: /^1/ }).waitFor();

    // Presenter mode: the instructor's lab, mirrored on a student's follow page.
    await teacher.getByTestId('present-toggle').click();
    await grace.getByTestId('follow-link').click();
    await grace.getByTestId('socket-lab').getByText('read-only view').waitFor();
    const presenter = teacher.getByTestId('socket-lab');
    await presenter.getByRole('button', { name: 'socket()' }).click();
    await grace.locator('[data-testid="socket-lab"] [data-op="socket"][data-status="ok"]').waitFor();
    assert.equal(await grace.getByTestId('socket-lab').getByRole('button', { name: 'socket()' }).count(), 0, 'followers have no controls');

    // Open a lesson for everyone.
    await teacher.getByTestId('open-lesson-select').selectOption('sockets');
    await teacher.getByRole('button', { name: 'Open for everyone' }).click();
    await linus.waitForURL(/\/learn\/sockets$/);
    await ada.waitForURL(/\/learn\/sockets$/);

    const violations = await seriousA11yViolations(teacher);
    assert.equal(violations.length, 0, describeViolations(violations));
    assert.deepEqual(problems.console, []);
  });
});
