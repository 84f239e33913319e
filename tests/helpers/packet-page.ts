/**
 * Driving the packet view ("Packets on the wire", issue 17) in Chromium as a learner does: the
 * disclosure in the lab or in a lesson's NetworkLab widget, opened by keyboard. Shared by the
 * packet e2e tests.
 */
import type { Locator, Page } from 'playwright-core';
import { tabTo } from './lab-page.ts';

/** The packet view inside `scope` (the lab, or a NetworkLab widget). */
export const packetSection = (scope: Locator) => scope.getByTestId('packet-section');

/**
 * Opens the packet view with the keyboard: Tab to its summary, Enter (this asks the server to
 * capture, where it can). The caller waits for what it expects: the capture on, or the line saying why not.
 */
export async function openPacketView(page: Page, section: Locator): Promise<void> {
  await tabTo(page, section.locator('summary'), 200);
  await page.keyboard.press('Enter');
}

/** The state the capture reports in the view (`on`, `capped`...), once it is `state`. */
export async function captureStateIs(page: Page, section: Locator, state: string, timeout = 10_000): Promise<void> {
  await section.getByTestId('capture-state').and(page.locator(`[data-state="${state}"]`)).waitFor({ timeout });
}
