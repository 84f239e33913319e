/**
 * Driving the lab page in Chromium as a learner does, by keyboard: its parts (the lab, a socket's
 * card, the timeline), moving the focus with Tab, pressing until a control gets there, making a
 * socket and choosing a card's call; and axe with every impact. Shared by the lab's e2e tests.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Locator, Page } from 'playwright-core';
import { describeViolations, type AxeViolation } from './browser.ts';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
type AxeWindow = Window & { axe?: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } };

/** axe-core with every impact, minor included. */
export async function allViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const axe = (window as AxeWindow).axe;
    if (!axe) throw new Error('axe-core did not load');
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations.map((v) => describeViolations([v]));
}

export const lab = (page: Page) => page.getByTestId('socket-lab');
export const card = (page: Page, sock: string) => lab(page).locator(`article[data-sock="${sock}"]`);
export const timeline = (page: Page) => lab(page).locator('[aria-label="Steps"]');

export async function openLab(page: Page, url: string) {
  await page.goto(`${url}/lab`);
  await page.getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
}

export const isFocused = (target: Locator) => target.evaluate((el) => el === document.activeElement);

/**
 * Moves the keyboard focus to `target` with Tab (or Shift+Tab when it lies before the focus), as a
 * learner would: fails if it is not reachable within `limit` presses.
 */
export async function tabTo(page: Page, target: Locator, limit = 120): Promise<void> {
  const backwards = await target.evaluate((el) => {
    const from = document.activeElement;
    return !!from && from !== document.body && (from.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING) !== 0;
  });
  for (let i = 0; i < limit; i++) {
    if (await isFocused(target)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  assert.ok(await isFocused(target), `reached by ${backwards ? 'Shift+Tab' : 'Tab'} within ${limit} presses: ${target.toString()}`);
}

/** Presses a key until `done` says so (a radio group's arrows, a closed select's arrows). */
export async function pressUntil(page: Page, key: string, done: () => Promise<boolean>, limit = 20): Promise<void> {
  for (let i = 0; i < limit && !(await done()); i++) await page.keyboard.press(key);
  assert.ok(await done(), `pressing ${key} got there within ${limit} presses`);
}

export async function steps(page: Page): Promise<number> {
  return timeline(page).locator('[role="listitem"]').count();
}

export async function waitForStep(page: Page, before: number): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('[aria-label="Steps"] [role="listitem"]').length > n, before);
}

/** socket() from the lab's own form, by keyboard. */
export async function newSocketByKeyboard(page: Page, sock: string, actor: string) {
  const program = lab(page).getByLabel('program', { exact: true });
  await tabTo(page, program);
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(actor);
  await tabTo(page, lab(page).getByRole('button', { name: 'socket()' }));
  await page.keyboard.press('Enter');
  await card(page, sock).waitFor();
}

/** Selects a call in the card's list with the arrow keys (a radio group), from the checked one. */
export async function selectCall(page: Page, sock: string, op: string) {
  const c = card(page, sock);
  await tabTo(page, c.locator('input[type="radio"]:checked'));
  await pressUntil(page, 'ArrowRight', async () => (await c.locator('input[type="radio"]:checked').getAttribute('value')) === op);
}
