/**
 * The provisional row, in Chromium against the real server: a call is drawn ("calling bind(…)…")
 * in the first frame after the click, before the server can have answered, and the real step takes
 * its place when it arrives. The answer is held back deterministically by routing the page's lab
 * WebSocket through Playwright (every message still comes from the real server; the route only
 * delays the answers to the call under test, or closes the connection).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Locator, Page, WebSocketRoute } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, seriousA11yViolations, watchProblems } from '../helpers/browser.ts';

const lab = (page: Page) => page.getByTestId('socket-lab');
const card = (page: Page, sock: string) => lab(page).locator(`article[data-sock="${sock}"]`);
const steps = (page: Page) => lab(page).locator('[aria-label="Steps"]');
const waiting = (page: Page) => lab(page).getByRole('list', { name: 'Calls waiting for an answer' });

/**
 * The page's /lab connections, passed through to the real server, except that the server's
 * messages about a held op (its step events and its reply, matched by the command's id) wait until
 * release() is called.
 */
class LabRoute {
  hold: string | null = null;
  private heldIds = new Set<string>();
  private queue: { server: WebSocketRoute; page: WebSocketRoute; message: string | Buffer }[] = [];
  /** The newest page-side connection. */
  page: WebSocketRoute | null = null;

  async install(page: Page): Promise<void> {
    await page.routeWebSocket(/\/lab(\?|$)/, (ws) => {
      const server = ws.connectToServer();
      this.page = ws;
      ws.onMessage((message) => {
        const cmd = JSON.parse(String(message)) as { id: unknown; op: string };
        if (cmd.op === this.hold) this.heldIds.add(String(cmd.id));
        server.send(message);
      });
      server.onMessage((message) => {
        const msg = JSON.parse(String(message)) as { id?: unknown };
        if (msg.id !== undefined && msg.id !== null && this.heldIds.has(String(msg.id))) this.queue.push({ server, page: ws, message });
        else ws.send(message);
      });
    });
  }

  get held(): number {
    return this.queue.length;
  }

  release(): void {
    this.hold = null;
    for (const { page, message } of this.queue.splice(0)) page.send(message);
  }
}

async function openLab(page: Page, url: string) {
  await page.goto(`${url}/lab`);
  await page.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
}

async function newServerSocket(page: Page) {
  await lab(page).getByLabel('program', { exact: true }).fill('server');
  await lab(page).getByRole('button', { name: 'socket()' }).click();
  await card(page, 's1').waitFor();
  await steps(page).locator('[data-op="socket"][data-status="ok"]').waitFor();
}

type FirstFrame = { provisional: string | null; real: number };

/**
 * Clicks like a learner (real mouse input through Chromium) and resolves with what the first frame
 * after the click holds: an animation callback registered as the click is dispatched runs before
 * that frame is painted, so whatever is in the DOM then is in that frame.
 */
async function clickAndLookAtNextFrame(page: Page, target: Locator, op: string): Promise<FirstFrame> {
  await page.evaluate((op) => {
    const w = window as unknown as { __firstFrame?: FirstFrame };
    delete w.__firstFrame;
    document.addEventListener(
      'click',
      () =>
        requestAnimationFrame(() => {
          w.__firstFrame = {
            provisional: document.querySelector(`[aria-label="Calls waiting for an answer"] [data-op="${op}"]`)?.textContent ?? null,
            real: document.querySelectorAll(`[aria-label="Steps"] [data-op="${op}"]`).length,
          };
        }),
      { capture: true, once: true },
    );
  }, op);
  await target.click();
  const seen = await page.waitForFunction(() => (window as unknown as { __firstFrame?: FirstFrame }).__firstFrame);
  return (await seen.jsonValue()) as FirstFrame;
}

describeInBrowser('a call is drawn in the frame of the click, then replaced by its step', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    server = await startLab({ labOnly: false, commandsPerSecond: 50 });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function freshPage(): Promise<{ page: Page; route: LabRoute }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const route = new LabRoute();
    await route.install(page);
    return { page, route };
  }

  it('shows "calling bind(…)…" with the real arguments until the answer, then the real step in its place', { timeout: 60_000 }, async () => {
    const { page, route } = await freshPage();
    const problems = watchProblems(page);
    try {
      await openLab(page, server.url);
      await newServerSocket(page);
      await card(page, 's1').locator('label[data-op="bind"]').click();
      route.hold = 'bind';
      const frame = await clickAndLookAtNextFrame(page, card(page, 's1').getByRole('button', { name: 'bind()' }), 'bind');
      assert.equal(frame.real, 0, 'the server has not answered (the route holds it)');
      assert.match(frame.provisional ?? '', /calling bind\(s1, 127\.0\.0\.1:0\)…/, 'drawn in the first frame after the click, with the real arguments');

      // While the answer is held it stays provisional, and nothing about it passes for an answer.
      const row = waiting(page).getByRole('listitem');
      assert.equal(await row.count(), 1);
      const text = (await row.textContent()) ?? '';
      assert.match(text, /calling bind\(s1, 127\.0\.0\.1:0\)…/);
      assert.match(text, /no answer yet/);
      assert.doesNotMatch(text, /→|✗|ok|EADDR/, 'no result, no status');
      assert.equal(await row.getAttribute('data-status'), null);
      assert.equal(await row.getAttribute('data-seq'), null);
      assert.equal(await row.getByRole('button').count(), 0, 'nothing to select until it is a step');
      assert.equal(await row.locator('div').first().evaluate((el) => getComputedStyle(el).borderTopStyle), 'dashed');
      assert.equal(await steps(page).locator('[role="listitem"]').count(), 1, 'the Steps list still holds only socket()');
      // On the card that made it too, in place of the previous call's result.
      assert.match((await card(page, 's1').getByTestId('call-provisional').textContent()) ?? '', /^calling bind\(s1, 127\.0\.0\.1:0\)… no answer yet$/);
      assert.equal(await card(page, 's1').getByTestId('call-result').count(), 0, 'the socket() result is not shown as if it answered bind()');
      const violations = await seriousA11yViolations(page);
      assert.equal(violations.length, 0, describeViolations(violations));
      // The step (and reply) are held at the route, really sent by the server.
      await page.waitForFunction(() => document.querySelectorAll('[aria-label="Calls waiting for an answer"] [role="listitem"]').length === 1);
      assert.ok(route.held >= 1, 'the server answered and the route holds it');

      route.release();
      const real = steps(page).locator('[data-op="bind"][data-status="ok"]');
      await real.waitFor();
      assert.equal(await real.getAttribute('data-seq'), '2', 'numbered by the server, as if nothing had been drawn before');
      assert.match((await real.textContent()) ?? '', /bind\(s1, 127\.0\.0\.1:0\)→ 127\.0\.0\.1:41\d\d\d/);
      assert.equal(await waiting(page).count(), 0, 'the provisional row is gone');
      assert.equal(await card(page, 's1').getByTestId('call-provisional').count(), 0);
      assert.match((await card(page, 's1').getByTestId('call-result').textContent()) ?? '', /bind\(s1, 127\.0\.0\.1:0\) → 127\.0\.0\.1:41\d\d\d/);
      // The real row is a step like any other: it can be selected.
      await real.getByRole('button').click();
      await page.getByTestId('step-detail').waitFor();
      assert.deepEqual(problems, { console: [], failed: [] });
    } finally {
      await page.context().close();
    }
  });

  it('a call that blocks is replaced by its blocked step; a dropped connection takes a waiting row away', { timeout: 60_000 }, async () => {
    const { page, route } = await freshPage();
    try {
      await openLab(page, server.url);
      await newServerSocket(page);
      for (const op of ['bind', 'listen']) {
        await card(page, 's1').locator(`label[data-op="${op}"]`).click();
        await card(page, 's1').getByRole('button', { name: `${op}()` }).click();
        await steps(page).locator(`[data-op="${op}"][data-status="ok"]`).waitFor();
      }
      // accept() with nobody connecting: the kernel's answer is "wait", a real step.
      await card(page, 's1').locator('label[data-op="accept"]').click();
      await card(page, 's1').getByRole('button', { name: 'accept()' }).click();
      await steps(page).locator('[data-op="accept"][data-status="blocked"]').waitFor();
      assert.equal(await waiting(page).count(), 0, 'blocked is an answer: no provisional row is left');

      // The next call's answer never comes: the connection drops first.
      await card(page, 's1').locator('label[data-op="close"]').click();
      route.hold = 'close';
      const frame = await clickAndLookAtNextFrame(page, card(page, 's1').getByRole('button', { name: 'close()' }), 'close');
      assert.match(frame.provisional ?? '', /calling close\(s1\)…/);
      await page.waitForFunction(() => document.querySelectorAll('[aria-label="Calls waiting for an answer"] [role="listitem"]').length === 1);
      await route.page!.close({ code: 1012, reason: 'test: the connection drops' });
      await lab(page).getByTestId('lab-notice').waitFor();
      assert.equal(await waiting(page).count(), 0, 'no row is left waiting for an answer that cannot come');
      // The fresh session starts empty, with nothing provisional in it.
      await page.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
      assert.equal(await waiting(page).count(), 0);
    } finally {
      await page.context().close();
    }
  });
  it("a scenario's Next draws its call in the first frame too", { timeout: 60_000 }, async () => {
    const { page, route } = await freshPage();
    try {
      await page.goto(`${server.url}/lab#tcp-hello`);
      await page.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
      await page.getByTestId('scenario-next').and(page.locator(':enabled')).waitFor();
      route.hold = 'socket';
      const frame = await clickAndLookAtNextFrame(page, page.getByTestId('scenario-next'), 'socket');
      assert.equal(frame.real, 0);
      assert.match(frame.provisional ?? '', /calling socket\(TCP\)…/);
      route.release();
      await steps(page).locator('[data-op="socket"][data-status="ok"]').waitFor();
      assert.equal(await waiting(page).count(), 0);
    } finally {
      await page.context().close();
    }
  });
});
