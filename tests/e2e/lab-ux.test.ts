/**
 * The learner's way through the lab, in Chromium against the real server: a failed call explained on
 * its card, expected answers in amber, the coach line and the preselected next call, shortcuts
 * that never fire from a button and never reset without asking, rewinding to an earlier kernel
 * view and replaying from there, sessions saved as a file and as a link and opened in a fresh
 * browser, progress moved by export and import, the course map's start and playground links above
 * the fold, the scenario counter, glossary cards and the grouped glossary page, the accept queue's
 * arrows, and axe with every impact on the pages this work touched.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { SCENARIOS } from '../../content/scenarios/index.ts';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, watchProblems, type AxeViolation } from '../helpers/browser.ts';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

type AxeWindow = Window & { axe?: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } };

/** axe-core with every impact, minor included (the shared helper keeps only serious and critical). */
async function allViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const axe = (window as AxeWindow).axe;
    if (!axe) throw new Error('axe-core did not load');
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations.map((v) => describeViolations([v]));
}

const lab = (page: Page) => page.getByTestId('socket-lab');
const card = (page: Page, sock: string) => lab(page).locator(`article[data-sock="${sock}"]`);
const timeline = (page: Page) => lab(page).locator('[aria-label="Steps"]');

async function openLab(page: Page, url: string, hash = '') {
  await page.goto(`${url}/lab${hash}`);
  await page.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
}

/** Makes a socket from the lab's socket() form; waits for its card. */
async function newSocket(page: Page, sock: string, actor = 'server') {
  await lab(page).getByLabel('program', { exact: true }).fill(actor);
  await lab(page).getByRole('button', { name: 'socket()' }).click();
  await card(page, sock).waitFor();
}

/** Picks an op on a card (it may already be preselected) and makes the call; waits for its step. */
async function call(page: Page, sock: string, op: string, fill: Record<string, string> = {}) {
  const c = card(page, sock);
  await c.locator(`label[data-op="${op}"]`).click();
  for (const [label, value] of Object.entries(fill)) await c.getByLabel(label).fill(value);
  const before = await timeline(page).locator('[role="listitem"]').count();
  await c.getByRole('button', { name: `${op}()` }).click();
  await page.waitForFunction((n) => document.querySelectorAll('[aria-label="Steps"] [role="listitem"]').length > n, before);
}

const checkedOp = (page: Page, sock: string) => card(page, sock).locator('input[type="radio"]:checked').getAttribute('value');
const portOf = async (page: Page, sock: string) => Number(((await card(page, sock).locator('dd').first().textContent()) ?? '').split(':').pop());

/** A listening server s1 on a lab-picked port; returns the port. */
async function listeningServer(page: Page): Promise<number> {
  await newSocket(page, 's1');
  await call(page, 's1', 'bind');
  await call(page, 's1', 'listen');
  await lab(page).getByTestId('kernel-panel').locator('tr[data-sock="s1"][data-state="LISTEN"]').waitFor();
  return portOf(page, 's1');
}

describeInBrowser('the learner\'s way through the lab, in Chromium', () => {
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

  async function freshPage(width = 1280): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    return context.newPage();
  }

  it('explains a failed call on the card that made it, opening the explanation the first time only', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    const problems = watchProblems(page);
    try {
      await openLab(page, server.url);
      const port = await listeningServer(page);
      await newSocket(page, 's2');
      await call(page, 's2', 'bind', { port: String(port) });
      const result = card(page, 's2').getByTestId('call-result');
      await result.and(page.locator('[data-outcome="error"]')).waitFor();
      assert.match((await result.textContent()) ?? '', /EADDRINUSE/);
      assert.match((await result.textContent()) ?? '', /Address already in use: another socket is already bound to this address and port\./);
      // Right under the control that made the call, on the card that made it.
      const button = await card(page, 's2').getByRole('button', { name: 'bind()' }).boundingBox();
      const box = await result.boundingBox();
      assert.ok(button && box && box.y > button.y && box.y - (button.y + button.height) < 40, 'the result sits just under the call button');
      assert.equal(await result.getByTestId('call-why').getAttribute('open'), '', 'explained by itself the first time');
      assert.match((await result.getByTestId('call-why').textContent()) ?? '', /Usually: A second server on the same port/);
      // The same error again, in this browser: the explanation waits for a click.
      await newSocket(page, 's3');
      await call(page, 's3', 'bind', { port: String(port) });
      const again = card(page, 's3').getByTestId('call-result');
      await again.and(page.locator('[data-outcome="error"]')).waitFor();
      assert.equal(await again.getByTestId('call-why').getAttribute('open'), null, 'not opened again');
      // The code on the card is a glossary card.
      await again.locator('[data-term="EADDRINUSE"] button').focus();
      await again.getByTestId('term-card').waitFor();
      assert.match((await again.getByTestId('term-card').textContent()) ?? '', /Lesson 9/);
      assert.deepEqual(problems, { console: [], failed: [] });
    } finally {
      await page.context().close();
    }
  });

  it('shows the whole of each "join from your terminal" command on a phone', { timeout: 30_000 }, async () => {
    const page = await freshPage(390);
    try {
      await openLab(page, server.url);
      await listeningServer(page);
      const commands = lab(page).locator('li[data-copy-scope] pre');
      assert.equal(await commands.count(), 2);
      for (const pre of await commands.all()) {
        const fits = await pre.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().right <= window.innerWidth);
        assert.ok(fits, `cut off: ${await pre.textContent()}`);
      }
      assert.match((await commands.nth(1).textContent()) ?? '', /print\(s\.recv\(1024\)\)"$/);
    } finally {
      await page.context().close();
    }
  });

  it('shows EINPROGRESS and EAGAIN from non-blocking calls in amber, as "in progress" and "nothing yet"', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    try {
      await openLab(page, server.url);
      const port = await listeningServer(page);
      await newSocket(page, 's2', 'client');
      await call(page, 's2', 'setblocking');
      await call(page, 's2', 'connect', { port: String(port) });
      const row = timeline(page).locator('[data-op="connect"]');
      assert.equal(await row.getAttribute('data-outcome'), 'expected');
      assert.match((await row.textContent()) ?? '', /EINPROGRESS: in progress/);
      assert.match((await row.locator('button').getAttribute('class')) ?? '', /amber/);
      const onCard = card(page, 's2').getByTestId('call-result');
      assert.equal(await onCard.getAttribute('data-outcome'), 'expected');
      assert.match((await onCard.getAttribute('class')) ?? '', /amber/);
      assert.doesNotMatch((await onCard.getAttribute('class')) ?? '', /red/);
      // Nothing sent yet: a non-blocking recv says so at once.
      await lab(page).getByTestId('kernel-panel').locator('tr[data-sock="s2"][data-state="ESTABLISHED"]').waitFor();
      await call(page, 's2', 'recv');
      const recv = timeline(page).locator('[data-op="recv"]');
      assert.equal(await recv.getAttribute('data-outcome'), 'expected');
      assert.match((await recv.textContent()) ?? '', /EAGAIN: nothing yet/);
    } finally {
      await page.context().close();
    }
  });

  it('coaches after each call and preselects the next sensible call on each card, marking likely failures', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    try {
      await openLab(page, server.url);
      const coach = lab(page).getByTestId('coach');
      assert.equal(await coach.getAttribute('data-tone'), 'start');
      await newSocket(page, 's1');
      await coach.and(page.locator('[data-seq="1"]')).waitFor();
      assert.match((await coach.textContent()) ?? '', /The kernel made s1, a TCP socket \(fd \d+\), with no address yet/);
      assert.equal(await checkedOp(page, 's1'), 'bind');
      assert.equal(await card(page, 's1').locator('label[data-op="accept"]').getAttribute('data-likely-fails'), 'EINVAL');
      await card(page, 's1').getByRole('button', { name: 'bind()' }).click();
      await coach.and(page.locator('[data-seq="2"]')).waitFor();
      assert.equal(await checkedOp(page, 's1'), 'listen', 'after bind, listen is selected');
      await card(page, 's1').getByRole('button', { name: 'listen()' }).click();
      await coach.and(page.locator('[data-seq="3"]')).waitFor();
      assert.equal(await checkedOp(page, 's1'), 'accept', 'a listening socket: accept');
      assert.equal(await card(page, 's1').locator('label[data-op="accept"]').getAttribute('data-likely-fails'), null);
      // The coach reads the kernel's own view: the state comes from its row.
      await page.waitForFunction(() => /as LISTEN/.test(document.querySelector('[data-testid="coach"]')?.textContent ?? ''));
      assert.match((await coach.getByTestId('coach-next').textContent()) ?? '', /Next: accept\(\) on s1/);
      // A client, connected: send is preselected; the listener's accept is what the coach suggests.
      const port = await portOf(page, 's1');
      await newSocket(page, 's2', 'client');
      assert.equal(await checkedOp(page, 's2'), 'connect');
      await call(page, 's2', 'connect', { port: String(port) });
      assert.equal(await checkedOp(page, 's2'), 'send');
      assert.match((await coach.textContent()) ?? '', /waits in s1's accept queue until accept\(\)/);
      assert.match((await coach.getByTestId('coach-next').textContent()) ?? '', /accept\(\) on s1/);
      // A marked call can still be made: the kernel's real answer shows.
      await card(page, 's2').locator('label[data-op="listen"]').click();
      assert.match((await card(page, 's2').getByTestId('call-doubt').textContent()) ?? '', /listen\(\) will most likely fail with EINVAL/);
      await card(page, 's2').getByRole('button', { name: 'listen()' }).click();
      await timeline(page).locator('[data-op="listen"][data-status="error"]').waitFor();
    } finally {
      await page.context().close();
    }
  });

  it('never fires a shortcut from a button, and never resets without asking', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    try {
      await openLab(page, server.url);
      await newSocket(page, 's1');
      await call(page, 's1', 'bind');
      // Focus on a lab button: R does nothing.
      await card(page, 's1').getByRole('button', { name: 'listen()' }).focus();
      await page.keyboard.press('r');
      await page.waitForTimeout(300);
      assert.equal(await page.getByTestId('reset-confirm').count(), 0, 'no question: the shortcut did not fire');
      assert.equal(await card(page, 's1').count(), 1, 'the socket is still there');
      // Focus in a field: typing r types r.
      await lab(page).getByLabel('program', { exact: true }).fill('');
      await lab(page).getByLabel('program', { exact: true }).press('r');
      assert.equal(await lab(page).getByLabel('program', { exact: true }).inputValue(), 'r');
      assert.equal(await page.getByTestId('reset-confirm').count(), 0);
      // The lab itself has focus: R asks first; Escape keeps everything.
      await lab(page).focus();
      await page.keyboard.press('r');
      await page.getByTestId('reset-confirm').waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Keep working', 'the safe answer has the focus');
      await page.keyboard.press('Escape');
      await page.getByTestId('reset-confirm').waitFor({ state: 'detached' });
      assert.equal(await card(page, 's1').count(), 1);
      // The Reset button asks too; confirming closes everything.
      await page.getByTestId('lab-reset').click();
      await page.getByTestId('reset-confirm-yes').click();
      await lab(page).getByText('No sockets yet').waitFor();
    } finally {
      await page.context().close();
    }
  });

  it('rewinds to an earlier step and shows the kernel view recorded then; replays from there on new sockets', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    try {
      await openLab(page, server.url);
      const port = await listeningServer(page);
      await call(page, 's1', 'close');
      await page.waitForFunction(() => !document.querySelector('[data-testid="kernel-panel"] tr[data-sock="s1"][data-state="LISTEN"]'));
      // Step 3 was listen: go back to it.
      await timeline(page).locator('[data-seq="3"] button').click();
      await lab(page).getByTestId('rewind-here').click();
      const bar = page.getByTestId('rewind-bar');
      await bar.and(page.locator('[data-seq="3"]')).waitFor();
      assert.equal(await lab(page).getAttribute('data-rewound'), 'true');
      const panel = lab(page).getByTestId('kernel-panel');
      assert.equal(await panel.getAttribute('data-recorded-after'), '3');
      await panel.locator('tr[data-sock="s1"][data-state="LISTEN"]').waitFor();
      assert.match((await panel.textContent()) ?? '', new RegExp(`127\\.0\\.0\\.1:${port}`));
      assert.equal(await card(page, 's1').getByTestId('sock-state').textContent(), 'LISTEN', 'the card as it was then');
      assert.equal(await card(page, 's1').getByRole('button', { name: 'close()' }).count(), 0, 'read-only while rewound');
      // Earlier still: after bind, the kernel had no row for it.
      await bar.getByRole('button', { name: '◀ Earlier' }).click();
      await bar.and(page.locator('[data-seq="2"]')).waitFor();
      assert.equal(await panel.locator('tr[data-sock="s1"]').count(), 0);
      // Back to live: the socket is closed.
      await bar.getByTestId('rewind-live').click();
      assert.equal(await lab(page).getAttribute('data-rewound'), 'false');
      // Replay up to listen, for real: a new session with s1 listening again.
      await lab(page).getByTestId('step-back').click();
      await bar.getByRole('slider').fill('2');
      await bar.and(page.locator('[data-seq="3"]')).waitFor();
      await bar.getByTestId('replay-from-here').click();
      await lab(page).getByTestId('replay-status').and(page.locator('[data-done="true"]')).waitFor();
      assert.match((await lab(page).getByTestId('replay-status').textContent()) ?? '', /Replayed 3 calls on new sockets.*answered each one as it did before/);
      await lab(page).getByTestId('kernel-panel').locator('tr[data-sock="s1"][data-state="LISTEN"]').waitFor();
      assert.equal(await timeline(page).locator('[role="listitem"]').count(), 3);
    } finally {
      await page.context().close();
    }
  });

  /** A short session with a payload that looks like HTML: saved, it must come back as text. */
  async function recordSomething(page: Page): Promise<number> {
    await openLab(page, server.url);
    const port = await listeningServer(page);
    await newSocket(page, 's2', 'client');
    await call(page, 's2', 'connect', { port: String(port) });
    await call(page, 's2', 'send', { data: '<b>bold?</b>' });
    return port;
  }

  async function checkReplay(page: Page) {
    const replay = page.getByTestId('session-replay');
    await replay.waitFor();
    const bar = page.getByTestId('rewind-bar');
    await bar.and(page.locator('[data-seq="1"]')).waitFor();
    assert.equal(await replay.getByRole('button', { name: /\(\)$/ }).count(), 0, 'read-only: no call buttons');
    await bar.getByRole('slider').fill('2');
    await bar.and(page.locator('[data-seq="3"]')).waitFor();
    await replay.locator('tr[data-sock="s1"][data-state="LISTEN"]').waitFor();
    await bar.getByRole('slider').fill('5');
    await replay.locator('[aria-label="Steps"] [data-op="send"][data-status="ok"]').waitFor();
    assert.match((await replay.locator('[aria-label="Steps"] [data-op="send"]').textContent()) ?? '', /send\(s2, "<b>bold\?<\/b>"\)→ 12 bytes/);
    assert.equal(await replay.locator('b', { hasText: 'bold?' }).count(), 0, 'the payload is text, not markup');
    // Run it again: the same calls, live, on new sockets.
    await replay.getByTestId('run-again').click();
    await lab(page).getByTestId('replay-status').and(page.locator('[data-done="true"]')).waitFor({ timeout: 15_000 });
    await timeline(page).locator('[data-op="send"][data-status="ok"]').waitFor();
    assert.match((await lab(page).getByTestId('replay-status').textContent()) ?? '', /Replayed 6 calls/);
  }

  it('saves a session as a file that replays, read-only, in a fresh browser, and runs it again live', { timeout: 90_000 }, async () => {
    const page = await freshPage();
    let saved: string;
    try {
      await recordSomething(page);
      const download = page.waitForEvent('download');
      await lab(page).getByTestId('save-file').click();
      saved = await readFile((await (await download).path())!, 'utf8');
      assert.equal(JSON.parse(saved).format, 'socketlab-session');
    } finally {
      await page.context().close();
    }
    const other = await freshPage();
    try {
      await other.goto(`${server.url}/lab/replay`);
      await other.getByTestId('session-file-input').setInputFiles({ name: 'session.json', mimeType: 'application/json', buffer: Buffer.from(saved) });
      await checkReplay(other);
      // A file that is not a session is refused with words.
      await other.goto(`${server.url}/lab/replay`);
      await other.getByTestId('session-file-input').setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"socketlab-session","version":1,"steps":"no"}') });
      await other.getByTestId('session-error').and(other.locator('[data-code="E_INVALID"]')).waitFor();
    } finally {
      await other.context().close();
    }
  });

  it('saves a session as a link that replays in a fresh browser', { timeout: 90_000 }, async () => {
    const page = await freshPage();
    let link: string;
    try {
      await recordSomething(page);
      await lab(page).getByTestId('save-link').click();
      link = await lab(page).getByTestId('session-link').inputValue();
      assert.match(link, /\/lab\/replay#session=[A-Za-z0-9_-]+$/);
    } finally {
      await page.context().close();
    }
    const other = await freshPage(390);
    try {
      await other.goto(link);
      await checkReplay(other);
      // A link cut short when copied says so.
      await other.goto(`${server.url}/lab/replay${link.slice(link.indexOf('#'), -30)}`);
      await other.getByTestId('session-error').waitFor();
      assert.match((await other.getByTestId('session-error').textContent()) ?? '', /cut short/);
    } finally {
      await other.context().close();
    }
  });

  it('moves progress to another browser by code and by file, merged; a lesson read needs time on the page and can be unmarked', { timeout: 60_000 }, async () => {
    const a = await freshPage();
    const b = await freshPage();
    try {
      // Scrolling straight to the end does not count; 30 s of the page visible, with the end seen, does.
      await a.clock.install();
      await a.goto(`${server.url}/learn/networks`);
      await a.getByTestId('read-marker').scrollIntoViewIfNeeded();
      await a.waitForTimeout(200);
      assert.equal(await a.getByTestId('read-marker').getAttribute('data-read'), 'false');
      await a.clock.fastForward(31_000);
      await a.getByTestId('read-marker').and(a.locator('[data-read="true"]')).waitFor();
      // Unmark, and it stays unread on this visit.
      await a.getByRole('button', { name: 'Mark as unread' }).click();
      await a.clock.fastForward(31_000);
      await a.waitForTimeout(200);
      assert.equal(await a.getByTestId('read-marker').getAttribute('data-read'), 'false');
      await a.getByRole('button', { name: 'Mark as read' }).click();
      await a.goto(`${server.url}/learn/sockets`);
      await a.getByTestId('read-marker').getByRole('button', { name: 'Mark as read' }).click();
      await a.goto(`${server.url}/`);
      await a.getByTestId('progress-summary').filter({ hasText: /^2 of 18 lessons read · 0 quizzes passed$/ }).waitFor();
      await a.getByTestId('continue-link').filter({ hasText: 'Continue: lesson 1,' }).waitFor();
      await a.getByTestId('progress-transfer').locator('summary').click();
      const code = (await a.getByTestId('progress-code').textContent())!;
      const download = a.waitForEvent('download');
      await a.getByTestId('progress-download').click();
      const file = await readFile((await (await download).path())!, 'utf8');

      // The other browser has read a lesson of its own: importing keeps it.
      await b.goto(`${server.url}/learn/protocols`);
      await b.getByTestId('read-marker').getByRole('button', { name: 'Mark as read' }).click();
      await b.goto(`${server.url}/`);
      await b.getByTestId('progress-summary').filter({ hasText: /^1 of 18 lessons read/ }).waitFor();
      await b.getByTestId('progress-transfer').locator('summary').click();
      await b.getByTestId('progress-code-input').fill(`${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`);
      await b.getByTestId('progress-import').click();
      assert.match((await b.getByTestId('progress-message').textContent()) ?? '', /typo/);
      await b.getByTestId('progress-code-input').fill(code.toLowerCase());
      await b.getByTestId('progress-import').click();
      await b.getByTestId('progress-summary').filter({ hasText: /^3 of 18 lessons read/ }).waitFor();
      assert.match((await b.getByTestId('progress-message').textContent()) ?? '', /Imported 2 lessons read and 0 quizzes passed/);
      // By file, in a third browser.
      const c = await freshPage();
      try {
        await c.goto(`${server.url}/`);
        await c.getByTestId('progress-transfer').locator('summary').click();
        await c.getByTestId('progress-file').setInputFiles({ name: 'p.json', mimeType: 'application/json', buffer: Buffer.from(file) });
        await c.getByTestId('progress-summary').filter({ hasText: /^2 of 18 lessons read/ }).waitFor();
      } finally {
        await c.context().close();
      }
    } finally {
      await a.context().close();
      await b.context().close();
    }
  });

  it('starts the course from the top of the course map on a phone, with the playground beside it', { timeout: 30_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 667 } });
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/`);
      const start = page.getByTestId('continue-link');
      await start.filter({ hasText: /^Start with lesson 1$/ }).waitFor();
      assert.equal(await start.getAttribute('href'), `/learn/${LESSON_SLUGS[0]}`);
      const playground = page.getByTestId('course-start').getByRole('link', { name: 'Open the playground' });
      assert.equal(await playground.getAttribute('href'), '/lab');
      for (const link of [start, playground]) {
        const box = await link.boundingBox();
        assert.ok(box && box.y >= 0 && box.y + box.height <= 667, `above the fold: ${await link.textContent()} at ${JSON.stringify(box)}`);
      }
      await start.click();
      await page.waitForURL(`${server.url}/learn/${LESSON_SLUGS[0]}`);
      await page.getByTestId('read-marker').waitFor();
    } finally {
      await context.close();
    }
  });

  it('counts scenario steps done, names the next call, and ends cleanly', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    try {
      await openLab(page, server.url, '#tcp-hello');
      const steps = SCENARIOS['tcp-hello'].steps;
      const counter = page.getByTestId('scenario-counter');
      await page.getByTestId('scenario-next').and(page.locator(':enabled')).waitFor();
      assert.equal((await counter.textContent())?.trim(), `· 0 of ${steps.length} done · next: ${steps[0].op}`);
      for (let i = 1; i <= steps.length; i++) {
        await page.getByTestId('scenario-next').click();
        await page.getByTestId('scenario-bar').and(page.locator(`[data-index="${i}"]`)).waitFor({ timeout: 10_000 });
        if (i === 3) assert.equal((await counter.textContent())?.trim(), `· 3 of ${steps.length} done · next: ${steps[3].op}`);
      }
      assert.equal((await counter.textContent())?.trim(), `· all ${steps.length} done`);
      await page.getByText('Scenario complete').waitFor();
      assert.equal(await page.getByTestId('scenario-bar').getByText(/next:/i).count(), 0, 'no next call after the last');
    } finally {
      await page.context().close();
    }
  });

  it('draws the accept queue\'s accepts from the clients that connected, without wrapping an address', { timeout: 60_000 }, async () => {
    const page = await freshPage();
    try {
      await page.goto(`${server.url}/learn/server-side`);
      const demo = page.locator('[data-testid="socket-lab"]', { hasText: SCENARIOS['accept-queue'].title });
      await demo.scrollIntoViewIfNeeded();
      await demo.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
      const total = SCENARIOS['accept-queue'].steps.length;
      for (let i = 1; i <= total; i++) {
        await demo.getByTestId('scenario-next').click();
        await demo.getByTestId('scenario-bar').and(page.locator(`[data-index="${i}"]`)).waitFor({ timeout: 15_000 });
      }
      await demo.locator('[data-op="accept"][data-status="ok"]').nth(2).waitFor({ timeout: 15_000 });
      const lanes = await demo.locator('[data-testid="timeline-scroll"] div.sticky > span').allTextContents();
      assert.deepEqual(lanes, ['', 'server', 'client 1', 'client 2', 'client 3'], 'no "outside" lane: every peer is a lab client');
      // Each accept's arrow spans from the server's column to the column of the client it accepted.
      const spans = await demo.locator('[data-op="accept"][data-status="ok"] > span[aria-hidden="true"]:not(:first-child)').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.gridColumn));
      assert.deepEqual(spans.sort(), ['2 / 4', '2 / 5', '2 / 6']);
      // Lanes keep their width (11rem); where they do not fit, the box scrolls sideways instead.
      const widths = await demo.locator('[data-testid="timeline-scroll"] div.sticky > span').evaluateAll((els) => els.slice(1).map((e) => e.getBoundingClientRect().width));
      assert.ok(widths.every((w) => w >= 11 * 16 - 1), `lane widths ${widths.join(', ')}`);
      await page.setViewportSize({ width: 700, height: 900 });
      const box = demo.getByTestId('timeline-scroll');
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="timeline-scroll"]')].some((el) => el.scrollWidth > el.clientWidth + 100));
      assert.ok(await box.evaluate((el) => el.scrollWidth > el.clientWidth), 'narrower, the box scrolls sideways');
      // No address breaks across lines.
      const broken = await demo.locator('[aria-label="Steps"]').evaluate((list) => {
        const out: string[] = [];
        const walker = document.createTreeWalker(list, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          for (const m of n.textContent!.matchAll(/\d+\.\d+\.\d+\.\d+:\d+/g)) {
            const r = document.createRange();
            r.setStart(n, m.index!);
            r.setEnd(n, m.index! + m[0].length);
            const tops = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
            if (tops.size > 1) out.push(m[0]);
          }
        }
        return out;
      });
      assert.deepEqual(broken, []);
    } finally {
      await page.context().close();
    }
  });

  it('makes errno and state names in a lesson glossary cards, by hover and by keyboard; the glossary page searches', { timeout: 60_000 }, async () => {
    const page = await freshPage(390);
    try {
      await page.goto(`${server.url}/learn/conversation-and-close`);
      const term = page.locator('article [data-term="TIME_WAIT"] button').first();
      await term.scrollIntoViewIfNeeded();
      await term.hover();
      const cardBox = page.getByTestId('term-card');
      await cardBox.waitFor();
      assert.match((await cardBox.textContent()) ?? '', /Closed, but remembered/);
      const links = await cardBox.getByRole('link').evaluateAll((els) => els.map((a) => a.getAttribute('href')));
      assert.deepEqual(links, ['/learn/conversation-and-close', '/lab#half-close', '/glossary#TIME_WAIT']);
      const box = await cardBox.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, 'the card fits the phone screen');
      await page.mouse.move(0, 0);
      await cardBox.waitFor({ state: 'detached' });
      await term.focus();
      await cardBox.waitFor();
      await page.keyboard.press('Escape');
      await cardBox.waitFor({ state: 'detached' });
      assert.equal(await term.evaluate((el) => el === document.activeElement), true, 'focus stays on the term');
      // ss's spelling is a card too.
      assert.ok((await page.locator('article [data-term="CLOSE_WAIT"]').count()) > 0);

      await page.goto(`${server.url}/glossary#EADDRINUSE`);
      await page.getByTestId('glossary-search').fill('reset');
      await page.getByTestId('glossary-count').filter({ hasText: /^\d+ terms? match “reset”$/ }).waitFor();
      assert.ok((await page.locator('li[data-term="ECONNRESET"]').count()) === 1);
      assert.equal(await page.locator('li[data-term="LISTEN"]').count(), 0);
      // Terms come in groups, each under its own heading; a group with no match is not shown.
      const group = (title: string) => page.locator('section', { has: page.getByRole('heading', { level: 2, name: title, exact: true }) });
      assert.equal(await group('Kernel errors (errno)').locator('li[data-term="ECONNRESET"]').count(), 1);
      assert.equal(await page.getByRole('heading', { level: 2, name: 'Socket states' }).count(), 0, 'no states match "reset"');
      await page.getByTestId('glossary-search').fill('');
      await group('Socket states').locator('li[data-term="LISTEN"]').waitFor();
      assert.equal(await group('Socket states').locator('li[data-term^="E"]:not([data-term="ESTABLISHED"])').count(), 0, 'no errno among the states');
      assert.equal(await group("The lab's own codes").locator('li[data-term="E_POLICY"]').count(), 1);
      assert.equal(await group('Kernel errors (errno)').locator('li[data-term="E_POLICY"]').count(), 0);
    } finally {
      await page.context().close();
    }
  });

  it('has no accessibility violations of any impact on /lab after an error, /lab/chat, /glossary, /lab/replay, the course map and a lesson with a live demo, light and dark', { timeout: 120_000 }, async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ colorScheme });
      const page = await context.newPage();
      try {
        await openLab(page, server.url);
        const port = await listeningServer(page);
        await newSocket(page, 's2');
        await call(page, 's2', 'bind', { port: String(port) });
        await card(page, 's2').getByTestId('call-result').waitFor();
        const found: Record<string, string[]> = { '/lab': await allViolations(page) };
        await page.goto('about:blank');
        await openLab(page, server.url, '#half-close');
        for (let i = 0; i < 4; i++) {
          await page.getByTestId('scenario-next').click();
          await page.getByTestId('scenario-bar').and(page.locator(`[data-index="${i + 1}"]`)).waitFor();
        }
        found['/lab#half-close'] = await allViolations(page);
        for (const path of ['/lab/chat', '/glossary', '/', '/lab/replay', '/learn/server-side']) {
          await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
          found[path] = await allViolations(page);
        }
        for (const [path, v] of Object.entries(found)) assert.deepEqual(v, [], `${colorScheme} ${path}`);
      } finally {
        await context.close();
      }
    }
  });
});

