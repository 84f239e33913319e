/**
 * poll() on the lab page (issue 19), in Chromium against the real server, by keyboard alone: a
 * listener, the poll() panel with "wait until ready", the blocked state, a client connecting from
 * another program wakes it with the kernel's "in" on the listener, explained, and the coach
 * suggests accept() there; accept. A second waiting poll is cancelled by closing one of its sockets
 * (the protocol's only way: E_CANCELLED). A timeout in ms that passes answers 0. The code view
 * writes the poll. The fallback engine's panel says poll answers E_UNSUPPORTED and shows the
 * refusal. axe (every impact) light and dark with an answer shown; the panel fits a 375 px phone.
 * The one-thread-server scenario runs to its end through the UI in tests/e2e/lab.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, launch, watchProblems } from '../helpers/browser.ts';
import { allViolations, lab, card, timeline, openLab, tabTo, pressUntil, steps, waitForStep, newSocketByKeyboard, selectCall } from '../helpers/lab-page.ts';

/** Presses the card's call button (named after the selected call) with Enter; waits for its step. */
async function makeCall(page: Page, sock: string, op: string) {
  const before = await steps(page);
  await tabTo(page, card(page, sock).getByRole('button', { name: `${op}()`, exact: true }));
  await page.keyboard.press('Enter');
  await waitForStep(page, before);
}

const panel = (page: Page) => lab(page).getByTestId('poll-panel');

async function makeListener(page: Page) {
  await newSocketByKeyboard(page, 's1', 'server');
  await selectCall(page, 's1', 'bind');
  await makeCall(page, 's1', 'bind');
  await selectCall(page, 's1', 'listen');
  await makeCall(page, 's1', 'listen');
  // A failure names what the lab showed (one run on a loaded machine timed out here, unexplained).
  try {
    await timeline(page).locator('[data-op="listen"][data-status="ok"]').waitFor();
    await card(page, 's1').and(page.locator('[data-state="LISTEN"]')).waitFor();
  } catch (e) {
    assert.fail(`s1 did not become a listener: ${e instanceof Error ? e.message : String(e)}\nthe lab showed: ${await lab(page).textContent()}`);
  }
}

async function openPanel(page: Page) {
  await tabTo(page, panel(page).locator('summary'));
  await page.keyboard.press('Enter');
  await panel(page).getByTestId('poll-call').waitFor();
}

/** Presses poll() with Enter; waits for its step. */
async function callPoll(page: Page) {
  const before = await steps(page);
  await tabTo(page, panel(page).getByTestId('poll-call'));
  await page.keyboard.press('Enter');
  await waitForStep(page, before);
}

describeInBrowser('poll() on the lab page, in Chromium', () => {
  let server: RunningServer;
  let fallback: RunningServer;
  let browser: Browser;
  before(async () => {
    server = await startLab({ labOnly: false, commandsPerSecond: 50, engine: 'native' });
    fallback = await startLab({ labOnly: false, commandsPerSecond: 50, engine: 'node' });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await fallback?.close();
  });

  async function freshPage(width = 1280, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
    return context.newPage();
  }

  it('waits in poll() until a client connects, explains "in", accepts; cancels a waiting poll; a timeout answers 0', { timeout: 120_000 }, async () => {
    const page = await freshPage();
    const problems = watchProblems(page);
    try {
      await openLab(page, server.url);
      await makeListener(page);
      await openPanel(page);
      // Every open socket is offered with "in" ticked, and the timeout starts at "wait until ready".
      assert.equal(await panel(page).getByRole('checkbox', { name: /^s1: in/ }).isChecked(), true);
      assert.equal(await panel(page).getByRole('radio', { name: /wait until one is ready/ }).isChecked(), true);
      await callPoll(page);

      const blocked = panel(page).getByTestId('poll-blocked');
      await blocked.waitFor();
      assert.match((await blocked.textContent()) ?? '', /blocked in poll\(\[s1 in\], no timeout\)/);
      await timeline(page).locator('[data-op="poll"][data-status="blocked"]').waitFor();
      assert.match((await lab(page).getByTestId('coach').textContent()) ?? '', /poll\(\) is waiting: none of s1 is ready/);

      // Another program connects: the kernel makes the listener readable and the poll returns.
      await newSocketByKeyboard(page, 's2', 'client');
      await selectCall(page, 's2', 'connect');
      await makeCall(page, 's2', 'connect');
      const answer = panel(page).getByTestId('poll-answer').and(page.locator('[data-outcome="ok"]'));
      await answer.waitFor();
      const s1 = answer.locator('[data-poll-result="s1"]');
      assert.equal(await s1.getAttribute('data-revents'), 'in');
      assert.match((await s1.textContent()) ?? '', /a finished connection waits: accept\(\) will not block → call accept\(\) on s1/);
      await timeline(page).locator('[data-op="poll"][data-status="ok"]', { hasText: '→ 1 ready: s1 in' }).waitFor();
      // The coach speaks of the newest step (the connect); the poll's own line is in the announcer.
      assert.match((await lab(page).getByTestId('lab-announcer').textContent()) ?? '', /./);

      await selectCall(page, 's1', 'accept');
      await makeCall(page, 's1', 'accept');
      await card(page, 's3').waitFor();

      // A second poll over all three waits (nothing is ready); cancelling closes one of its sockets.
      await callPoll(page);
      await blocked.waitFor();
      assert.match((await blocked.textContent()) ?? '', /poll\(\[s1 in, s2 in, s3 in\], no timeout\)/);
      const before = await steps(page);
      await tabTo(page, blocked.getByRole('button', { name: 'Cancel: close s3' }));
      await page.keyboard.press('Enter');
      await waitForStep(page, before);
      const cancelled = panel(page).getByTestId('poll-answer').and(page.locator('[data-outcome="error"]'));
      await cancelled.waitFor();
      assert.match((await cancelled.textContent()) ?? '', /E_CANCELLED/);
      assert.equal(await blocked.count(), 0, 'no longer blocked');

      // A timeout of 200 ms on the listener alone: nothing connects, poll answers 0.
      for (const sock of ['s2']) {
        await tabTo(page, panel(page).getByRole('checkbox', { name: new RegExp(`^${sock}: in`) }));
        await page.keyboard.press('Space');
      }
      await tabTo(page, panel(page).getByRole('radio', { name: /wait until one is ready/ }));
      await pressUntil(page, 'ArrowRight', () => panel(page).getByRole('radio', { name: 'at most' }).isChecked());
      const ms = panel(page).getByRole('textbox');
      await tabTo(page, ms);
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('soon');
      await tabTo(page, panel(page).getByTestId('poll-call'));
      await page.keyboard.press('Enter');
      assert.match((await panel(page).getByRole('alert').textContent()) ?? '', /whole number of milliseconds/);
      assert.equal(await ms.getAttribute('aria-invalid'), 'true');
      await tabTo(page, ms);
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('200');
      await callPoll(page);
      await timeline(page).locator('[data-op="poll"][data-status="ok"]', { hasText: 'poll([s1 in], 200 ms)→ 0: nothing ready' }).waitFor();
      assert.match((await panel(page).getByTestId('poll-answer').textContent()) ?? '', /s1 nothing ready: an accept\(\) here would block/);

      // The code view writes the polls as a program.
      await tabTo(page, lab(page).locator('summary', { hasText: 'Code view' }));
      await page.keyboard.press('Enter');
      const program = lab(page).locator('[data-program="server.py"] pre');
      await program.waitFor();
      assert.match((await program.textContent()) ?? '', /select\.poll\(\)/);
      assert.deepEqual(problems, { console: [], failed: [] });
    } finally {
      await page.context().close();
    }
  });

  it('on the fallback engine the panel stays, says poll answers E_UNSUPPORTED, and shows the refusal', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    try {
      await openLab(page, fallback.url);
      await newSocketByKeyboard(page, 's1', 'server');
      await openPanel(page);
      assert.match((await panel(page).getByTestId('poll-unsupported').textContent()) ?? '', /fallback engine, which cannot make a real poll\(2\).*E_UNSUPPORTED/);
      await callPoll(page);
      const refused = panel(page).getByTestId('poll-answer').and(page.locator('[data-outcome="error"]'));
      await refused.waitFor();
      assert.match((await refused.textContent()) ?? '', /E_UNSUPPORTED/);
      assert.match((await lab(page).getByTestId('coach').textContent()) ?? '', /fallback engine, which cannot make a real poll\(2\)/);
    } finally {
      await page.context().close();
    }
  });

  it('the panel fits a 375 px phone', { timeout: 60_000 }, async () => {
    const page = await freshPage(375);
    try {
      await openLab(page, server.url);
      await makeListener(page);
      await newSocketByKeyboard(page, 's2', 'client');
      await openPanel(page);
      await callPoll(page);
      await panel(page).getByTestId('poll-answer').waitFor();
      for (const control of [panel(page).getByRole('checkbox', { name: /^s2: out/ }), panel(page).getByRole('textbox'), panel(page).getByTestId('poll-call')]) {
        const box = await control.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `${control.toString()} is within the screen`);
      }
      assert.ok(await panel(page).evaluate((el) => el.scrollWidth <= el.clientWidth), 'nothing in the panel is cut off');
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the page does not scroll sideways');
    } finally {
      await page.context().close();
    }
  });

  it('has no accessibility violations of any impact with the panel open, blocked and answered, light and dark', { timeout: 90_000 }, async () => {
    const found: Record<string, string[]> = {};
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await freshPage(1280, colorScheme);
      try {
        await openLab(page, server.url);
        await makeListener(page);
        await openPanel(page);
        await callPoll(page);
        await panel(page).getByTestId('poll-blocked').waitFor();
        const blockedViolations = await allViolations(page);
        await newSocketByKeyboard(page, 's2', 'client');
        await selectCall(page, 's2', 'connect');
        await makeCall(page, 's2', 'connect');
        await panel(page).getByTestId('poll-answer').waitFor();
        found[colorScheme] = [...blockedViolations, ...(await allViolations(page))];
      } finally {
        await page.context().close();
      }
    }
    assert.deepEqual(found, { light: [], dark: [] });
  });
});
