/**
 * Where capture cannot run, the lab says why in one line and what would enable it, and nothing
 * else breaks (issue 17), in Chromium against the real server started without CAP_NET_RAW
 * (setpriv, tests/helpers/server-without-net-raw.ts): the packet view's summary says it is not
 * available; opened by keyboard, it shows the server's reason and remedy in one line and loads no
 * packet panel; a socket made and bound by keyboard still gives its steps; axe finds nothing
 * serious, on a desktop and on a 375 px phone in dark mode.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, describeViolations, launch, seriousA11yViolations, watchProblems } from '../helpers/browser.ts';
import { card, lab, newSocketByKeyboard, openLab, selectCall, tabTo, timeline } from '../helpers/lab-page.ts';
import { openPacketView, packetSection } from '../helpers/packet-page.ts';
import { startWithoutNetRaw, type ChildServer } from '../helpers/server-without-net-raw.ts';
import { needs } from '../helpers/tools.ts';

const section = (page: Page) => packetSection(lab(page));
const LINE = /^Packets cannot be captured here: Capturing packets on lo needs root or the CAP_NET_RAW capability, and this server has neither\. To enable it: Run the server as root, or give Node the capability once with `sudo setcap cap_net_raw\+ep [^`]+`; the sandbox network captures without either\.$/;

/** Opens the packet view by keyboard and returns its one line. */
async function openForWhy(page: Page): Promise<string> {
  await openPacketView(page, section(page));
  const line = section(page).getByTestId('capture-unavailable');
  await line.waitFor();
  return ((await line.textContent()) ?? '').trim();
}

async function assertAxeClean(page: Page, what: string) {
  const violations = await seriousA11yViolations(page);
  assert.deepEqual(violations, [], `${what}:\n${describeViolations(violations)}`);
}

describeInBrowser('the lab on a server that cannot capture packets', () => {
  describe('without CAP_NET_RAW', { skip: needs('setpriv') }, () => {
    let server: ChildServer;
    let browser: Browser;
    before(async () => {
      server = await startWithoutNetRaw(['--workers', '1', '--lab-ports', '43400-43499']);
      assert.equal(server.hasNetRaw(), false, 'the server runs without CAP_NET_RAW');
      browser = await launch();
    }, { timeout: 120_000 });
    after(async () => {
      await browser?.close();
      await server?.close();
    });

    it('says why in one line with the remedy, and a socket made and bound by keyboard still shows its steps', { timeout: 60_000 }, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems = watchProblems(page);
      try {
        await openLab(page, server.url);
        assert.match((await section(page).locator('summary').textContent()) ?? '', /not available on this server: open for why/);
        const line = await openForWhy(page);
        assert.match(line, LINE);
        assert.equal(await section(page).getByTestId('capture-unavailable').count(), 1, 'one line');
        assert.equal(await section(page).getByTestId('packet-table').count(), 0, 'no packet view that could only stay empty');
        assert.equal(await section(page).locator('[data-testid="capture-state"]').count(), 0);

        // The rest of the lab: socket() and bind() by keyboard, each a step on the timeline.
        await newSocketByKeyboard(page, 's1', 'server');
        await timeline(page).locator('[data-op="socket"][data-status="ok"]').waitFor();
        await selectCall(page, 's1', 'bind');
        await tabTo(page, card(page, 's1').getByRole('button', { name: 'bind()' }));
        await page.keyboard.press('Enter');
        const bound = timeline(page).locator('[data-op="bind"][data-status="ok"]');
        await bound.waitFor({ timeout: 20_000 });
        assert.match((await bound.textContent()) ?? '', /bind\(s1/);
        // Still one line, and still no packets under any step.
        assert.equal(await section(page).getByTestId('capture-unavailable').count(), 1);
        assert.equal(await timeline(page).getByTestId('timeline-packet').count(), 0);

        await assertAxeClean(page, 'desktop, light');
        assert.deepEqual(problems, { console: [], failed: [] });
      } finally {
        await page.close();
      }
    });

    it('at 375 px in dark mode the line fits the screen and axe finds nothing serious', { timeout: 60_000 }, async () => {
      const context = await browser.newContext({ viewport: { width: 375, height: 800 }, colorScheme: 'dark' });
      await context.addInitScript(() => localStorage.setItem('socketlab:theme', 'dark'));
      const page = await context.newPage();
      try {
        await openLab(page, server.url);
        assert.match(await openForWhy(page), LINE);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
        const box = await section(page).getByTestId('capture-unavailable').boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `the line fits: ${JSON.stringify(box)}`);
        assert.equal(await page.evaluate(() => document.documentElement.classList.contains('dark')), true);
        await assertAxeClean(page, 'phone, dark');
      } finally {
        await context.close();
      }
    });
  });
});
