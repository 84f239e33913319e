/**
 * Lesson 2's challenge on its page in real Chromium, at phone width (issue 18): before the page's
 * sandbox network exists the block says so; with the network built, Check answers from phone's
 * neighbour table (empty, then only laptop after a ping on the LAN); a ping from phone to server,
 * beyond the router, puts the router's MAC there and the check passes. axe on the block, light and
 * dark.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, type AxeViolation } from '../helpers/browser.ts';
import { needs } from '../helpers/tools.ts';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
type AxeWindow = Window & { axe?: { run: (ctx: Element, opts: object) => Promise<{ violations: AxeViolation[] }> } };
const BLOCK = '[data-testid="challenge-phone-next-hop"]';

async function violations(page: Page): Promise<Record<string, string[]>> {
  await page.addScriptTag({ path: AXE_PATH });
  const out: Record<string, string[]> = {};
  for (const theme of ['light', 'dark'] as const) {
    await page.evaluate((t) => document.documentElement.classList.toggle('dark', t === 'dark'), theme);
    const found = await page.evaluate(async (sel) => {
      const axe = (window as AxeWindow).axe;
      const el = document.querySelector(sel);
      if (!axe || !el) throw new Error(`axe or ${sel} missing`);
      return (await axe.run(el, { resultTypes: ['violations'] })).violations;
    }, BLOCK);
    if (found.length) out[theme] = found.map((v) => describeViolations([v]));
  }
  return out;
}

/** Clicks Check and waits for its answer: whether it passed and the text of the status region. */
async function checkNow(page: Page, block: Locator): Promise<{ passed: string | null; text: string }> {
  await block.getByTestId('challenge-check').click();
  await block.getByTestId('challenge-check').and(page.locator(':enabled')).waitFor({ timeout: 20_000 });
  const result = block.getByTestId('challenge-result');
  await result.waitFor({ timeout: 20_000 });
  return { passed: await result.getAttribute('data-passed'), text: (await block.getByTestId('challenge-status').textContent()) ?? '' };
}

describeInBrowser('lesson 2: phone-next-hop on the networks page', () => {
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

  it("fails until phone has sent something beyond the router, then passes, at 375 px", { skip: needs('unshare', 'ip', 'nft'), timeout: 120_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/learn/networks`);
      const block = page.getByTestId('challenge-phone-next-hop');
      await block.getByText('Build the sandbox network in the network lab above first').waitFor({ timeout: 20_000 });
      assert.equal(await block.getByTestId('challenge-check').count(), 0);

      const widget = page.getByTestId('network-lab');
      await widget.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
      await widget.getByTestId('network-create').click();
      await widget.and(page.locator('[data-network="up"]')).waitFor({ timeout: 20_000 });

      const empty = await checkNow(page, block);
      assert.equal(empty.passed, 'false');
      assert.match(empty.text, /phone's neighbour table is empty/);

      await widget.locator('label', { has: page.getByTestId('pick-phone') }).click();
      const ping = async (address: string, runs: number) => {
        const form = widget.getByRole('form', { name: 'Ping from phone' });
        await form.getByLabel('address to ping').fill(address);
        await form.getByLabel('count (1-10)').fill('1');
        await form.getByTestId('ping').click();
        await widget.getByTestId('ping-summary').nth(runs - 1).waitFor({ timeout: 20_000 });
      };
      await ping('192.168.1.10', 1);
      const lanOnly = await checkNow(page, block);
      assert.equal(lanOnly.passed, 'false');
      assert.match(lanOnly.text, /phone knows 192\.168\.1\.10 \(laptop\), but not 192\.168\.1\.1/);

      await ping('203.0.113.80', 2);
      const right = await checkNow(page, block);
      assert.equal(right.passed, 'true', right.text);
      assert.match(right.text, /router's interface \S+ has [0-9a-f:]{17}: the same/);
      await block.getByTestId('challenge-passed').waitFor();
      assert.deepEqual(await violations(page), {});
    } finally {
      await context.close();
    }
  });
});
