/**
 * A student shares their lab with the instructor, in Chromium (issue 20): the student's button says
 * what is shared, the dashboard's roster offers "Watch", and the instructor's read-only mirror
 * follows the student's calls; unsharing closes it on the dashboard.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, seriousA11yViolations } from '../helpers/browser.ts';

describeInBrowser('sharing a lab with the instructor in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let dir: string;
  const contexts: BrowserContext[] = [];
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'socketlab-share-e2e-'));
    server = await startLab({ labOnly: false, class: true, classData: path.join(dir, 'class.sqlite'), classChatPort: 41971 });
    browser = await launch();
  });
  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the student shares, the instructor watches read-only, the student stops', { timeout: 120_000 }, async () => {
    const teacherContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const studentContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    contexts.push(teacherContext, studentContext);
    const teacher = await teacherContext.newPage();
    await teacher.goto(server.classroom!.instructorUrl);
    await teacher.getByTestId('instructor-dashboard').waitFor();

    const student = await studentContext.newPage();
    await student.goto(server.classroom!.studentUrl);
    await student.getByLabel(/nickname/i).fill('Ada');
    await student.getByRole('button', { name: 'Join', exact: true }).click();
    await student.getByTestId('class-nickname').and(student.getByText('Ada', { exact: true })).waitFor();
    const row = teacher.getByTestId('roster-row').filter({ hasText: 'Ada' });
    await row.filter({ hasText: 'online' }).waitFor();
    assert.equal(await row.getByTestId('watch-shared-lab').count(), 0, 'nothing to watch before the student shares');

    await student.goto(`${server.url}/lab`);
    const share = student.getByTestId('share-lab');
    await share.and(student.locator('[aria-pressed="false"]')).click();
    await share.and(student.locator('[aria-pressed="true"]')).waitFor();
    await student.getByText('Your instructor can watch this lab (read-only).').waitFor();

    await row.getByRole('button', { name: 'Watch Ada’s lab' }).click();
    const mirror = teacher.getByTestId('shared-lab');
    await mirror.getByText('read-only view').waitFor();
    await student.getByTestId('socket-lab').getByRole('button', { name: 'socket()' }).click();
    await mirror.locator('[data-op="socket"][data-status="ok"]').waitFor();
    assert.equal(await mirror.getByRole('button', { name: 'socket()' }).count(), 0, 'the instructor cannot make calls in a student’s lab');
    const violations = await seriousA11yViolations(teacher);
    assert.equal(violations.length, 0, describeViolations(violations));

    await share.click();
    await share.and(student.locator('[aria-pressed="false"]')).waitFor();
    await mirror.getByText('Ada stopped sharing their lab (or closed it).').waitFor();
    await row.getByTestId('watch-shared-lab').waitFor({ state: 'detached' });
  });
});
