/**
 * Driving the NetworkLab widget in Chromium as a learner does: open a lesson with it, pick a host,
 * make a socket there and make one call from its card. Shared by the widget's e2e tests.
 */
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';

export const widget = (page: Page) => page.getByTestId('network-lab');
export const card = (page: Page, sock: string) => widget(page).locator(`article[data-sock="${sock}"]`);

export async function openLesson(page: Page, url: string, slug: string) {
  await page.goto(`${url}/learn/${slug}`);
  await widget(page).getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
}

export async function pickHost(page: Page, host: string) {
  // The radio itself is visually hidden; a learner clicks its label.
  await widget(page).locator('label', { has: page.getByTestId(`pick-${host}`) }).click();
  await widget(page).locator(`[data-testid="host-workbench"][data-host="${host}"]`).waitFor();
}

/** socket() on the picked host; returns the new socket's handle (read from its card). */
export async function newSocket(page: Page, host: string): Promise<string> {
  const cards = widget(page).getByTestId(`sockets-${host}`).locator('article[data-sock]');
  const before = await cards.count().catch(() => 0);
  await pickHost(page, host);
  await widget(page).getByTestId('host-socket').click();
  await cards.nth(before).waitFor();
  const handle = await cards.nth(before).getAttribute('data-sock');
  assert.ok(handle);
  return handle;
}

/** One call from a socket card, as a learner makes it; resolves with the card's result line once it shows this call. */
export async function cardCall(page: Page, sock: string, op: string, fields: { address?: string; port?: string } = {}): Promise<Locator> {
  const c = card(page, sock);
  await c.locator(`label[data-op="${op}"]`).click();
  if (fields.address !== undefined) await c.getByLabel('address', { exact: true }).fill(fields.address);
  if (fields.port !== undefined) await c.getByLabel(/^port/).fill(fields.port);
  const result = c.getByTestId('call-result');
  const seqBefore = (await result.count()) ? await result.getAttribute('data-seq') : null;
  await c.getByRole('button', { name: `${op}()` }).click();
  await page.waitForFunction(
    ([s, prev, o]) => {
      const el = document.querySelector(`[data-testid="network-lab"] article[data-sock="${s}"] [data-testid="call-result"]`);
      return el !== null && el.getAttribute('data-seq') !== prev && (el.textContent ?? '').includes(`${o}(`);
    },
    [sock, seqBefore, op] as const,
    { timeout: 20_000 },
  );
  return result;
}

/** Opens the widget's packet view (capture starts); the network must exist. */
export async function openPackets(page: Page) {
  const packets = widget(page).getByTestId('packet-section');
  await packets.locator('summary').click();
  await packets.getByTestId('capture-state').and(page.locator('[data-state="on"]')).waitFor({ timeout: 10_000 });
}

/**
 * The packet table's rows seen on `link` whose headline (the decoded summary) matches: what the
 * kernel captured on the router's side of that link, as the page lists it.
 */
export function packetRows(page: Page, link: 'lan' | 'wan', summary: RegExp): Locator {
  return widget(page)
    .getByTestId('packet-table')
    .locator('tbody tr')
    .filter({ has: page.locator('td:nth-child(3)', { hasText: new RegExp(`^${link}\\b`) }) })
    .filter({ has: page.locator('td:nth-child(5)', { hasText: summary }) });
}

/** Waits for at least one such row (packets reach the page a little after their step). */
export async function seePacket(page: Page, link: 'lan' | 'wan', summary: RegExp): Promise<Locator> {
  const rows = packetRows(page, link, summary);
  try {
    await rows.first().waitFor({ timeout: 10_000 });
  } catch (error) {
    const seen = await widget(page).getByTestId('packet-table').locator('tbody tr').allTextContents();
    throw new Error(`no packet on ${link} matching ${summary}; the table has:\n${seen.join('\n')}`, { cause: error });
  }
  return rows;
}
