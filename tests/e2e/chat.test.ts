/**
 * The capstone chat in Chromium: one page starts a chat server call by call, two pages and a
 * terminal `nc` chat through it, and the server's step log shows its accepts and sends. And a
 * character that TCP split across two reads is shown whole.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { startLab, waitUntil } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, seriousA11yViolations, watchProblems } from '../helpers/browser.ts';
import { needs } from '../helpers/tools.ts';

const messages = (page: Page) => page.getByTestId('chat-messages');

/** Listens on 127.0.0.1 at a free port the lab may connect to (41000-41999). */
async function listenInLabRange(srv: net.Server): Promise<number> {
  for (let port = 41000 + Math.floor(Math.random() * 900); port < 42000; port++) {
    const ok = await new Promise<boolean>((resolve) => {
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) return port;
  }
  throw new Error('no free port in 41000-41999');
}

describeInBrowser('the chat lab in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let nc: ChildProcess | null = null;
  let peerServer: net.Server | null = null;
  before(async () => {
    server = await startLab({ labOnly: false, commandsPerSecond: 100 });
    browser = await launch();
  });
  after(async () => {
    nc?.kill();
    peerServer?.close();
    await browser?.close();
    await server?.close();
  });

  it('two browser pages and a terminal chat through a server started step by step', { timeout: 60_000, skip: needs('nc') }, async () => {
    const host = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watchProblems(host);
    await host.goto(`${server.url}/lab/chat`);
    await host.getByTestId('lab-status').and(host.locator('[data-status="open"]')).waitFor();
    for (const label of ['socket()', 'bind()', 'listen()', 'run the accept loop']) {
      const next = host.getByTestId('chat-next');
      assert.equal(await next.textContent(), label);
      await next.click();
      await host.waitForFunction((l) => document.querySelector('[data-testid="chat-next"]')?.textContent !== l, label);
    }
    const running = await host.getByTestId('chat-running').textContent();
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(running ?? '')![1]);
    await host.getByTestId('chat-join-own').click();
    await messages(host).getByText(/^\* welcome, guest1\./).waitFor();

    const guest = await browser.newPage({ viewport: { width: 390, height: 800 } });
    await guest.goto(`${server.url}/lab/chat?join=127.0.0.1:${port}`);
    await guest.getByTestId('lab-status').and(guest.locator('[data-status="open"]')).waitFor();
    await guest.getByRole('button', { name: 'Join', exact: true }).click();
    await messages(guest).getByText(/^\* welcome, guest2\./).waitFor();

    nc = spawn('nc', ['127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] });
    let terminal = '';
    nc.stdout!.on('data', (d) => (terminal += d));
    await waitUntil(() => terminal.includes('* welcome, guest3.'), 5000, 'the terminal to be welcomed');
    await messages(host).getByText('* guest3 joined', { exact: true }).waitFor();

    await guest.getByLabel('nickname', { exact: true }).fill('bob');
    await guest.getByRole('button', { name: 'Set nickname' }).click();
    await messages(host).getByText('* guest2 is now bob', { exact: true }).waitFor();

    await host.getByLabel('Message', { exact: true }).fill('hello from the browser <b>not bold</b>');
    await host.getByRole('button', { name: 'Send', exact: true }).click();
    await messages(guest).getByText('<guest1> hello from the browser <b>not bold</b>', { exact: true }).waitFor();
    await waitUntil(() => terminal.includes('<guest1> hello from the browser <b>not bold</b>'), 5000, 'the terminal to get the line');
    assert.equal(await messages(guest).locator('b').count(), 0, 'learner text is never HTML');

    nc.stdin!.write('hi from a terminal\n');
    await messages(host).getByText('<guest3> hi from a terminal', { exact: true }).waitFor();
    await messages(guest).getByText('<guest3> hi from a terminal', { exact: true }).waitFor();

    // The server's own calls, as they happened.
    const log = host.getByTestId('server-steps');
    assert.ok((await log.locator('[data-op="accept"][data-status="ok"]').count()) >= 3, 'three accepts');
    assert.match((await log.textContent()) ?? '', /send\(s\d+, "<guest1> hello from the browser <b>not bold<\/b>\\n"\) → \d+ bytes/);
    assert.deepEqual(problems, { console: [], failed: [] });

    const violations = await seriousA11yViolations(host);
    assert.equal(violations.length, 0, describeViolations(violations));
    await host.close();
    await guest.close();
  });

  it('shows a character that TCP split across two reads whole: "hi 👋"', { timeout: 30_000 }, async () => {
    // A server of our own in the lab's range, which writes "hi 👋" in two pieces with a pause: the
    // first ends inside the emoji (byte 5 of 8), so the page's recv() gets them separately.
    const served = new Promise<net.Socket>((resolve) => (peerServer = net.createServer(resolve)));
    const port = await listenInLabRange(peerServer!);
    const page = await browser.newPage({ viewport: { width: 390, height: 800 } });
    try {
      await page.goto(`${server.url}/lab/chat?join=127.0.0.1:${port}`);
      await page.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
      await page.getByRole('button', { name: 'Join', exact: true }).click();
      const peer = await served;
      const bytes = Buffer.from('hi 👋\n');
      peer.write(bytes.subarray(0, 5));
      await new Promise((r) => setTimeout(r, 300));
      peer.write(bytes.subarray(5));
      const line = messages(page).getByText(/^hi /);
      await line.waitFor({ timeout: 10_000 });
      assert.equal(await line.textContent(), 'hi 👋');
      peer.destroy();
    } finally {
      await page.close();
    }
  });
});
