/**
 * The sandbox network on a lesson page (issue 16's page part), in real Chromium against the real
 * server: a learner creates the network by clicking, reads the addresses the kernel reports, makes
 * a listener on `server` and a connection from `laptop` with the lab's own socket cards, pings across
 * the router, and sees a reject rule turn the connect into ECONNREFUSED. Everything it sends stays
 * inside the session's own namespaces. Without the sandbox the widget says why in one line and the
 * lesson's own widget is still there.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { startLab, waitUntil } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, seriousA11yViolations, watchProblems } from '../helpers/browser.ts';
import { needs } from '../helpers/tools.ts';
import { cardCall, newSocket, openLesson, pickHost, widget } from '../helpers/network-page.ts';

async function assertAxeClean(page: Page, what: string) {
  const violations = await seriousA11yViolations(page);
  assert.deepEqual(violations, [], `${what}:\n${describeViolations(violations)}`);
}

describeInBrowser('the NetworkLab widget in Chromium', () => {
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

    it('firewalls lesson: create, read the kernel\'s addresses, connect through NAT, ping, reject → ECONNREFUSED', { timeout: 120_000 }, async () => {
      const page = await browser.newPage();
      const problems = watchProblems(page);
      try {
        await openLesson(page, server.url, 'firewalls');
        await widget(page).getByTestId('network-create').click();
        await widget(page).and(page.locator('[data-network="up"]')).waitFor({ timeout: 20_000 });

        // The drawing: each host's addresses as its namespace's kernel reports them.
        const diagram = widget(page).getByTestId('network-diagram');
        const host = (name: string) => diagram.locator(`article[data-host="${name}"]`);
        await host('laptop').locator('[data-address="192.168.1.10"]').waitFor();
        await host('phone').locator('[data-address="192.168.1.11"]').waitFor();
        await host('router').locator('[data-address="192.168.1.1"]').waitFor();
        await host('router').locator('[data-address="203.0.113.1"]').waitFor();
        await host('server').locator('[data-address="203.0.113.80"]').waitFor();
        assert.match((await host('laptop').getByRole('list', { name: 'laptop: routes' }).textContent()) ?? '', /default via 192\.168\.1\.1 dev eth0/);
        assert.equal(await sandboxNetworks(server), 1, 'one real network exists for this page');

        // server listens on 203.0.113.80:80 (port 80 is fine inside the sandbox).
        const web = await newSocket(page, 'server');
        assert.match((await (await cardCall(page, web, 'bind', { address: '203.0.113.80', port: '80' })).textContent()) ?? '', /→ 203\.0\.113\.80:80/);
        await cardCall(page, web, 'listen');

        // laptop connects: its own address is the private one...
        const laptop = await newSocket(page, 'laptop');
        const connected = await cardCall(page, laptop, 'connect', { address: '203.0.113.80', port: '80' });
        assert.equal(await connected.getAttribute('data-outcome'), 'ok', (await connected.textContent()) ?? '');
        assert.match((await connected.textContent()) ?? '', /connected from 192\.168\.1\.10:\d+/);
        // ...and the server's accept sees the router's public one (masquerade).
        const accepted = await cardCall(page, web, 'accept');
        assert.match((await accepted.textContent()) ?? '', /→ s\d+ from 203\.0\.113\.1:\d+/);
        await widget(page).getByTestId('sockets-server').locator('article[data-sock]').nth(1).waitFor();

        // The router's conntrack table, read again after the call, has the translated connection.
        const conntrack = host('router').getByTestId('conntrack-router');
        await page.waitForFunction(() => /192\.168\.1\.10:\d+ → 203\.0\.113\.80:80.*source NAT/.test(document.querySelector('[data-testid="conntrack-router"]')?.textContent ?? ''), null, { timeout: 10_000 });
        assert.ok(await conntrack.count());

        // ping from laptop across the router: each echo shows as it arrives.
        await pickHost(page, 'laptop');
        const pingForm = widget(page).getByRole('form', { name: 'Ping from laptop' });
        await pingForm.getByLabel('address to ping').fill('203.0.113.80');
        await pingForm.getByLabel('count (1-10)').fill('2');
        await widget(page).getByTestId('ping').click();
        const run = widget(page).getByTestId('ping-run').first();
        await run.locator('[data-echo="reply"]').first().waitFor({ timeout: 10_000 });
        await run.and(page.locator('[data-status="ok"]')).waitFor({ timeout: 10_000 });
        assert.equal(await run.locator('[data-echo="reply"]').count(), 2);
        assert.match((await run.textContent()) ?? '', /bytes from 203\.0\.113\.80: icmp_seq=1/);
        assert.match((await run.getByTestId('ping-summary').textContent()) ?? '', /2 sent, 2 received/);

        // A reject rule on server's input: the page shows its nft line, and the next connect is refused.
        await pickHost(page, 'server');
        const ruleForm = widget(page).getByRole('form', { name: 'Firewall rule on server' });
        await ruleForm.getByLabel('destination port').fill('80');
        await ruleForm.getByLabel('verdict').selectOption('reject');
        await widget(page).getByTestId('rule-add').click();
        const nft = widget(page).getByTestId('rule-nft');
        await nft.waitFor();
        assert.match((await nft.textContent()) ?? '', /tcp dport 80 .*reject/);
        await widget(page).getByTestId('rule-list').locator('[data-verdict="reject"]').waitFor();

        const refused = await newSocket(page, 'laptop');
        const result = await cardCall(page, refused, 'connect', { address: '203.0.113.80', port: '80' });
        assert.match((await result.textContent()) ?? '', /ECONNREFUSED/);
        // The kernel counted the SYN the rule answered (the server's rules show while server is picked).
        await pickHost(page, 'server');
        await page
          .waitForFunction(() => /matched [1-9]\d* packet/.test(document.querySelector('[data-testid="rule-list"] [data-verdict="reject"] [data-testid="rule-counter"]')?.textContent ?? ''), null, { timeout: 10_000 })
          .catch(async (e: unknown) => assert.fail(`${String(e)}: ${await widget(page).getByTestId('rule-list').textContent()}`));

        await assertAxeClean(page, 'light');
        await page.evaluate(() => document.documentElement.classList.add('dark'));
        await assertAxeClean(page, 'dark');
        assert.deepEqual(problems, { console: [], failed: [] });
      } finally {
        await page.close();
      }
      // The page's session ended with the tab: its network goes with it.
      await waitUntil(async () => (await sandboxNetworks(server)) === 0, 10_000, 'the network to go with the tab');
    });

    it('a terminal on laptop: the page prints a one-time command; a listener made through it shows on the page', { skip: needs('nsenter', 'python3'), timeout: 60_000 }, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      try {
        await openLesson(page, server.url, 'ip-addresses');
        await widget(page).getByTestId('network-create').click();
        await widget(page).and(page.locator('[data-network="up"]')).waitFor({ timeout: 20_000 });
        await pickHost(page, 'laptop');
        const terminal = widget(page).getByTestId('host-terminal');
        await terminal.locator('summary').click();
        const commandLine = terminal.getByTestId('host-terminal-command');
        await commandLine.waitFor();
        const command = ((await commandLine.textContent()) ?? '').trim();
        const m = /^npm run lab-shell -- laptop (\S+)$/.exec(command);
        assert.ok(m, `the command: ${command}`);
        await assertAxeClean(page, 'the terminal disclosure, open');

        // The learner pastes the line (with a command to run instead of an interactive shell).
        const listener = 'import socket\ns=socket.socket()\ns.bind(("192.168.1.10",8080))\ns.listen()\nprint("ready",flush=True)\nimport time\ntime.sleep(20)';
        const shell = spawn(process.execPath, ['scripts/lab-shell.mjs', 'laptop', m[1]!, '--', 'python3', '-c', listener], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        shell.stdout!.on('data', (c: Buffer) => (out += c.toString()));
        const closed = new Promise((resolve) => shell.on('close', resolve));
        try {
          await waitUntil(() => out.includes('ready'), 15_000, 'the listener in the lab shell');
          await terminal.getByRole('button', { name: /sockets again/ }).click();
          await terminal.getByTestId('host-terminal-sockets').filter({ hasText: '192.168.1.10:8080' }).waitFor({ timeout: 10_000 });
          assert.match((await terminal.getByTestId('host-terminal-sockets').textContent()) ?? '', /LISTEN/);
        } finally {
          shell.kill('SIGTERM');
          await closed;
        }
      } finally {
        await page.close();
      }
    });

    it('ip-addresses lesson at phone width in dark mode: a port forward on the router, no sideways scrolling, axe clean', { timeout: 60_000 }, async () => {
      const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
      await page.addInitScript(() => localStorage.setItem('socketlab:theme', 'dark'));
      try {
        await openLesson(page, server.url, 'ip-addresses');
        await widget(page).getByTestId('network-create').click();
        await widget(page).and(page.locator('[data-network="up"]')).waitFor({ timeout: 20_000 });
        await widget(page).getByTestId('network-diagram').locator('[data-address="192.168.1.10"]').waitFor();
        await widget(page).getByTestId(`host-tables-router`).locator('summary').click();
        await pickHost(page, 'router');
        // The forward form's defaults (tcp 8080 → 192.168.1.10:80), added by touch: the router answers with its nft rules.
        await widget(page).getByTestId('forward-add').click();
        const forwards = widget(page).getByTestId('forward-list');
        await forwards.waitFor();
        assert.match((await forwards.textContent()) ?? '', /tcp 203\.0\.113\.1:8080 → 192\.168\.1\.10:80/);
        assert.match((await forwards.textContent()) ?? '', /dnat/);
        // The terminal disclosure, open, fits the phone too (its command wraps).
        await widget(page).getByTestId('host-terminal').locator('summary').click();
        await widget(page).getByTestId('host-terminal-command').waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
        const box = await widget(page).boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `the widget fits the screen: ${JSON.stringify(box)}`);
        assert.equal(await page.evaluate(() => document.documentElement.classList.contains('dark')), true);
        await assertAxeClean(page, 'phone, dark');
      } finally {
        await page.close();
      }
    });
  });

  describe('without the sandbox network', () => {
    let server: RunningServer;
    let browser: Browser;
    before(async () => {
      server = await startLab({ labOnly: false, sandboxNetworks: 0 });
      browser = await launch();
    });
    after(async () => {
      await browser?.close();
      await server?.close();
    });

    it('says why in one line, with the remedy, and the lesson\'s own widget is still there', { timeout: 60_000 }, async () => {
      const page = await browser.newPage();
      const problems = watchProblems(page);
      try {
        await openLesson(page, server.url, 'firewalls');
        const reason = widget(page).getByTestId('network-unavailable-reason');
        await reason.waitFor();
        const text = (await reason.textContent()) ?? '';
        assert.match(text, /not available on this server: the host switched it off \(--sandbox-networks 0\)\. Start the server without --sandbox-networks 0/);
        assert.match((await widget(page).getByTestId('network-fallback').textContent()) ?? '', /the firewall rule evaluator above/);
        assert.equal(await widget(page).getByTestId('network-create').count(), 0, 'no button that could only fail');
        // The fallback: the lesson's simulated firewall, on the same page, still works.
        const evaluator = page.getByRole('region', { name: 'Firewall rule evaluator' });
        await evaluator.getByRole('list', { name: 'Firewall rules, checked from the top' }).waitFor();
        await assertAxeClean(page, 'unavailable');
        assert.deepEqual(problems, { console: [], failed: [] });
      } finally {
        await page.close();
      }
    });
  });
});

async function sandboxNetworks(server: RunningServer): Promise<number> {
  assert.ok(server.sandbox, 'the server has a sandbox');
  return (await server.sandbox.stats()).networks;
}

