/**
 * Every guided scenario, run through the real UI in Chromium against the real engine: the test
 * presses Next like a learner and checks what the page shows against what the kernel answered.
 * Plus a terminal client (nc) joining a lab socket, and the page's accessibility.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { SCENARIOS, SCENARIO_NAMES, type ScenarioName } from '../../content/scenarios/index.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, seriousA11yViolations, watchProblems } from '../helpers/browser.ts';
import { needs } from '../helpers/tools.ts';

const lab = (page: Page) => page.getByTestId('socket-lab');
const row = (page: Page, sock: string) => lab(page).locator(`table tr[data-relation="own"][data-sock="${sock}"]`).first();
const timeline = (page: Page) => lab(page).locator('[aria-label="Steps"]');

/** Presses Next until `count` steps of the scenario have run; asserts no step surprised the script. */
async function runSteps(page: Page, count: number) {
  const bar = page.getByTestId('scenario-bar');
  for (let i = 0; i < count; i++) {
    const before = Number(await bar.getAttribute('data-index'));
    await page.getByTestId('scenario-next').click();
    await page.waitForFunction((b) => Number(document.querySelector('[data-testid="scenario-bar"]')?.getAttribute('data-index')) > b, before, { timeout: 10_000 });
    const note = bar.getByRole('note');
    if (await note.count()) assert.fail(`step ${before + 1}: ${await note.textContent()}`);
  }
}

/** 1-based index of the n-th step with this op (and, optionally, a predicate on its args). */
function stepIndex(name: ScenarioName, op: string, nth = 1): number {
  let seen = 0;
  const i = SCENARIOS[name].steps.findIndex((s) => s.op === op && ++seen === nth);
  assert.ok(i >= 0, `${name} has ${nth}× ${op}`);
  return i + 1;
}

async function openScenario(page: Page, url: string, name: ScenarioName) {
  await page.goto(`${url}/lab#${name}`);
  await page.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
  await page.getByTestId('scenario-next').and(page.locator(':enabled')).waitFor();
}

/** Scenarios that build a sandbox network need its tools (tests/integration/lab-network.test.ts). */
const SCENARIO_NEEDS: Partial<Record<ScenarioName, ReturnType<typeof needs>>> = { 'dead-peer': needs('unshare', 'ip', 'nft') };

const CHECKS: Record<ScenarioName, (page: Page) => Promise<void>> = {
  async 'tcp-hello'(page) {
    await runSteps(page, stepIndex('tcp-hello', 'connect'));
    await row(page, 's1').and(page.locator('[data-state="LISTEN"]')).waitFor();
    // The kernel view is refreshed just after the step is drawn: wait for it, then read it.
    await page.waitForFunction(() => document.querySelector('[data-testid="socket-lab"] tr[data-sock="s1"][data-relation="own"] [data-testid="rxq"]')?.textContent?.startsWith('1 '));
    await runSteps(page, SCENARIOS['tcp-hello'].steps.length - stepIndex('tcp-hello', 'connect'));
    const text = await timeline(page).textContent();
    assert.match(text ?? '', /recv\(s3\)→ 6 bytes "hello\\n"/);
    assert.match(text ?? '', /recv\(s2\)→ 12 bytes "hi, client!\\n"/);
    await lab(page).locator('tr[data-relation="closed"][data-state="TIME_WAIT"]').first().waitFor();
  },
  async 'server-side'(page) {
    await runSteps(page, stepIndex('server-side', 'accept'));
    await lab(page).locator('[data-sock="s1"]').getByText('blocked in accept()').waitFor();
    await timeline(page).locator('[data-status="blocked"][data-op="accept"]').waitFor();
    await runSteps(page, stepIndex('server-side', 'connect') - stepIndex('server-side', 'accept'));
    await timeline(page).getByText(/→ s3 from 127\.0\.0\.1:\d+/).waitFor();
    // The accept arrow comes from the client and points at the accept call: its head is on screen,
    // not under the call's box.
    const head = timeline(page).locator('[data-op="accept"][data-status="ok"]').getByText(/^[◀▶]$/);
    await head.scrollIntoViewIfNeeded();
    assert.equal(await head.textContent(), '◀', 'the server is the left lane, so the head points left');
    assert.ok(
      await head.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === el;
      }),
      'the arrowhead is not covered by the accept call',
    );
    await runSteps(page, SCENARIOS['server-side'].steps.length - stepIndex('server-side', 'connect'));
    assert.match((await timeline(page).textContent()) ?? '', /→ 5 bytes "ping\\n"/);
  },
  async 'client-side'(page) {
    await runSteps(page, stepIndex('client-side', 'connect'));
    await row(page, 's2').and(page.locator('[data-state="ESTABLISHED"]')).waitFor();
    const local = (await row(page, 's2').locator('td').nth(5).textContent()) ?? '';
    const port = Number(local.split(':').pop());
    assert.ok(port >= 32768, `the kernel chose an ephemeral port (${port})`);
    await runSteps(page, SCENARIOS['client-side'].steps.length - stepIndex('client-side', 'connect'));
    assert.match((await timeline(page).textContent()) ?? '', /"it is time to learn sockets\\n"/);
  },
  async 'connection-refused'(page) {
    await runSteps(page, SCENARIOS['connection-refused'].steps.length);
    const refused = timeline(page).locator('[data-op="connect"][data-status="error"]');
    assert.match((await refused.textContent()) ?? '', /ECONNREFUSED/);
    assert.equal(await timeline(page).locator('[data-op="connect"][data-status="ok"]').count(), 1);
  },
  async 'address-in-use'(page) {
    await runSteps(page, SCENARIOS['address-in-use'].steps.length);
    assert.match((await timeline(page).locator('[data-op="bind"][data-status="error"]').textContent()) ?? '', /EADDRINUSE/);
    assert.equal(await timeline(page).locator('[data-op="bind"][data-status="ok"]').count(), 2);
  },
  async 'accept-queue'(page) {
    await runSteps(page, stepIndex('accept-queue', 'connect', 3));
    await page.waitForFunction(() => document.querySelector('[data-testid="socket-lab"] tr[data-sock="s1"][data-relation="own"] [data-testid="rxq"]')?.textContent?.startsWith('2'));
    assert.equal(await lab(page).locator('tr[data-relation="accept-queue"]').count(), 2, 'two connections wait in the queue');
    await row(page, 's4').and(page.locator('[data-state="SYN_SENT"]')).waitFor();
    await runSteps(page, SCENARIOS['accept-queue'].steps.length - stepIndex('accept-queue', 'connect', 3));
    assert.equal(await timeline(page).locator('[data-op="accept"][data-status="ok"]').count(), 3, 'all three clients were accepted');
  },
  async 'stream-vs-datagram'(page) {
    await runSteps(page, SCENARIOS['stream-vs-datagram'].steps.length);
    const text = (await timeline(page).textContent()) ?? '';
    assert.match(text, /recv\(s3, max=100\)→ 7 bytes "one,two"/);
    assert.match(text, /recvfrom\(s4, max=100\)→ 4 bytes "one," from/);
    assert.match(text, /recvfrom\(s4, max=100\)→ 3 bytes "two" from/);
  },
  async 'udp-to-nobody'(page) {
    await runSteps(page, SCENARIOS['udp-to-nobody'].steps.length);
    const text = (await timeline(page).textContent()) ?? '';
    assert.match(text, /sendto\(s2, "is anyone there\?"[^)]*\)→ 16 bytes/);
    assert.match((await timeline(page).locator('[data-op="recv"]').textContent()) ?? '', /ECONNREFUSED/);
  },
  async 'half-close'(page) {
    const eof = stepIndex('half-close', 'recv', 2);
    await runSteps(page, eof);
    await row(page, 's3').and(page.locator('[data-state="CLOSE_WAIT"]')).waitFor();
    await row(page, 's2').and(page.locator('[data-state="FIN_WAIT2"]')).waitFor();
    assert.match((await timeline(page).textContent()) ?? '', /→ 0 bytes: EOF/);
    await runSteps(page, SCENARIOS['half-close'].steps.length - eof);
    await lab(page).locator('tr[data-relation="closed"][data-state="TIME_WAIT"]').first().waitFor();
  },
  async 'http-by-hand'(page) {
    await runSteps(page, SCENARIOS['http-by-hand'].steps.length);
    const text = (await timeline(page).textContent()) ?? '';
    assert.match(text, /HTTP\/1\.1 200 OK/);
    assert.match(text, /0 bytes: EOF/);
  },
  async 'same-bytes'(page) {
    await runSteps(page, SCENARIOS['same-bytes'].steps.length);
    const text = (await timeline(page).textContent()) ?? '';
    assert.match(text, /recv\(s3, max=100\)→ 9 bytes "HELLO 1\\r\\n"/);
    assert.match(text, /recvfrom\(s4, max=100\)→ 9 bytes "HELLO 1\\r\\n" from 127\.0\.0\.1:\d+/);
  },
  async 'two-loopbacks'(page) {
    const v6 = stepIndex('two-loopbacks', 'connect', 2);
    await runSteps(page, v6);
    await row(page, 's3').and(page.locator('[data-state="ESTABLISHED"]')).waitFor();
    assert.match((await row(page, 's3').textContent()) ?? '', /::1/);
    await runSteps(page, SCENARIOS['two-loopbacks'].steps.length - v6);
    const refused = timeline(page).locator('[data-op="connect"][data-status="error"]');
    assert.equal(await refused.count(), 1);
    assert.match((await refused.textContent()) ?? '', /127\.0\.0\.1[\s\S]*ECONNREFUSED/);
    assert.equal(await timeline(page).locator('[data-op="connect"][data-status="ok"]').count(), 2);
    assert.equal(await timeline(page).locator('[data-op="bind"][data-status="ok"]').count(), 2, 'one port on ::1 and on 127.0.0.1');
  },
  async 'ephemeral-port'(page) {
    const second = stepIndex('ephemeral-port', 'connect', 2);
    await runSteps(page, second);
    const localPort = async (sock: string) => {
      await row(page, sock).and(page.locator('[data-state="ESTABLISHED"]')).waitFor();
      return Number(((await row(page, sock).locator('td').nth(5).textContent()) ?? '').split(':').pop());
    };
    const [server, client1, client2] = [await localPort('s3'), await localPort('s2'), await localPort('s4')];
    assert.ok(server >= 41000 && server <= 41999, `the server's port is from the lab's range (${server})`);
    assert.ok(client1 >= 32768 && client2 >= 32768 && client1 !== client2, `two ephemeral client ports (${client1}, ${client2})`);
    await runSteps(page, SCENARIOS['ephemeral-port'].steps.length - second);
    assert.equal(await timeline(page).locator('[data-op="bind"][data-status="ok"]').count(), 2, 'TCP and UDP bind one port number');
  },
  async 'one-thread-server'(page) {
    const waiting = stepIndex('one-thread-server', 'poll', 3);
    await runSteps(page, waiting);
    // Nothing is ready: the poll over the listener and both connections waits, for real.
    await timeline(page).locator('[data-op="poll"][data-status="blocked"]').waitFor();
    await runSteps(page, SCENARIOS['one-thread-server'].steps.length - waiting);
    // s1 listens, s2 and s3 are the clients, s4 and s5 their accepted connections: the kernel's revents.
    const text = () => timeline(page).textContent();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="socket-lab"] [aria-label="Steps"] [data-op="poll"][data-status="ok"]').length === 4);
    assert.match((await text()) ?? '', /poll\(\[s1 in\], no timeout\)→ 1 ready: s1 in/);
    assert.match((await text()) ?? '', /poll\(\[s1 in, s4 in, s5 in\], no timeout\)→ 1 ready: s5 in.*poll\(\[s1 in, s4 in, s5 in\], no timeout\)→ 1 ready: s4 in/s);
  },
  async 'dual-stack'(page) {
    const accepted = stepIndex('dual-stack', 'accept');
    await runSteps(page, accepted);
    assert.match((await timeline(page).locator('[data-op="accept"][data-status="ok"]').textContent()) ?? '', /::ffff:127\.0\.0\.1/);
    await timeline(page).locator('[role="listitem"][data-op="getsockopt"][data-status="ok"]').getByRole('button').click();
    await page.getByText('"value": 0', { exact: false }).first().waitFor();
    await runSteps(page, SCENARIOS['dual-stack'].steps.length - accepted);
    const errors = (await timeline(page).locator('[data-status="error"]').allTextContents()).join('\n');
    assert.match(errors, /EADDRINUSE/);
    assert.match(errors, /EINVAL/);
    assert.match(errors, /ENETUNREACH/);
    assert.equal(await timeline(page).locator('[data-op="connect"][data-status="ok"]').count(), 2, 'an IPv4 client and a dual-stack IPv6 client');
  },
  async 'one-thread'(page) {
    const blocked = stepIndex('one-thread', 'recv');
    await runSteps(page, blocked);
    await timeline(page).locator('[data-status="blocked"][data-op="recv"]').waitFor();
    await runSteps(page, SCENARIOS['one-thread'].steps.length - blocked);
    const text = (await timeline(page).textContent()) ?? '';
    assert.match(text, /"A here\\n"/);
    assert.match(text, /"hello from B\\n"/);
    assert.match((await timeline(page).locator('[data-op="recv"][data-status="error"]').textContent()) ?? '', /EAGAIN/);
  },
  async 'dead-peer'(page) {
    await runSteps(page, SCENARIOS['dead-peer'].steps.length);
    assert.match((await timeline(page).locator('[data-op="recv"][data-status="error"]').textContent()) ?? '', /ETIMEDOUT/);
  },
  async 'small-writes'(page) {
    await runSteps(page, SCENARIOS['small-writes'].steps.length);
    const text = (await timeline(page).textContent()) ?? '';
    assert.match(text, /"move left\\n"/);
    // The timeline shows getsockopt()'s own return (0); the option's value is in the step's detail.
    const reads = timeline(page).locator('[role="listitem"][data-op="getsockopt"][data-status="ok"]');
    assert.equal(await reads.count(), 2);
    await reads.first().getByRole('button').click();
    await page.getByText('"value": 0', { exact: false }).first().waitFor();
    await reads.nth(1).getByRole('button').click();
    await page.getByText('"value": 1', { exact: false }).first().waitFor();
  },
  async 'tls-first-bytes'(page) {
    await runSteps(page, SCENARIOS['tls-first-bytes'].steps.length);
    const text = (await timeline(page).textContent()) ?? '';
    assert.match(text, /the door code is 4711/);
    assert.match(text, /send\(s2[^)]*\)→ 517 bytes/);
    assert.match(text, /chat\.example/);
  },
  async 'reset-by-close'(page) {
    await runSteps(page, SCENARIOS['reset-by-close'].steps.length);
    assert.match((await timeline(page).locator('[data-op="recv"][data-status="error"]').textContent()) ?? '', /ECONNRESET/);
    assert.match((await timeline(page).locator('[data-op="send"][data-status="error"]').textContent()) ?? '', /EPIPE/);
  },
};

describeInBrowser('the live lab in Chromium', () => {
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

  for (const name of SCENARIO_NAMES) {
    it(`runs the "${name}" scenario through the UI and shows the kernel's answers`, { timeout: 60_000, skip: SCENARIO_NEEDS[name] ?? false }, async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems = watchProblems(page);
      try {
        await openScenario(page, server.url, name);
        await CHECKS[name](page);
        await page.getByText('Scenario complete').waitFor();
        assert.deepEqual(problems, { console: [], failed: [] });
      } finally {
        await page.close();
      }
    });
  }

  it('shows a terminal nc client joining a listening lab socket, live', { timeout: 30_000, skip: needs('nc') }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const nc = { proc: null as ReturnType<typeof spawn> | null };
    try {
      await page.goto(`${server.url}/lab`);
      await page.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
      await lab(page).getByRole('button', { name: 'socket()' }).click();
      const card = lab(page).locator('article[data-sock="s1"]');
      await card.getByRole('button', { name: 'bind()' }).click();
      await timeline(page).locator('[data-op="bind"][data-status="ok"]').waitFor();
      await card.getByText('listen', { exact: true }).click();
      await card.getByRole('button', { name: 'listen()' }).click();
      await row(page, 's1').and(page.locator('[data-state="LISTEN"]')).waitFor();
      const join = await lab(page).getByText(/^nc 127\.0\.0\.1 \d+$/).textContent();
      const port = Number(join!.split(' ').pop());
      nc.proc = spawn('nc', ['127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] });
      nc.proc.stdin!.write('hello from the terminal\n');
      await lab(page).locator('section[data-lane="outside"]').waitFor();
      await card.getByText('accept', { exact: true }).click();
      await card.getByRole('button', { name: 'accept()' }).click();
      await timeline(page).getByText(/accept\(s1\)→ s2 from 127\.0\.0\.1:\d+/).waitFor();
      const conn = lab(page).locator('article[data-sock="s2"]');
      await conn.getByText('recv', { exact: true }).click();
      await conn.getByRole('button', { name: 'recv()' }).click();
      await timeline(page).getByText('"hello from the terminal\\n"', { exact: false }).waitFor();
    } finally {
      nc.proc?.kill();
      await page.close();
    }
  });

  it('shows a character cut between two reads honestly, as bytes, in the step detail', { timeout: 30_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const client = new net.Socket();
    try {
      await page.goto(`${server.url}/lab`);
      await page.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
      await lab(page).getByRole('button', { name: 'socket()' }).click();
      const card = lab(page).locator('article[data-sock="s1"]');
      await card.getByRole('button', { name: 'bind()' }).click();
      await timeline(page).locator('[data-op="bind"][data-status="ok"]').waitFor();
      await card.getByText('listen', { exact: true }).click();
      await card.getByRole('button', { name: 'listen()' }).click();
      await row(page, 's1').and(page.locator('[data-state="LISTEN"]')).waitFor();
      const port = Number((await lab(page).getByText(/^nc 127\.0\.0\.1 \d+$/).textContent())!.split(' ').pop());
      await new Promise<void>((resolve, reject) => client.once('error', reject).connect(port, '127.0.0.1', resolve));
      await card.getByText('accept', { exact: true }).click();
      await card.getByRole('button', { name: 'accept()' }).click();
      const conn = lab(page).locator('article[data-sock="s2"]');
      await conn.waitFor();
      const bytes = Buffer.from('hi 👋\n');
      client.write(bytes.subarray(0, 5)); // ends inside the emoji
      await conn.getByText('recv', { exact: true }).click();
      await conn.getByRole('button', { name: 'recv()' }).click();
      const reads = timeline(page).locator('[role="listitem"][data-op="recv"][data-status="ok"]');
      await reads.first().waitFor();
      client.write(bytes.subarray(5));
      await conn.getByRole('button', { name: 'recv()' }).click();
      await reads.nth(1).waitFor();

      await reads.first().getByRole('button').click();
      const detail = page.getByTestId('read-bytes');
      assert.match((await detail.textContent()) ?? '', /68 69 20 F0 9F/);
      assert.match((await detail.getByRole('note').textContent()) ?? '', /^The last 2 bytes \(F0 9F\) begin a 4-byte character/);
      await reads.nth(1).getByRole('button').click();
      assert.match((await detail.textContent()) ?? '', /91 8B 0A/);
      assert.match((await detail.getByRole('note').textContent()) ?? '', /^The first 2 bytes \(91 8B\) finish a character/);
    } finally {
      client.destroy();
      await page.close();
    }
  });

  it('keeps the newest step in view as the timeline fills, until the learner scrolls back', { timeout: 60_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${server.url}/lab`);
      await page.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
      await lab(page).getByRole('button', { name: 'socket()' }).click();
      const card = lab(page).locator('article[data-sock="s1"]');
      // After each call the card selects the advised next call, so setblocking is picked every time.
      const call = {
        click: async () => {
          await card.locator('label[data-op="setblocking"]').click();
          await card.getByRole('button', { name: 'setblocking()' }).click();
        },
      };
      const box = page.getByTestId('timeline-scroll');
      const newestInView = async (seq: number) => {
        const rowBox = await timeline(page).locator(`[role="listitem"][data-seq="${seq}"]`).boundingBox();
        const view = await box.boundingBox();
        assert.ok(rowBox && view, `step ${seq} and the timeline are on the page`);
        return rowBox.y >= view.y - 1 && rowBox.y + rowBox.height <= view.y + view.height + 1;
      };
      // Scrolls the box as a learner does, with the mouse wheel, until it reaches the top or the end.
      const wheelTo = async (where: 'top' | 'end') => {
        for (let i = 0; i < 40; i++) {
          const left = await box.evaluate((el) => ({ top: el.scrollTop, end: el.scrollHeight - el.scrollTop - el.clientHeight }));
          if (left[where] < 1) return;
          await box.hover();
          await page.mouse.wheel(0, where === 'top' ? -2000 : 2000);
          await page.waitForTimeout(50);
        }
        assert.fail(`the mouse wheel did not bring the timeline to its ${where}`);
      };
      for (let seq = 2; seq <= 25; seq++) {
        await call.click();
        await timeline(page).locator(`[role="listitem"][data-seq="${seq}"][data-status="ok"]`).waitFor();
      }
      const size = await box.evaluate((el) => ({ client: el.clientHeight, scroll: el.scrollHeight }));
      assert.ok(size.scroll > size.client, `25 steps overflow the timeline box (${size.scroll} > ${size.client} px)`);
      assert.ok(await newestInView(25), 'the newest step is in view');
      // The learner scrolls back (with the mouse wheel) to read step 1: a new step must not pull the
      // view away from it.
      await wheelTo('top');
      await call.click();
      await timeline(page).locator('[role="listitem"][data-seq="26"][data-status="ok"]').waitFor();
      assert.equal(await box.evaluate((el) => el.scrollTop), 0, 'the view stays where the learner put it');
      assert.equal(await newestInView(26), false);
      // Back at the bottom, it follows again.
      await wheelTo('end');
      await call.click();
      await timeline(page).locator('[role="listitem"][data-seq="27"][data-status="ok"]').waitFor();
      assert.ok(await newestInView(27), 'following again after scrolling to the end');
      // Past 150 steps the oldest rows leave the timeline a block at a time. The browser then moves
      // the view by itself (scroll anchoring); that must not count as the learner scrolling back.
      // The clicks run in the page, one call at a time, so 200 steps take a few seconds.
      await page.evaluate(async (last) => {
        const list = document.querySelector('[aria-label="Steps"]')!;
        const card = document.querySelector('article[data-sock="s1"]')!;
        // (No helper functions in here: the test's compiler would wrap them in a helper the page lacks.)
        const deadline = Date.now() + 30_000;
        for (;;) {
          const before = Number(list.lastElementChild?.lastElementChild?.getAttribute('data-seq') ?? 0);
          if (before >= last) break;
          // The card selects the advised next call after each one: pick setblocking again first.
          card.querySelector<HTMLLabelElement>('label[data-op="setblocking"]')!.click();
          const submit = card.querySelector<HTMLButtonElement>('button[type="submit"]')!;
          while (submit.textContent !== 'setblocking()' || submit.disabled) {
            if (Date.now() > deadline) throw new Error('setblocking was not selected');
            await new Promise((r) => setTimeout(r, 5));
          }
          submit.click();
          while (Number(list.lastElementChild?.lastElementChild?.getAttribute('data-seq') ?? 0) === before) {
            if (Date.now() > deadline) throw new Error(`no step after ${before}`);
            await new Promise((r) => setTimeout(r, 5));
          }
          // The server allows this suite 50 calls a second.
          await new Promise((r) => setTimeout(r, 25));
        }
      }, 200);
      await timeline(page).locator('[role="listitem"][data-seq="200"][data-status="ok"]').waitFor();
      assert.equal(await timeline(page).locator('[role="listitem"][data-seq="1"]').count(), 0, 'the oldest rows have left');
      assert.match((await lab(page).getByText(/earlier steps? not shown/).textContent()) ?? '', /^\d+ earlier steps not shown/);
      await page.waitForFunction(() => {
        const el = document.querySelector('[data-testid="timeline-scroll"]')!;
        return el.scrollHeight - el.scrollTop - el.clientHeight < 2;
      });
      assert.ok(await newestInView(200), 'still following the newest step after the oldest rows left');
    } finally {
      await page.close();
    }
  });

  it('has no serious accessibility violations on /lab with a scenario under way', async () => {
    const page = await browser.newPage();
    try {
      await openScenario(page, server.url, 'tcp-hello');
      await runSteps(page, 6);
      const violations = await seriousA11yViolations(page);
      assert.equal(violations.length, 0, describeViolations(violations));
    } finally {
      await page.close();
    }
  });
});
