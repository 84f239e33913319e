/**
 * The capstone chat in Chromium: one page starts a chat server call by call, two pages and a
 * terminal `nc` chat through it, and the server's step log shows its accepts and sends.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { startLab, waitUntil } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, seriousA11yViolations, watchProblems } from '../helpers/browser.ts';
import { needs } from '../helpers/tools.ts';

const messages = (page: Page) => page.getByTestId('chat-messages');

describeInBrowser('the chat lab in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let nc: ChildProcess | null = null;
  before(async () => {
    server = await startLab({ labOnly: false, commandsPerSecond: 100 });
    browser = await launch();
  });
  after(async () => {
    nc?.kill();
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
});
