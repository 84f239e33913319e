/**
 * The packet view in the lessons (issue 18), in real Chromium against the real server: the lesson
 * labs that open it from the start show the handshake under connect() (client-side), the SYN and
 * RST of a refused connect, the FIN behind an EOF and the RST behind an ECONNRESET
 * (conversation-and-close); and a network lesson's guided step shows the packets it caused between
 * the host lanes: the SYN on lan from 192.168.1.10 and on wan from 203.0.113.1, the router's
 * rewrite marked, opened by keyboard, fitting 375 px. axe finds nothing serious in light and dark.
 *
 * Loopback capture needs root or CAP_NET_RAW (CI runs tests as root); the sandbox network needs
 * unshare, ip and nft.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { SCENARIOS, type ScenarioName } from '../../content/scenarios/index.ts';
import { NETWORK_SCENARIOS } from '../../content/network-scenarios/index.ts';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, seriousA11yViolations, watchProblems } from '../helpers/browser.ts';
import { isFocused, tabTo } from '../helpers/lab-page.ts';
import { needs } from '../helpers/tools.ts';

const ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
const SKIP = !ROOT ? 'loopback capture needs root or CAP_NET_RAW (CI runs tests as root)' : false;
const text = async (l: Locator) => (await l.textContent()) ?? '';

async function assertAxeClean(page: Page, what: string) {
  for (const dark of [false, true]) {
    await page.evaluate((d) => document.documentElement.classList.toggle('dark', d), dark);
    const violations = await seriousA11yViolations(page);
    assert.deepEqual(violations, [], `${what} (${dark ? 'dark' : 'light'}):\n${describeViolations(violations)}`);
  }
}

async function assertFits(page: Page, width: number) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= width, `the page is ${wide} px wide at ${width} px`);
}

/** The lesson's lab that runs this scenario (a lesson may have several). */
const labOf = (page: Page, name: ScenarioName) =>
  page.getByTestId('socket-lab').filter({ has: page.locator(`[data-testid="scenario-bar"][aria-label="Scenario: ${SCENARIOS[name].title}"]`) });

/** Waits for the lab's session and its capture (open from the start in these lessons). */
async function capturing(page: Page, name: ScenarioName) {
  const lab = labOf(page, name);
  await lab.scrollIntoViewIfNeeded();
  await lab.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor({ timeout: 20_000 });
  await lab.getByTestId('packet-section').getByTestId('capture-state').and(page.locator('[data-state="on"]')).waitFor({ timeout: 10_000 });
  return lab;
}

/** Presses the lab's Next through the `nth` step with this op (and expectation); returns that step's row in the timeline. */
async function through(page: Page, name: ScenarioName, op: string, expect = 'ok', nth = 1): Promise<Locator> {
  const lab = labOf(page, name);
  const steps = SCENARIOS[name].steps;
  const at = steps.flatMap((s, i) => (s.op === op && s.expect === expect ? [i + 1] : []))[nth - 1];
  assert.ok(at, `${name} has ${nth}× ${op} → ${expect}`);
  const bar = lab.getByTestId('scenario-bar');
  let index = Number(await bar.getAttribute('data-index'));
  while (index < at) {
    await lab.getByTestId('scenario-next').and(page.locator(':enabled')).click();
    await bar.and(page.locator(`[data-index="${index + 1}"]`)).waitFor({ timeout: 20_000 });
    index++;
  }
  // The timeline has a row per step: this call's is the k-th row of its op.
  const k = steps.slice(0, at).filter((s) => s.op === op).length;
  return lab.locator(`[aria-label="Steps"] [role="listitem"][data-op="${op}"]`).nth(k - 1);
}

/** The summaries of the packets drawn under a timeline row, once at least `count` are there. */
async function packetsUnder(row: Locator, count: number): Promise<string[]> {
  const packets = row.getByTestId('timeline-packet');
  await packets.nth(count - 1).waitFor({ timeout: 10_000 });
  return packets.allTextContents();
}

describeInBrowser('the packet view in the socket lessons', () => {
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

  it('client-side: a refused connect() is a SYN answered by a RST; a connect() is the handshake', { skip: SKIP, timeout: 120_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(page);
    try {
      await page.goto(`${server.url}/learn/client-side`);
      await capturing(page, 'connection-refused');
      const refused = await through(page, 'connection-refused', 'connect', 'ECONNREFUSED');
      const two = await packetsUnder(refused, 2);
      assert.match(two[0], /127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ \[SYN\] seq=0/);
      assert.match(two[1], /\[RST, ACK\]/);
      assert.match(await text(refused), /ECONNREFUSED/);

      await capturing(page, 'client-side');
      const connect = await through(page, 'client-side', 'connect');
      const hello = (await packetsUnder(connect, 3)).slice(0, 3);
      assert.match(hello[0], /\[SYN\] seq=0/);
      assert.match(hello[1], /\[SYN, ACK\] seq=0 ack=1/);
      assert.match(hello[2], /\[ACK\] seq=1 ack=1/);
      // Arrows between the programs' lanes: the client sends the SYN, the server answers.
      assert.match(await text(connect.getByTestId('timeline-packet').nth(0)), /Packet \d+, client to server: /);
      assert.match(await text(connect.getByTestId('timeline-packet').nth(1)), /Packet \d+, server to client: /);
      await assertAxeClean(page, 'client-side at 1280 px');
      assert.deepEqual(problems, { console: [], failed: [] });
    } finally {
      await page.close();
    }
  });

  it('conversation-and-close at 375 px: the FIN behind shutdown() before EOF, the RST behind ECONNRESET', { skip: SKIP, timeout: 120_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    const problems = watchProblems(page);
    try {
      await page.goto(`${server.url}/learn/conversation-and-close`);
      await capturing(page, 'half-close');
      const shutdown = await through(page, 'half-close', 'shutdown');
      const fin = await packetsUnder(shutdown, 1);
      assert.match(fin[0], /\[FIN, ACK\]/, 'shutdown(write) puts the FIN on the wire');
      const eof = await through(page, 'half-close', 'recv', 'eof');
      assert.match(await text(eof), /0 bytes: EOF/);

      await capturing(page, 'reset-by-close');
      const close = await through(page, 'reset-by-close', 'close');
      const rst = await packetsUnder(close, 1);
      assert.ok(rst.some((p) => /\[RST/.test(p)), `close() with unread data resets: ${rst.join(' | ')}`);
      assert.ok(!rst.some((p) => /\[FIN/.test(p)), 'and sends no FIN');
      const reset = await through(page, 'reset-by-close', 'recv', 'ECONNRESET');
      assert.match(await text(reset), /ECONNRESET/);
      await assertFits(page, 375);
      await assertAxeClean(page, 'conversation-and-close at 375 px');
      assert.deepEqual(problems, { console: [], failed: [] });
    } finally {
      await page.close();
    }
  });
});

describeInBrowser('the packets under a network scenario step', () => {
  describe('with the sandbox network', { skip: needs('unshare', 'ip', 'nft') }, () => {
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

    it('ip-addresses at 375 px: the connect step shows its SYN on lan from 192.168.1.10 and on wan from 203.0.113.1, the rewrite marked', { timeout: 120_000 }, async () => {
      const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
      const problems = watchProblems(page);
      try {
        await page.goto(`${server.url}/learn/ip-addresses`);
        const widget = page.getByTestId('network-lab');
        await widget.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor({ timeout: 20_000 });
        const guide = widget.getByTestId('network-scenario');
        await guide.scrollIntoViewIfNeeded();
        const steps = NETWORK_SCENARIOS['addresses-live'].steps;
        const connectAt = steps.findIndex((s) => s.op === 'connect' && s.expect === 'ok') + 1;
        assert.ok(connectAt > 0);
        for (let n = 1; n <= connectAt; n++) {
          await guide.getByTestId('network-scenario-next').and(page.locator(':enabled')).click();
          await guide.and(page.locator(`[data-index="${n}"][data-busy="false"]`)).waitFor({ timeout: 30_000 });
        }
        const under = guide.getByTestId('step-packets');
        const rows = under.getByTestId('step-packet');
        const syn = (link: string) => rows.and(page.locator(`[data-link="${link}"]`)).filter({ hasText: /\[SYN\] seq=0/ }).first();
        await syn('lan').waitFor({ timeout: 10_000 });
        await syn('wan').waitFor({ timeout: 10_000 });
        // On lan: laptop's own address, drawn from laptop to the router; on wan: the router's, from the router to server.
        assert.match(await text(syn('lan')), /192\.168\.1\.10:\d+ \(the router rewrites this\) → 203\.0\.113\.80:41004 \[SYN\]/);
        assert.equal(await syn('lan').getAttribute('data-from'), 'laptop');
        assert.equal(await syn('lan').getAttribute('data-to'), 'router');
        assert.match(await text(syn('wan')), /203\.0\.113\.1:\d+ \(rewritten by the router\) → 203\.0\.113\.80:41004 \[SYN\]/);
        assert.equal(await syn('wan').getAttribute('data-from'), 'router');
        assert.equal(await syn('wan').getAttribute('data-to'), 'server');
        // The twin on wan is the router's copy, its source marked as rewritten.
        assert.equal(await syn('wan').getAttribute('data-after-router'), 'true');
        assert.match((await syn('wan').getAttribute('data-rewritten')) ?? '', /src-address/);
        assert.match(await text(syn('wan').getByTestId('rewritten-endpoint')), /^203\.0\.113\.1:\d+ \(rewritten by the router\)$/);
        assert.match(await text(syn('wan').getByTestId('step-crossing')), /after the router: source address[^]*rewritten \(packet \d+ on lan before\)/);
        assert.match(await text(syn('lan').getByTestId('step-crossing')), /the router rewrites its source address/);
        // The handshake's answer comes back the other way on both links.
        await rows.and(page.locator('[data-link="wan"][data-from="server"][data-to="router"]')).filter({ hasText: /\[SYN, ACK\]/ }).first().waitFor({ timeout: 10_000 });
        await rows.and(page.locator('[data-link="lan"][data-from="router"][data-to="laptop"]')).filter({ hasText: /\[SYN, ACK\]/ }).first().waitFor({ timeout: 10_000 });

        // Keyboard: Tab to the wan SYN, Enter opens its fields and bytes, the rewritten source marked there too.
        await tabTo(page, syn('wan'), 200);
        assert.ok(await isFocused(syn('wan')));
        await page.keyboard.press('Enter');
        const detail = under.getByTestId('packet-detail');
        await detail.waitFor();
        assert.match(await text(detail.locator('[data-field="ip.src"]')), /203\.0\.113\.1[^]*rewritten by the router/);
        // The text twin lists the same packets.
        await under.getByTestId('step-packet-table').locator('summary').click();
        const table = under.getByTestId('step-packet-table').locator('tbody tr');
        assert.equal(await table.count(), await rows.count());
        assert.match(await text(table.and(page.locator('[data-link="wan"]')).first()), /router → server[^]*203\.0\.113\.1:\d+ \(rewritten by the router\)/);

        // A step whose call sends nothing says so.
        await guide.getByTestId('network-scenario-next').and(page.locator(':enabled')).click();
        await guide.and(page.locator(`[data-index="${connectAt + 1}"][data-busy="false"]`)).waitFor({ timeout: 30_000 });
        assert.equal(steps[connectAt].op, 'accept');
        await under.getByTestId('step-packets-none').waitFor();

        await assertFits(page, 375);
        await assertAxeClean(page, 'ip-addresses at 375 px');
        assert.deepEqual(problems, { console: [], failed: [] });
      } finally {
        await page.close();
      }
    });
  });
});
