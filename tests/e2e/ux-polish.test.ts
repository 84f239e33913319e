/**
 * Issue 20's small things, in Chromium against the real server: code blocks whose copy button fits a
 * one-line block and output blocks with none, the "join from your terminal" commands whole at phone
 * and desktop width, a quiz that explains every choice after Check, the join page's cursor, the class
 * dashboard's warning when students on other machines cannot reach its link, and axe with every
 * impact on every page of the site, light and dark.
 */
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { LESSON_SLUGS } from '../../content/lessons.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, watchProblems, type AxeViolation } from '../helpers/browser.ts';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');

type AxeWindow = Window & { axe?: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } };

/** axe-core with every impact, minor included. */
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

async function openLab(page: Page, url: string) {
  await page.goto(`${url}/lab`);
  await page.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
}

async function newSocket(page: Page, sock: string) {
  await lab(page).getByLabel('program', { exact: true }).fill('server');
  await lab(page).getByRole('button', { name: 'socket()' }).click();
  await card(page, sock).waitFor();
}

async function call(page: Page, sock: string, op: string, fill: Record<string, string> = {}) {
  const c = card(page, sock);
  await c.locator(`label[data-op="${op}"]`).click();
  for (const [label, value] of Object.entries(fill)) await c.getByLabel(label).fill(value);
  const before = await page.locator('[aria-label="Steps"] [role="listitem"]').count();
  await c.getByRole('button', { name: `${op}()` }).click();
  await page.waitForFunction((n) => document.querySelectorAll('[aria-label="Steps"] [role="listitem"]').length > n, before);
}

/** s1 listening on a lab-picked port, then s2 binding the same port: EADDRINUSE on s2's card. */
async function freePlayAfterError(page: Page): Promise<void> {
  await newSocket(page, 's1');
  await call(page, 's1', 'bind');
  await call(page, 's1', 'listen');
  await lab(page).getByTestId('kernel-panel').locator('tr[data-sock="s1"][data-state="LISTEN"]').waitFor();
  const port = ((await card(page, 's1').locator('dd').first().textContent()) ?? '').split(':').pop()!;
  await newSocket(page, 's2');
  await call(page, 's2', 'bind', { port });
  await card(page, 's2').getByTestId('call-result').and(page.locator('[data-outcome="error"]')).waitFor();
}

/** True when the element's box lies inside the box of every ancestor that clips its overflow, and the window. */
function wholeInView(el: Element): boolean {
  const box = el.getBoundingClientRect();
  if (box.left < 0 || box.right > document.documentElement.clientWidth + 0.5) return false;
  for (let a = el.parentElement; a; a = a.parentElement) {
    const style = getComputedStyle(a);
    if (style.overflowX === 'visible') continue;
    const outer = a.getBoundingClientRect();
    if (box.left < outer.left - 0.5 || box.right > outer.right + 0.5) return false;
  }
  return true;
}

describeInBrowser('issue 20 polish, in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'socketlab-ux-polish-'));
    // Class mode without --host, as `npm start -- --class` runs it: the students' link is on loopback.
    server = await startLab({ labOnly: false, class: true, classData: path.join(dir, 'class.sqlite'), classChatPort: 41972, commandsPerSecond: 50 });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function freshPage(width = 1280, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
    return context.newPage();
  }

  it('fits the copy button inside one-line code blocks, and gives output blocks none', { timeout: 60_000 }, async () => {
    for (const width of [375, 1280]) {
      const page = await freshPage(width);
      try {
        await page.goto(`${server.url}/learn/networks`);
        const blocks = page.locator('article pre[data-language]');
        let oneLineCommands = 0;
        let outputs = 0;
        for (const pre of await blocks.all()) {
          const language = await pre.getAttribute('data-language');
          const scope = pre.locator('xpath=ancestor::*[@data-copy-scope][1]');
          const button = scope.getByRole('button', { name: /^Copy/ });
          if (language === 'text') {
            outputs++;
            assert.equal(await button.count(), 0, `an output block has no copy button: ${await pre.textContent()}`);
            continue;
          }
          assert.equal(await button.count(), 1, `a ${language} block has a copy button`);
          const lines = await pre.locator('[data-line]').count();
          if (lines !== 1) continue;
          oneLineCommands++;
          await pre.scrollIntoViewIfNeeded();
          const b = (await button.boundingBox())!;
          const p = (await pre.boundingBox())!;
          assert.ok(b.height <= p.height, `${width}px: the copy button (${b.height}px) is no taller than a one-line block (${p.height}px)`);
          assert.ok(b.y >= p.y - 0.5 && b.y + b.height <= p.y + p.height + 0.5, `${width}px: the button sits inside the block`);
        }
        assert.ok(oneLineCommands >= 3, `one-line commands seen: ${oneLineCommands}`);
        assert.ok(outputs >= 3, `output blocks seen: ${outputs}`);
      } finally {
        await page.context().close();
      }
    }
  });

  it('shows the whole Python one-liner under "Join from your terminal", and the scenario picker within its column, at 375 and 1280 px', { timeout: 60_000 }, async () => {
    for (const width of [375, 1280]) {
      const page = await freshPage(width);
      try {
        await openLab(page, server.url);
        await freePlayAfterError(page);
        const python = lab(page).locator('li[data-copy-scope]', { hasText: 'Python' }).locator('pre');
        await python.scrollIntoViewIfNeeded();
        assert.match((await python.textContent()) ?? '', /^python3 -c ".*print\(s\.recv\(1024\)\)"$/);
        assert.ok(await python.evaluate((el) => el.scrollWidth <= el.clientWidth), `${width}px: the command does not overflow its box`);
        assert.ok(await python.evaluate(wholeInView), `${width}px: no ancestor cuts the command off`);
        // The scenario picker above the lab keeps to the page's column too.
        const picker = (await page.getByTestId('scenario-picker').boundingBox())!;
        const labBox = (await lab(page).boundingBox())!;
        assert.ok(picker.x + picker.width <= labBox.x + labBox.width + 0.5, `${width}px: the scenario picker stays in the column`);
      } finally {
        await page.context().close();
      }
    }
  });

  it('explains every choice of a question after Check, chosen or not, and marks the right one', { timeout: 30_000 }, async () => {
    const page = await freshPage();
    try {
      await page.goto(`${server.url}/learn/networks`);
      const form = page.locator('section[aria-labelledby="check-yourself"] form').first();
      const choices = form.getByTestId('quiz-choice');
      const n = await choices.count();
      assert.ok(n >= 3, 'a question with at least three choices');
      assert.equal(await form.getByTestId('quiz-why').count(), 0, 'no explanation before Check');
      await choices.nth(0).locator('input').check();
      await form.getByRole('button', { name: 'Check' }).click();
      await form.getByRole('status').waitFor();
      const whys = form.getByTestId('quiz-why');
      assert.equal(await whys.count(), n, 'one explanation per choice');
      for (const why of await whys.all()) {
        assert.ok(await why.isVisible());
        assert.ok(((await why.textContent()) ?? '').trim().length > 10);
      }
      const verdicts = await choices.evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')));
      assert.equal(verdicts.filter((v) => v === 'right').length, 1, 'exactly one right answer');
      assert.equal(verdicts[0] === 'right' ? 'right' : 'picked-wrong', verdicts[0]);
      assert.equal(await form.getByText('Correct answer', { exact: true }).count(), 1);
      // The unchosen wrong choices say so in words, not only in colour.
      const unchosenWrong = verdicts.filter((v) => v === 'wrong').length;
      assert.equal(await form.getByText('Not this one', { exact: true }).count(), unchosenWrong);
    } finally {
      await page.context().close();
    }
  });

  it('puts the cursor in the nickname field when the code came from the link, and in the code field otherwise', { timeout: 30_000 }, async () => {
    const page = await freshPage(390);
    try {
      await page.goto(server.classroom!.studentUrl);
      await page.getByLabel('Join code').and(page.locator(`[value="${server.classroom!.hub.info.code}"]`)).waitFor();
      await page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.name === 'nickname');
      await page.goto(`${server.url}/class`);
      await page.getByLabel('Join code').waitFor();
      await page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.name === 'code');
    } finally {
      await page.context().close();
    }
  });

  it('warns on the dashboard when the students\' link points at this machine\'s loopback, with the restart command', { timeout: 30_000 }, async () => {
    const page = await freshPage();
    try {
      assert.match(server.classroom!.studentUrl, /^http:\/\/127\.0\.0\.1:/, 'started without --host');
      await page.goto(server.classroom!.instructorUrl);
      const warning = page.getByTestId('loopback-warning');
      await warning.waitFor();
      assert.equal(await warning.getAttribute('role'), 'alert');
      const text = (await warning.textContent()) ?? '';
      assert.match(text, /127\.0\.0\.1/);
      assert.match(text, /students on other (machines|computers) cannot open/i);
      // One restart command per address this machine has on a network (IPv4 ones checked here, as the
      // machine reports them); where it has none, a placeholder and how to find one.
      const commands = (await warning.getByTestId('restart-command').allTextContents()).map((t) => t.trim());
      const v4 = Object.values(networkInterfaces()).flatMap((l) => l ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address);
      if (v4.length) for (const a of v4) assert.ok(commands.includes(`npm start -- --class --host ${a}`), `a restart command for ${a}: ${commands.join(' | ')}`);
      else assert.deepEqual(commands, ["npm start -- --class --host <this machine's LAN address>"]);
      // Placed with the link it is about, before the students' address.
      const warnBox = (await warning.boundingBox())!;
      const urlBox = (await page.getByTestId('student-url').boundingBox())!;
      assert.ok(warnBox.y < urlBox.y, 'the warning comes before the link');
      // Whole on a phone too: the command wraps rather than hiding its end.
      await page.setViewportSize({ width: 375, height: 800 });
      assert.ok(await warning.getByTestId('restart-command').first().evaluate(wholeInView), 'the restart command is whole at 375 px');
      assert.ok(await warning.getByTestId('restart-command').first().evaluate((el) => el.scrollWidth <= el.clientWidth));
    } finally {
      await page.context().close();
    }
  });

  it('has no accessibility violations of any impact on any page of the site, light and dark', { timeout: 240_000 }, async () => {
    const routes = ['/', ...LESSON_SLUGS.map((s) => `/learn/${s}`), '/lab', '/lab/chat', '/lab/replay', '/glossary', '/class', '/class/follow', '/class/instructor'];
    const found: Record<string, string[]> = {};
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await freshPage(1280, colorScheme);
      const problems = watchProblems(page);
      try {
        for (const route of routes) {
          await page.goto(`${server.url}${route}`, { waitUntil: 'networkidle' });
          // Lazy widgets (the live labs) have loaded by now.
          await page.waitForTimeout(300);
          found[`${colorScheme} ${route}`] = await allViolations(page);
        }
        await openLab(page, server.url);
        await freePlayAfterError(page);
        found[`${colorScheme} /lab after an error`] = await allViolations(page);
        await page.goto(server.classroom!.instructorUrl);
        await page.getByTestId('instructor-dashboard').waitFor();
        await page.getByTestId('join-code').waitFor();
        found[`${colorScheme} /class/instructor with its key`] = await allViolations(page);
        assert.deepEqual(problems, { console: [], failed: [] });
      } finally {
        await page.context().close();
      }
    }
    const failing = Object.entries(found).filter(([, v]) => v.length);
    assert.deepEqual(failing, [], failing.map(([route, v]) => `${route}:\n  ${v.join('\n  ')}`).join('\n'));
  });
});
