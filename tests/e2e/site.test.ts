/**
 * The site in a real Chromium against the real server (the built Next.js site and /lab on one port):
 * every lesson loads cleanly, the course map, a quiz by keyboard, the IP explorer, axe-core.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, seriousA11yViolations, watchProblems } from '../helpers/browser.ts';

describeInBrowser('the site in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    server = await startLab({ labOnly: false });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the course map with all 18 lessons in order', async () => {
    const page = await browser.newPage();
    const problems = watchProblems(page);
    await page.goto(`${server.url}/`);
    const items = page.locator('[data-lesson]');
    assert.equal(await items.count(), 18);
    assert.deepEqual(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-lesson'))), [...LESSON_SLUGS]);
    assert.deepEqual(problems, { console: [], failed: [] });
    const violations = await seriousA11yViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));
    await page.close();
  });

  for (const slug of LESSON_SLUGS) {
    it(`lesson ${slug}: loads with no console errors or failed requests, passes axe-core`, async () => {
      const page = await browser.newPage();
      const problems = watchProblems(page);
      await page.goto(`${server.url}/learn/${slug}`, { waitUntil: 'networkidle' });
      assert.equal(await page.locator('h1').count(), 1);
      for (const id of ['what-you-will-learn', 'try-it-in-your-terminal', 'check-yourself', 'recap']) {
        assert.equal(await page.locator(`#${id}`).count(), 1, `section #${id}`);
      }
      assert.ok((await page.locator('figure .diagram svg').count()) >= 1, 'at least one diagram');
      // Every "On this page" link lands on exactly one element of the page.
      const toc = await page.evaluate(() =>
        [...document.querySelectorAll('nav[aria-label="On this page"] a[href^="#"]')].map((a) => {
          const id = decodeURIComponent(a.getAttribute('href')!.slice(1));
          return { id, targets: document.querySelectorAll(`[id="${CSS.escape(id)}"]`).length };
        }),
      );
      assert.ok(toc.length >= 5, `the table of contents has ${toc.length} links`);
      assert.deepEqual(toc.filter((l) => l.targets !== 1), [], 'TOC links whose id is not on the page exactly once');
      // Lazy widgets (the live lab) have loaded by now; check them too.
      await page.waitForTimeout(300);
      const violations = await seriousA11yViolations(page);
      assert.equal(violations.length, 0, describeViolations(violations));
      assert.deepEqual(problems, { console: [], failed: [] });
      await page.close();
    });
  }

  it('answers a quiz by keyboard and the course map shows the result', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/learn/ip-addresses`);
    const quiz = page.locator('section[aria-labelledby="check-yourself"]');
    const forms = quiz.locator('form');
    const total = await forms.count();
    assert.ok(total >= 3);
    for (let i = 0; i < total; i++) {
      const form = forms.nth(i);
      await form.locator('input[type=radio]').first().focus();
      // Arrow keys move through a radio group; pick the second choice on odd questions.
      if (i % 2 === 1) await page.keyboard.press('ArrowDown');
      else await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await form.getByRole('status').waitFor();
    }
    const right = await quiz.getByText('Right.', { exact: true }).count();
    await quiz.getByText(new RegExp(`You got ${right} of ${total} right`)).waitFor();
    await page.goto(`${server.url}/`);
    const badge = page.getByTestId('quiz-ip-addresses');
    assert.match((await badge.textContent()) ?? '', new RegExp(`Quiz ${right}/${total}`));
    await page.close();
  });

  it('classifies an address typed into the IP explorer', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/learn/ip-addresses`);
    const explorer = page.locator('section', { has: page.getByRole('heading', { name: 'IP address explorer' }) }).first();
    const input = explorer.getByLabel('Address or network', { exact: true });
    for (const [address, kind] of [
      ['10.20.30.40', 'Private'],
      ['::1', 'Loopback'],
      ['8.8.8.8', 'Public (global unicast)'],
      ['169.254.1.1', 'Link-local'],
    ]) {
      await input.fill(address);
      await explorer.getByText(kind, { exact: true }).first().waitFor();
    }
    await page.close();
  });

  it('marks a lesson read and resets progress from the course map', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/learn/networks`);
    // Reaching the end counts only after 30 s on the page (tests/e2e/lab-ux.test.ts); marking by hand counts at once.
    await page.getByTestId('read-marker').getByRole('button', { name: 'Mark as read' }).click();
    await page.getByTestId('read-marker').getByText('Lesson read').waitFor();
    await page.goto(`${server.url}/`);
    // The server renders "0 of 18"; the browser's own progress shows once the page hydrates.
    await page.getByTestId('progress-summary').filter({ hasText: /^1 of 18 lessons read/ }).waitFor();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Reset progress' }).click();
    await page.getByText('0 of 18 lessons read', { exact: false }).waitFor();
    await page.close();
  });

  it('every lesson and page fits a phone screen (375 px) in dark mode, with no sideways scrolling', { timeout: 120_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await page.addInitScript(() => localStorage.setItem('socketlab:theme', 'dark'));
    const wide: string[] = [];
    for (const path of [...LESSON_SLUGS.map((s) => `/learn/${s}`), '/', '/lab', '/lab/chat', '/class']) {
      await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 1) wide.push(`${path} (+${overflow}px)`);
    }
    assert.deepEqual(wide, []);
    await page.close();
  });

  it('works at phone width in dark mode, and serves a 404 page', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await page.addInitScript(() => localStorage.setItem('socketlab:theme', 'dark'));
    await page.goto(`${server.url}/learn/sockets`);
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('dark')), true);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling (overflow ${overflow}px)`);
    const res = await page.goto(`${server.url}/learn/no-such-lesson`);
    assert.equal(res?.status(), 404);
    await page.getByText('Nothing is listening here').waitFor();
    await page.close();
  });
});
