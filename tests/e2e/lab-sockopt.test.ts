/**
 * Socket options and the kernel's answers about addresses, on a socket's card, in Chromium against
 * the real server, by keyboard alone: setsockopt SO_RCVBUF 8192 then getsockopt reads the kernel's
 * 16384 and says it doubles; SO_REUSEADDR on reads back on; getsockname after bind shows the
 * address the kernel gave; getpeername on an unconnected socket shows ENOTCONN and what it means;
 * the code view writes them as a program.
 * The session saved as a file and opened on the replay page shows the option steps, and running
 * it again makes them again. The fallback engine's cards say it cannot make option calls rather
 * than hide the controls. axe (every impact) on /lab with the option picker open, light and dark,
 * and the picker fits a 375 px phone.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, launch, watchProblems } from '../helpers/browser.ts';
import { allViolations, lab, card, timeline, openLab, tabTo, pressUntil, steps, waitForStep, newSocketByKeyboard, selectCall } from '../helpers/lab-page.ts';

/** Picks an option in the card's option picker with the arrow keys. */
async function selectOption(page: Page, sock: string, option: string) {
  const picker = card(page, sock).getByLabel('option', { exact: true });
  await tabTo(page, picker);
  const current = () => picker.inputValue();
  const names = await picker.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  const key = names.indexOf(option) > names.indexOf(await current()) ? 'ArrowDown' : 'ArrowUp';
  await pressUntil(page, key, async () => (await current()) === option);
}

/** Presses the card's call button (named after the selected call) with Enter; waits for its step. */
async function makeCall(page: Page, sock: string, op: string) {
  const before = await steps(page);
  await tabTo(page, card(page, sock).getByRole('button', { name: `${op}()`, exact: true }));
  await page.keyboard.press('Enter');
  await waitForStep(page, before);
}

const result = (page: Page, sock: string) => card(page, sock).getByTestId('call-result');

async function resultFor(page: Page, sock: string, op: string, outcome: 'ok' | 'error'): Promise<string> {
  const r = result(page, sock);
  await r.and(page.locator(`[data-outcome="${outcome}"]`)).filter({ hasText: `${op}(` }).waitFor();
  return (await r.textContent()) ?? '';
}

describeInBrowser('socket options and address questions on a socket\'s card, in Chromium', () => {
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

  it('sets and reads options, asks for the addresses, by keyboard alone; the saved session replays them', { timeout: 120_000 }, async () => {
    const page = await freshPage();
    const problems = watchProblems(page);
    let saved = '';
    try {
      await openLab(page, server.url);
      await newSocketByKeyboard(page, 's1', 'server');

      // setsockopt(SO_RCVBUF, 8192): the picker's hint and the value's unit follow the option.
      await selectCall(page, 's1', 'setsockopt');
      await selectOption(page, 's1', 'SO_RCVBUF');
      assert.match((await card(page, 's1').getByTestId('option-hint').textContent()) ?? '', /receive buffer/);
      const value = card(page, 's1').getByLabel('value (bytes)');
      await tabTo(page, value);
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('8k');
      assert.match((await card(page, 's1').getByTestId('option-value-error').textContent()) ?? '', /whole number of bytes/);
      assert.equal(await value.getAttribute('aria-invalid'), 'true');
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('8192');
      assert.equal(await card(page, 's1').getByTestId('option-value-error').count(), 0);
      await makeCall(page, 's1', 'setsockopt');
      assert.match(await resultFor(page, 's1', 'setsockopt', 'ok'), /setsockopt\(s1, SO_RCVBUF, 8192 bytes\)/);
      assert.match((await lab(page).getByTestId('coach').textContent()) ?? '', /getsockopt\(\) on s1/);

      // The form now offers getsockopt of the same option: the kernel keeps double.
      assert.equal(await card(page, 's1').locator('input[type="radio"]:checked').getAttribute('value'), 'getsockopt');
      assert.equal(await card(page, 's1').getByLabel('option', { exact: true }).inputValue(), 'SO_RCVBUF');
      await makeCall(page, 's1', 'getsockopt');
      const read = await resultFor(page, 's1', 'getsockopt', 'ok');
      assert.match(read, /getsockopt\(s1, SO_RCVBUF\) → 16384 bytes/);
      assert.match((await card(page, 's1').getByTestId('option-reading').textContent()) ?? '', /The kernel doubles it: you asked for 8192 bytes and it keeps 16384/);
      await timeline(page).locator('[data-op="getsockopt"][data-status="ok"]', { hasText: '16384 bytes' }).waitFor();

      // SO_REUSEADDR on (the switch starts on; Space would turn it off), then read back.
      await selectCall(page, 's1', 'setsockopt');
      await selectOption(page, 's1', 'SO_REUSEADDR');
      const on = card(page, 's1').getByRole('checkbox', { name: /SO_REUSEADDR on/ });
      await tabTo(page, on);
      await page.keyboard.press('Space');
      assert.equal(await on.isChecked(), false);
      await page.keyboard.press('Space');
      assert.equal(await on.isChecked(), true);
      await makeCall(page, 's1', 'setsockopt');
      assert.match(await resultFor(page, 's1', 'setsockopt', 'ok'), /setsockopt\(s1, SO_REUSEADDR, 1 \(on\)\)/);
      await makeCall(page, 's1', 'getsockopt');
      assert.match(await resultFor(page, 's1', 'getsockopt', 'ok'), /getsockopt\(s1, SO_REUSEADDR\) → 1 \(on\)/);

      // bind, then getsockname: one click (one Enter) shows the address the kernel holds.
      await selectCall(page, 's1', 'bind');
      await makeCall(page, 's1', 'bind');
      await resultFor(page, 's1', 'bind', 'ok');
      const local = ((await card(page, 's1').locator('dd').first().textContent()) ?? '').trim();
      assert.match(local, /^127\.0\.0\.1:41\d{3}$/);
      let before = await steps(page);
      await tabTo(page, card(page, 's1').getByRole('button', { name: 'getsockname()' }));
      await page.keyboard.press('Enter');
      await waitForStep(page, before);
      assert.match(await resultFor(page, 's1', 'getsockname', 'ok'), new RegExp(`getsockname\\(s1\\) → ${local.replace(/\./g, '\\.')}`));

      // getpeername on a socket with no peer: marked before the click, ENOTCONN and its meaning after.
      const peer = card(page, 's1').getByRole('button', { name: /^getpeername\(\)/ });
      assert.equal(await peer.getAttribute('data-likely-fails'), 'ENOTCONN');
      before = await steps(page);
      await tabTo(page, peer);
      await page.keyboard.press('Enter');
      await waitForStep(page, before);
      const failed = await resultFor(page, 's1', 'getpeername', 'error');
      assert.match(failed, /ENOTCONN/);
      assert.match(failed, /Not connected: this call needs a connected socket\./);
      assert.match((await lab(page).getByTestId('coach').textContent()) ?? '', /getpeername\(\) failed with ENOTCONN/);

      // The code view writes the same calls as a program (Python is its first tab).
      const code = lab(page).locator('summary', { hasText: 'Code view' });
      await tabTo(page, code);
      await page.keyboard.press('Enter');
      const program = lab(page).locator('[data-program="server.py"] pre');
      await program.waitFor();
      const python = (await program.textContent()) ?? '';
      assert.match(python, /setsockopt\(socket\.SOL_SOCKET, socket\.SO_RCVBUF, 8192\)/);
      assert.match(python, /getsockopt\(socket\.SOL_SOCKET, socket\.SO_REUSEADDR\)/);
      assert.match(python, /\.getsockname\(\)/);
      assert.match(python, /\.getpeername\(\)/);

      // Saved as a file, by keyboard.
      const download = page.waitForEvent('download');
      await tabTo(page, lab(page).getByTestId('save-file'));
      await page.keyboard.press('Enter');
      saved = await readFile((await (await download).path())!, 'utf8');
      const ops = (JSON.parse(saved) as { steps: { op: string }[] }).steps.map((s) => s.op);
      assert.deepEqual(ops, ['socket', 'setsockopt', 'getsockopt', 'setsockopt', 'getsockopt', 'bind', 'getsockname', 'getpeername']);

      // Rewound to the first getsockopt, "Replay from here" makes the option calls again, for real.
      await timeline(page).locator('[data-seq="3"] button').click();
      await lab(page).getByTestId('rewind-here').click();
      await page.getByTestId('rewind-bar').and(page.locator('[data-seq="3"]')).waitFor();
      await page.getByTestId('replay-from-here').click();
      const replayed = lab(page).getByTestId('replay-status');
      await replayed.and(page.locator('[data-done="true"]')).waitFor();
      assert.match((await replayed.textContent()) ?? '', /Replayed 3 calls on new sockets.*answered each one as it did before/);
      assert.equal(await timeline(page).locator('[role="listitem"]').count(), 3);
      await timeline(page).locator('[data-op="getsockopt"][data-status="ok"]', { hasText: '16384 bytes' }).waitFor();
      assert.deepEqual(problems, { console: [], failed: [] });
    } finally {
      await page.context().close();
    }

    const other = await freshPage();
    try {
      await other.goto(`${server.url}/lab/replay`);
      await other.getByTestId('session-file-input').setInputFiles({ name: 'session.json', mimeType: 'application/json', buffer: Buffer.from(saved) });
      const replay = other.getByTestId('session-replay');
      await replay.waitFor();
      const bar = other.getByTestId('rewind-bar');
      await bar.getByRole('slider').fill('7');
      await bar.and(other.locator('[data-seq="8"]')).waitFor();
      const recorded = replay.locator('[aria-label="Steps"]');
      assert.match((await recorded.locator('[data-op="setsockopt"]').first().textContent()) ?? '', /setsockopt\(s1, SO_RCVBUF, 8192 bytes\)/);
      assert.match((await recorded.locator('[data-op="getsockopt"]').first().textContent()) ?? '', /→ 16384 bytes/);
      assert.equal(await recorded.locator('[data-op="getpeername"][data-outcome="error"]').count(), 1);
      // Run it again: every call made anew, the option calls included, each answered as before.
      await replay.getByTestId('run-again').click();
      const status = lab(other).getByTestId('replay-status');
      await status.and(other.locator('[data-done="true"]')).waitFor({ timeout: 20_000 });
      assert.match((await status.textContent()) ?? '', /Replayed 8 calls on new sockets.*answered each one as it did before/);
      const live = timeline(other);
      await live.locator('[data-op="getsockopt"][data-status="ok"]', { hasText: '16384 bytes' }).waitFor();
      await live.locator('[data-op="getsockopt"][data-status="ok"]', { hasText: '1 (on)' }).waitFor();
      await live.locator('[data-op="getpeername"][data-outcome="error"]').waitFor();
    } finally {
      await other.context().close();
    }
  });

  it('on the fallback engine the option controls stay and say the call answers E_UNSUPPORTED', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    try {
      await openLab(page, fallback.url);
      await newSocketByKeyboard(page, 's1', 'server');
      await selectCall(page, 's1', 'getsockopt');
      const note = card(page, 's1').getByTestId('option-unsupported');
      assert.match((await note.textContent()) ?? '', /getsockopt\(\) will answer E_UNSUPPORTED here: this server's fallback engine/);
      assert.equal(await card(page, 's1').getByLabel('option', { exact: true }).isVisible(), true, 'the picker is not hidden');
      assert.equal(await card(page, 's1').locator('label[data-op="getsockopt"]').getAttribute('data-likely-fails'), 'E_UNSUPPORTED');
      await makeCall(page, 's1', 'getsockopt');
      assert.match(await resultFor(page, 's1', 'getsockopt', 'error'), /E_UNSUPPORTED/);
    } finally {
      await page.context().close();
    }
  });

  it('the option picker fits a 375 px phone', { timeout: 60_000 }, async () => {
    const page = await freshPage(375);
    try {
      await openLab(page, server.url);
      await newSocketByKeyboard(page, 's1', 'server');
      await selectCall(page, 's1', 'setsockopt');
      await selectOption(page, 's1', 'SO_LINGER');
      const fields = card(page, 's1').getByTestId('option-fields');
      for (const control of [card(page, 's1').getByLabel('option', { exact: true }), card(page, 's1').getByLabel(/^seconds/), card(page, 's1').getByRole('button', { name: 'setsockopt()', exact: true })]) {
        const box = await control.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `${control.toString()} is within the screen`);
      }
      assert.ok(await fields.evaluate((el) => el.scrollWidth <= el.clientWidth), 'nothing in the option fields is cut off');
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the page does not scroll sideways');
      await makeCall(page, 's1', 'setsockopt');
      assert.match(await resultFor(page, 's1', 'setsockopt', 'ok'), /SO_LINGER, \{on, 0 s\}/);
    } finally {
      await page.context().close();
    }
  });

  it('has no accessibility violations of any impact on /lab with the option picker open, light and dark', { timeout: 90_000 }, async () => {
    const found: Record<string, string[]> = {};
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await freshPage(1280, colorScheme);
      try {
        await openLab(page, server.url);
        await newSocketByKeyboard(page, 's1', 'server');
        await newSocketByKeyboard(page, 's2', 'client');
        await selectCall(page, 's1', 'setsockopt');
        await selectOption(page, 's1', 'SO_RCVBUF');
        const value = card(page, 's1').getByLabel('value (bytes)');
        await tabTo(page, value);
        await page.keyboard.press('ControlOrMeta+a');
        await page.keyboard.type('lots');
        await card(page, 's1').getByTestId('option-value-error').waitFor();
        await selectCall(page, 's2', 'getsockopt');
        // One call marked to fail with its words, one kernel reading with its meaning.
        await makeCall(page, 's2', 'getsockopt');
        await resultFor(page, 's2', 'getsockopt', 'ok');
        found[colorScheme] = await allViolations(page);
      } finally {
        await page.context().close();
      }
    }
    assert.deepEqual(found, { light: [], dark: [] });
  });
});
