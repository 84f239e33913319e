/**
 * TCP details in the kernel view, in Chromium against the real server and engine: a learner makes a
 * connection with clicks (the tcp-hello scenario's Next button), opens the client row's TCP details
 * with the keyboard and reads the kernel's MSS and RTT; on a 375 px phone the details fit the screen;
 * in dark mode axe finds no serious problem with them open.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { SCENARIOS } from '../../content/scenarios/index.ts';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, seriousA11yViolations, watchProblems } from '../helpers/browser.ts';

const lab = (page: Page) => page.getByTestId('socket-lab');
const panel = (page: Page) => page.getByTestId('kernel-panel');

/** Presses the scenario's Next until its first accept() has run: a listener, a client, a connection. */
async function connectWithClicks(page: Page, url: string) {
  await page.goto(`${url}/lab#tcp-hello`);
  await page.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
  const steps = SCENARIOS['tcp-hello'].steps;
  const through = steps.findIndex((s) => s.op === 'accept') + 1;
  assert.ok(through > 0, 'tcp-hello accepts a connection');
  const bar = page.getByTestId('scenario-bar');
  for (let i = 0; i < through; i++) {
    const before = Number(await bar.getAttribute('data-index'));
    await page.getByTestId('scenario-next').and(page.locator(':enabled')).click();
    await page.waitForFunction((b) => Number(document.querySelector('[data-testid="scenario-bar"]')?.getAttribute('data-index')) > b, before, { timeout: 10_000 });
  }
}

describeInBrowser('TCP details (tcp_info) in the lab\'s kernel view', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    server = await startLab({ labOnly: false, commandsPerSecond: 50, engine: loadNativeAddon() ? 'native' : 'auto' });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens a connected row\'s TCP details with the keyboard and shows the kernel\'s MSS and RTT', { skip: loadNativeAddon() ? false : 'needs the native addon (the netlink reader)' }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await connectWithClicks(page, server.url);
    // The client's socket is s2 in tcp-hello; wait for its row to be ESTABLISHED with a details button.
    const clientRow = panel(page).locator('tr[data-relation="own"][data-sock="s2"][data-state="ESTABLISHED"]');
    const toggle = clientRow.getByTestId('tcp-info-toggle');
    await toggle.waitFor();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    // The listener has no TCP details: its tcp_info would be its queues under other names.
    assert.equal(await panel(page).locator('tr[data-relation="own"][data-state="LISTEN"]').getByTestId('tcp-info-toggle').count(), 0);

    await toggle.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="kernel-panel"] tr[data-sock="s2"] [data-testid="tcp-info-toggle"]')?.getAttribute('aria-expanded') === 'true');
    const details = panel(page).getByTestId('tcp-info');
    await details.waitFor();
    assert.equal(await toggle.getAttribute('aria-controls'), await details.getAttribute('id'));
    const text = (await details.textContent()) ?? '';
    const mss = /send ([\d,]+) bytes, receive ([\d,]+) bytes/.exec(text);
    assert.ok(mss, `the MSS is shown: ${text}`);
    assert.ok(Number(mss[1]!.replaceAll(',', '')) > 16_000, 'loopback\'s MSS, tens of kilobytes');
    assert.match(text, /Round-trip time[^]*?\d+(\.\d)? (µs|ms) ± /);
    assert.match(text, /Selective ACK \(SACK\)\s*yes/);
    // Each name explains itself: a title, and a card for keyboard and touch.
    const mssName = details.locator('dt', { hasText: 'Segment size (MSS)' });
    assert.match((await mssName.getAttribute('title')) ?? '', /Maximum segment size/);

    // It stays open across the refresh after the next step, and Space closes it again.
    const before = Number(await page.getByTestId('scenario-bar').getAttribute('data-index'));
    await page.getByTestId('scenario-next').and(page.locator(':enabled')).click();
    await page.waitForFunction((b) => Number(document.querySelector('[data-testid="scenario-bar"]')?.getAttribute('data-index')) > b, before);
    await details.waitFor();
    await toggle.focus();
    await page.keyboard.press('Space');
    await details.waitFor({ state: 'detached' });
    assert.deepEqual(problems, { console: [], failed: [] });
    await context.close();
  });

  it('at 375 px in dark mode the open details fit the screen, and axe finds nothing serious', { skip: loadNativeAddon() ? false : 'needs the native addon (the netlink reader)' }, async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 800 }, colorScheme: 'dark' });
    const page = await context.newPage();
    await connectWithClicks(page, server.url);
    const toggle = panel(page).locator('tr[data-relation="own"][data-sock="s2"][data-state="ESTABLISHED"]').getByTestId('tcp-info-toggle');
    await toggle.waitFor();
    await toggle.focus();
    await page.keyboard.press('Enter');
    const details = panel(page).getByTestId('tcp-info');
    await details.waitFor();
    await details.scrollIntoViewIfNeeded();
    const box = await details.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `the details fit a 375 px screen: ${JSON.stringify(box)}`);
    const violations = (await seriousA11yViolations(page)).filter((v) => v.nodes.some((n) => n.target.join(' ').includes('tcp') || n.target.join(' ').includes('kernel')));
    assert.deepEqual(violations, [], describeViolations(violations));
    await context.close();
  });
});

describeInBrowser('TCP details with the /proc/net reader', () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    server = await startLab({ labOnly: false, commandsPerSecond: 50, kernelView: 'proc' });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('no TCP details buttons, and one line says why', async () => {
    const page = await browser.newPage();
    await connectWithClicks(page, server.url);
    await panel(page).locator('tr[data-relation="own"][data-sock="s2"][data-state="ESTABLISHED"]').waitFor();
    assert.equal(await lab(page).getByTestId('tcp-info-toggle').count(), 0);
    assert.match((await panel(page).getByTestId('tcp-info-note').textContent()) ?? '', /TCP_INFO[^]*\/proc\/net/);
    await page.close();
  });
});
