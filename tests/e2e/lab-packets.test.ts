/**
 * Packets beside the calls (issue 17), in Chromium against the real server and engine: a learner
 * opens the packet view by keyboard, makes a connection with clicks (socket, bind, listen, socket,
 * connect, accept through the tcp-hello scenario's Next button), and sees SYN, SYN-ACK and ACK
 * under connect(); opens a packet's detail by keyboard, where focusing a field lights its bytes and
 * moving through the bytes lights their field; reads the client's path through the TCP state
 * machine; downloads the capture as pcapng (tshark reads it). On a 375 px phone the detail fits,
 * and axe finds nothing serious in light and dark.
 *
 * Loopback capture needs root or CAP_NET_RAW (tests run as root in CI).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { SCENARIOS } from '../../content/scenarios/index.ts';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import { describeInBrowser, describeViolations, seriousA11yViolations, watchProblems } from '../helpers/browser.ts';
import { labInBrowser } from '../helpers/browser-lab.ts';
import { isFocused, lab, pressUntil, tabTo, timeline } from '../helpers/lab-page.ts';
import { captureStateIs, openPacketView, packetSection } from '../helpers/packet-page.ts';
import { have, needs } from '../helpers/tools.ts';
import { cardCall, newSocket, openLesson, widget } from '../helpers/network-page.ts';

const ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
const SKIP = !ROOT ? 'loopback capture needs root or CAP_NET_RAW (CI runs tests as root)' : false;

const section = (page: Page) => packetSection(lab(page));
const detail = (page: Page) => lab(page).getByTestId('packet-detail');

/** Presses the scenario's Next through its first accept(). */
async function connectWithClicks(page: Page) {
  const steps = SCENARIOS['tcp-hello'].steps;
  const through = steps.findIndex((s) => s.op === 'accept') + 1;
  assert.ok(through > 0);
  const bar = page.getByTestId('scenario-bar');
  for (let i = 0; i < through; i++) {
    const before = Number(await bar.getAttribute('data-index'));
    await page.getByTestId('scenario-next').and(page.locator(':enabled')).click();
    // 20 s: the first call after a fresh build and server start can be slow on a loaded machine.
    await page.waitForFunction((b) => Number(document.querySelector('[data-testid="scenario-bar"]')?.getAttribute('data-index')) > b, before, { timeout: 20_000 });
  }
}

async function startConnected(page: Page, url: string) {
  await page.goto(`${url}/lab#tcp-hello`);
  await page.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
  await openPacketView(page, section(page));
  await captureStateIs(page, section(page), 'on');
  await connectWithClicks(page);
  const connect = timeline(page).locator('[data-op="connect"]');
  await page.waitForFunction(() => document.querySelectorAll('[aria-label="Steps"] [data-op="connect"] [data-testid="timeline-packet"]').length >= 3, null, { timeout: 10_000 });
  return connect;
}

describeInBrowser('packets under their calls in the lab', () => {
  const suite = labInBrowser({ commandsPerSecond: 50, engine: loadNativeAddon() ? 'native' : 'auto' });
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'lab-packets-'));
  });
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('shows SYN, SYN-ACK, ACK under connect(), a packet\'s fields and bytes lit together, the state path, and the pcapng', { skip: SKIP }, async () => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const problems = watchProblems(page);
    const connect = await startConnected(page, suite.server.url);

    // The handshake, in order, under the call that caused it, with arrows between the lanes.
    const rows = connect.getByTestId('timeline-packet');
    const texts = (await rows.allTextContents()).slice(0, 3);
    assert.match(texts[0], /\[SYN\] seq=0/);
    assert.match(texts[1], /\[SYN, ACK\] seq=0 ack=1/);
    assert.match(texts[2], /\[ACK\] seq=1 ack=1/);
    assert.match((await rows.nth(0).textContent()) ?? '', /Packet \d+, client to server: /);
    assert.match((await rows.nth(1).textContent()) ?? '', /Packet \d+, server to client: /);
    // The table twin lists the same packets and names the call.
    const table = section(page).getByTestId('packet-table');
    assert.ok((await table.locator('tbody tr').count()) >= 3);
    assert.match((await table.locator('tbody tr').first().textContent()) ?? '', /\[SYN\][^]*step \d+/);

    // Open the SYN-ACK by keyboard.
    await tabTo(page, rows.nth(1), 300);
    await page.keyboard.press('Enter');
    await detail(page).waitFor();
    const n = await rows.nth(1).getAttribute('data-packet');
    assert.equal(await detail(page).getAttribute('data-packet'), n);

    // Focusing a field lights its bytes: the IPv4 source address is bytes 26-29 of the frame.
    const src = detail(page).locator('[data-field="ip.src"]');
    await tabTo(page, src, 200);
    assert.ok(await isFocused(src));
    const lit = await detail(page).getByTestId('hex-view').locator('[data-byte][data-lit="true"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-byte'))));
    assert.deepEqual(lit, [26, 27, 28, 29]);
    assert.match((await detail(page).getByTestId('field-explain').textContent()) ?? '', /ip\.src/);

    // And the reverse: moving through the bytes lights the field they belong to (byte 34: the TCP source port).
    const hex = detail(page).getByTestId('hex-view');
    await tabTo(page, hex, 300);
    await page.keyboard.press('Home');
    await pressUntil(page, 'ArrowRight', async () => /Byte 34 /.test((await detail(page).getByTestId('hex-cursor').textContent()) ?? ''), 40);
    await detail(page).locator('[data-field="tcp.srcport"][data-lit="true"]').waitFor();
    assert.match((await detail(page).getByTestId('hex-cursor').textContent()) ?? '', /Source port: 41\d\d\d/);

    // Sequence numbers relative by default, raw on request.
    const seq = detail(page).locator('[data-field="tcp.seq_raw"]');
    assert.match((await seq.textContent()) ?? '', /: 0 \(relative\)/);
    await detail(page).getByTestId('raw-numbers').check();
    assert.match((await seq.textContent()) ?? '', /: \d{3,} \(relative 0\)/);

    // The client's socket (s2 in tcp-hello) through the state machine: SYN-SENT, then ESTABLISHED.
    await section(page).getByTestId('state-socket').selectOption('s2');
    const diagram = section(page).getByTestId('tcp-state-diagram');
    await section(page).locator('[data-testid="tcp-state-diagram"][data-sock="s2"][data-state="ESTABLISHED"]').waitFor();
    const path2 = (await diagram.getByTestId('tcp-path').textContent()) ?? '';
    assert.match(path2, /CLOSED → SYN_SENT[^]*SYN_SENT → ESTABLISHED: packet \d+: received SYN\+ACK/);
    assert.equal(await diagram.locator('[data-edge="SYN_SENT>ESTABLISHED"][data-taken="true"]').count(), 1);

    // Download the capture: a pcapng file tshark reads, with at least the handshake in it.
    const [download] = await Promise.all([page.waitForEvent('download'), section(page).getByTestId('pcap-download').click()]);
    assert.match(download.suggestedFilename(), /\.pcapng$/);
    const file = path.join(tmp, 'capture.pcapng');
    await download.saveAs(file);
    const bytes = readFileSync(file);
    assert.equal(bytes.readUInt32LE(0), 0x0a0d0d0a, 'a pcapng section header block');
    if (have('tshark')) {
      const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.flags.str'], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.stdout.trim().split('\n').length >= 3, r.stdout);
    }
    assert.deepEqual(problems, { console: [], failed: [] });
    await context.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`at 375 px (${colorScheme}) the packet detail fits the screen and axe finds nothing serious`, { skip: SKIP }, async () => {
      const context = await suite.browser.newContext({ viewport: { width: 375, height: 800 }, colorScheme });
      const page = await context.newPage();
      const connect = await startConnected(page, suite.server.url);
      await connect.getByTestId('timeline-packet').first().click();
      await detail(page).waitFor();
      await detail(page).locator('[data-field="tcp.flags"]').first().focus();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `no sideways scrolling at 375 px (page is ${width} px wide)`);
      const box = await detail(page).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `the detail fits: ${JSON.stringify(box)}`);
      const violations = await seriousA11yViolations(page);
      assert.deepEqual(violations, [], describeViolations(violations));
      await context.close();
    });
  }
});


describeInBrowser('packets on the sandbox network, across the router', () => {
  describe('with the sandbox network', { skip: needs('unshare', 'ip', 'nft') }, () => {
    const suite = labInBrowser();

    it('a connect from laptop shows its SYN on lan from 192.168.1.10 and on wan from 203.0.113.1, the rewrite marked', { timeout: 120_000 }, async () => {
      const page = await suite.browser.newPage();
      const problems = watchProblems(page);
      await openLesson(page, suite.server.url, 'firewalls');
      await widget(page).getByTestId('network-create').click();
      await widget(page).and(page.locator('[data-network="up"]')).waitFor({ timeout: 20_000 });
      const packets = packetSection(widget(page));
      await packets.locator('summary').click();
      await captureStateIs(page, packets, 'on');

      const web = await newSocket(page, 'server');
      await cardCall(page, web, 'bind', { address: '203.0.113.80', port: '80' });
      await cardCall(page, web, 'listen');
      const laptop = await newSocket(page, 'laptop');
      await cardCall(page, laptop, 'connect', { address: '203.0.113.80', port: '80' });

      const table = packets.getByTestId('packet-table');
      const syn = (link: string) => table.locator('tbody tr', { hasText: /\[SYN\] seq=0/ }).filter({ hasText: new RegExp(`^\\d+[\\d.]+${link}`) });
      await syn('lan').first().waitFor({ timeout: 10_000 });
      await syn('wan').first().waitFor({ timeout: 10_000 });
      assert.match((await syn('lan').first().textContent()) ?? '', /192\.168\.1\.10:\d+ → 203\.0\.113\.80:80/);
      assert.match((await syn('wan').first().textContent()) ?? '', /203\.0\.113\.1:\d+ → 203\.0\.113\.80:80/);
      // Both sightings are marked as one packet the router rewrote, naming what it changed.
      assert.match((await syn('wan').first().getByTestId('crossing-mark').textContent()) ?? '', /rewritten: source address/);
      assert.match((await syn('lan').first().getByTestId('crossing-mark').textContent()) ?? '', /rewritten: source address[^]*on wan/);

      // The detail of the wan sighting marks the rewritten field.
      await syn('wan').first().getByRole('button').click();
      const detail = packets.getByTestId('packet-detail');
      await detail.waitFor();
      assert.match((await detail.locator('[data-field="ip.src"]').textContent()) ?? '', /203\.0\.113\.1[^]*rewritten by the router/);
      assert.match((await detail.getByTestId('crossing').textContent()) ?? '', /It rewrote the source address/);
      const violations = await seriousA11yViolations(page);
      assert.deepEqual(violations, [], describeViolations(violations));
      assert.deepEqual(problems, { console: [], failed: [] });
      await page.close();
    });
  });
});
