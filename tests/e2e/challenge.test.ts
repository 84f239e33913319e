/**
 * Challenges on their lesson pages in real Chromium (issue 18). The server-side lesson's echo
 * challenge at phone width: the learner clicks Check with nothing listening (not yet, ECONNREFUSED
 * in a live region), starts a real echo server on 127.0.0.1:41234 (the test's stand-in for their
 * terminal), checks again by keyboard and passes; the pass is kept in the browser's progress and
 * shows on the course map.
 * The firewalls lesson's challenge checks the page's own sandbox network: before the network
 * exists it says so, and it passes only once a drop rule on the router tells phone from laptop.
 * axe (every impact) on the challenge, light and dark.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, watchProblems, type AxeViolation } from '../helpers/browser.ts';
import { needs } from '../helpers/tools.ts';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
type AxeWindow = Window & { axe?: { run: (ctx: Element, opts: object) => Promise<{ violations: AxeViolation[] }> } };

/** axe, every impact, on one element of the page. */
async function violationsIn(page: Page, selector: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE_PATH });
  const found = await page.evaluate(async (sel) => {
    const axe = (window as AxeWindow).axe;
    const el = document.querySelector(sel);
    if (!axe || !el) throw new Error(`axe or ${sel} missing`);
    return (await axe.run(el, { resultTypes: ['violations'] })).violations;
  }, selector);
  return found.map((v) => describeViolations([v]));
}

async function bothThemes(page: Page, selector: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const theme of ['light', 'dark'] as const) {
    await page.evaluate((t) => document.documentElement.classList.toggle('dark', t === 'dark'), theme);
    const v = await violationsIn(page, selector);
    if (v.length) out[theme] = v;
  }
  return out;
}

/** The status region's text once it shows an answer (not "checking"). */
async function answer(block: Locator): Promise<{ passed: string | null; text: string }> {
  const result = block.getByTestId('challenge-result');
  await result.waitFor({ timeout: 20_000 });
  return { passed: await result.getAttribute('data-passed'), text: (await block.getByTestId('challenge-status').textContent()) ?? '' };
}

/** Clicks Check and waits for a new answer (the previous one disappears while checking). */
async function checkNow(page: Page, block: Locator, how: 'click' | 'keyboard' = 'click') {
  const button = block.getByTestId('challenge-check');
  if (how === 'click') await button.click();
  else {
    await button.focus();
    await page.keyboard.press('Enter');
  }
  await block.getByTestId('challenge-check').and(page.locator(':enabled')).waitFor({ timeout: 20_000 });
  return answer(block);
}

describeInBrowser('challenges on their lesson pages', () => {
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

  it('server-side: echo on 41234, wrong then right, at 375 px; the pass is kept in progress', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    const problems = watchProblems(page);
    let echo: net.Server | null = null;
    try {
      await page.goto(`${server.url}/learn/server-side`);
      const block = page.getByTestId('challenge-echo-41234');
      await block.getByRole('heading', { name: 'Challenge: An echo server of your own' }).waitFor();
      assert.match((await block.textContent()) ?? '', /listens on 127\.0\.0\.1 port 41234/);

      const wrong = await checkNow(page, block);
      assert.equal(wrong.passed, 'false');
      assert.match(wrong.text, /Not yet: 0 of 1 checks held/);
      assert.match(wrong.text, /ECONNREFUSED/);
      assert.equal(await block.getByTestId('challenge-passed').count(), 0);

      echo = net.createServer((sock) => {
        sock.on('error', () => {});
        sock.once('data', (d) => sock.end(d));
      });
      await new Promise<void>((resolve, reject) => echo!.once('error', reject).listen(41234, '127.0.0.1', resolve));
      const right = await checkNow(page, block, 'keyboard');
      assert.equal(right.passed, 'true', right.text);
      assert.match(right.text, /Passed: 2 of 2 checks held/);
      assert.match(right.text, /read back "hello from the lab [0-9a-f]{8}"/);
      await block.getByTestId('challenge-passed').waitFor();
      const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('socketlab:progress:v1') ?? '{}'));
      assert.equal(typeof stored['server-side']?.challenges?.['echo-41234'], 'number');

      // 375 px: the block and its answer fit; the page does not scroll sideways.
      const box = await block.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `the challenge is within the screen: ${JSON.stringify(box)}`);
      assert.ok(await block.evaluate((el) => el.scrollWidth <= el.clientWidth), 'nothing in the challenge is cut off');
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the page does not scroll sideways');

      assert.deepEqual(await bothThemes(page, '[data-testid="challenge-echo-41234"]'), {});

      // Reloaded, the block still says it was passed (progress, not the session); so does the course map.
      await page.reload();
      await page.getByTestId('challenge-echo-41234').getByTestId('challenge-passed').waitFor();
      await page.goto(`${server.url}/`);
      assert.equal(((await page.getByTestId('challenges-server-side').textContent()) ?? '').trim(), '★ 1 challenge passed');
      assert.deepEqual(problems, { console: [], failed: [] });
    } finally {
      if (echo) await new Promise((r) => echo!.close(r));
      await context.close();
    }
  });

  describe('with the sandbox network', { skip: needs('unshare', 'ip', 'nft') }, () => {
    it('firewalls: checks the page\'s own network; passes once the router drops phone\'s packets', { timeout: 120_000 }, async () => {
      const page = await browser.newPage();
      try {
        await page.goto(`${server.url}/learn/firewalls`);
        const block = page.getByTestId('challenge-block-phone');
        await block.getByText('Build the sandbox network in the network lab above first').waitFor({ timeout: 20_000 });
        assert.equal(await block.getByTestId('challenge-check').count(), 0);

        const widget = page.getByTestId('network-lab');
        await widget.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
        await widget.getByTestId('network-create').click();
        await widget.and(page.locator('[data-network="up"]')).waitFor({ timeout: 20_000 });

        const open = await checkNow(page, block);
        assert.equal(open.passed, 'false');
        assert.match(open.text, /phone cannot connect to server 203\.0\.113\.80:80: it connected/);

        // A drop on the router's forward chain, from phone's LAN address: before NAT hides who sent it.
        await widget.locator('label', { has: page.getByTestId('pick-router') }).click();
        const form = widget.getByRole('form', { name: 'Firewall rule on router' });
        await form.getByLabel('chain').selectOption('forward');
        await form.getByLabel('source address').fill('192.168.1.11');
        await form.getByLabel('destination address').fill('203.0.113.80');
        await form.getByLabel('verdict').selectOption('drop');
        await widget.getByTestId('rule-add').click();
        await widget.getByTestId('rule-list').locator('[data-verdict="drop"]').waitFor();

        const right = await checkNow(page, block);
        assert.equal(right.passed, 'true', right.text);
        assert.match(right.text, /no answer within 3 s/);
        await block.getByTestId('challenge-passed').waitFor();
        assert.deepEqual(await bothThemes(page, '[data-testid="challenge-block-phone"]'), {});
      } finally {
        await page.close();
      }
    });
  });
});
