/**
 * Issue 18's page part: each of lessons 2-6 and 12, in real Chromium against the real server, opens
 * its own /lab session, and a learner walks its network scenario to the end by pressing Next (by
 * keyboard on half of them, by mouse on the others). At the steps where the lesson makes its point
 * the test reads what the kernel reported on the page: neighbour entries after ARP, addresses and
 * routes, the router's address as the server's peer, EADDRNOTAVAIL, the NAT'd ports in conntrack,
 * the rules' verdicts and counters, the HTTP bytes. Each page is checked with axe in light and dark
 * at its width (three lessons at desktop, three at 375 px, with nothing wider than the phone's screen).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { NETWORK_SCENARIOS, type NetworkScenarioName, type NetworkScenarioStep } from '../../content/network-scenarios/index.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, seriousA11yViolations, watchProblems } from '../helpers/browser.ts';
import { needs } from '../helpers/tools.ts';

const widget = (page: Page) => page.getByTestId('network-lab');
const guide = (page: Page) => widget(page).getByTestId('network-scenario');
const answer = (page: Page) => guide(page).getByTestId('network-scenario-answer');
const look = (page: Page, id: string) => guide(page).getByTestId(id);
const text = async (l: Locator) => (await l.textContent()) ?? '';

/** The 1-based number of the `nth` step (from 1) of a scenario that matches. */
function stepOf(name: NetworkScenarioName, match: (s: NetworkScenarioStep) => boolean, nth = 1): number {
  const found = NETWORK_SCENARIOS[name].steps.flatMap((s, i) => (match(s) ? [i + 1] : []));
  assert.ok(found[nth - 1], `step ${nth} matching in ${name}`);
  return found[nth - 1];
}
const op = (o: string, expect = 'ok') => (s: NetworkScenarioStep) => s.op === o && s.expect === expect;

type Checks = Record<number, (page: Page) => Promise<void>>;

async function assertAxeClean(page: Page, what: string) {
  const violations = await seriousA11yViolations(page);
  assert.deepEqual(violations, [], `${what}:\n${describeViolations(violations)}`);
}

async function assertFits(page: Page, width: number) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= width, `the page is ${wide} px wide at ${width} px`);
}

/**
 * Presses Next until the scenario's last step, as a learner does: by keyboard (Enter on the focused
 * button) or by mouse. After each step, waits for the page to show it, checks the kernel's answer is
 * the one the lesson expects, and runs that step's checks.
 */
async function walk(page: Page, name: NetworkScenarioName, checks: Checks, keyboard: boolean) {
  const steps = NETWORK_SCENARIOS[name].steps;
  const next = guide(page).getByTestId('network-scenario-next');
  await next.and(page.locator(':enabled')).waitFor();
  if (keyboard) await next.focus();
  for (let n = 1; n <= steps.length; n++) {
    if (keyboard) {
      assert.ok(await next.evaluate((el) => el === document.activeElement), `the focus is still on Next before step ${n}`);
      await page.keyboard.press('Enter');
    } else await next.click();
    await guide(page).and(page.locator(`[data-index="${n}"][data-busy="false"]`)).waitFor({ timeout: 30_000 });
    const shown = guide(page).getByTestId('network-scenario-step');
    assert.equal(await shown.getAttribute('data-outcome'), steps[n - 1].expect, `${name} step ${n}: ${await text(answer(page))}`);
    await checks[n]?.(page);
  }
  await guide(page).getByTestId('network-scenario-done').waitFor();
}

interface Lesson {
  slug: string;
  scenario: NetworkScenarioName;
  width: number;
  keyboard: boolean;
  checks: () => Checks;
}

const LESSONS: Lesson[] = [
  {
    slug: 'networks',
    scenario: 'arp-and-hops',
    width: 1280,
    keyboard: true,
    checks: () => ({
      1: async (page) => assert.match(await text(look(page, 'look-neighbours-laptop')), /empty/),
      2: async (page) => {
        assert.match(await text(look(page, 'look-neighbours-laptop')), /192\.168\.1\.11 is at ([0-9a-f]{2}:){5}[0-9a-f]{2}/, 'ARP found phone');
        assert.match(await text(look(page, 'look-neighbours-phone')), /192\.168\.1\.10 is at /, 'and phone learned laptop');
      },
      3: async (page) => {
        const table = await text(look(page, 'look-neighbours-laptop'));
        assert.match(table, /192\.168\.1\.1 is at /, 'the router is the next hop');
        assert.doesNotMatch(table, /203\.0\.113\.80/, 'never the server itself');
        assert.match(await text(look(page, 'look-routes-laptop')), /default via 192\.168\.1\.1/);
      },
      4: async (page) => {
        assert.match(await text(look(page, 'look-neighbours-server')), /203\.0\.113\.1 is at /);
        assert.doesNotMatch(await text(look(page, 'look-neighbours-server')), /192\.168\.1\./);
      },
    }),
  },
  {
    slug: 'protocols',
    scenario: 'one-send-layers',
    width: 375,
    keyboard: false,
    checks: () => ({
      [stepOf('one-send-layers', op('send'))]: async (page) => {
        const tcp = look(page, 'look-rules-server').locator('li[data-rule]', { hasText: /tcp/ });
        assert.ok(Number(await tcp.getAttribute('data-packets')) >= 3, 'the handshake and the data, counted');
        assert.ok(Number(await tcp.getAttribute('data-bytes')) > 9 + 3 * 40, 'mostly headers');
      },
      [stepOf('one-send-layers', op('recv'))]: async (page) => assert.match(await text(answer(page)), /9 bytes "hi server"/),
      [stepOf('one-send-layers', op('sendto'))]: async (page) => {
        const udp = look(page, 'look-rules-server').locator('li[data-rule]', { hasText: /udp/ });
        assert.equal(await udp.getAttribute('data-packets'), '1');
        assert.equal(await udp.getAttribute('data-bytes'), '37', '20 of IP, 8 of UDP, 9 of data');
      },
      [stepOf('one-send-layers', op('recvfrom'))]: async (page) => assert.match(await text(answer(page)), /9 bytes "hi server" from 203\.0\.113\.1:\d+/),
    }),
  },
  {
    slug: 'ip-addresses',
    scenario: 'addresses-live',
    width: 1280,
    keyboard: false,
    checks: () => ({
      1: async (page) => {
        await look(page, 'look-addresses-laptop').locator('[data-address="192.168.1.10"]').waitFor();
        await look(page, 'look-addresses-laptop').locator('[data-address="127.0.0.1"]').waitFor();
        await look(page, 'look-addresses-router').locator('[data-address="203.0.113.1"]').waitFor();
        await look(page, 'look-addresses-server').locator('[data-address="203.0.113.80"]').waitFor();
      },
      [stepOf('addresses-live', op('connect'))]: async (page) => assert.match(await text(answer(page)), /connected from 192\.168\.1\.10:\d+/),
      [stepOf('addresses-live', op('accept'))]: async (page) => assert.match(await text(answer(page)), /from 203\.0\.113\.1:\d+/, 'the server sees the router'),
      [stepOf('addresses-live', op('connect', 'ECONNREFUSED'))]: async (page) => assert.match(await text(answer(page)), /ECONNREFUSED/),
      [stepOf('addresses-live', op('bind', 'EADDRNOTAVAIL'))]: async (page) => assert.match(await text(answer(page)), /EADDRNOTAVAIL/),
    }),
  },
  {
    slug: 'ports-and-forwarding',
    scenario: 'nat-and-forward',
    width: 375,
    keyboard: true,
    checks: () => {
      const ports: string[] = [];
      const accepted = async (page: Page) => {
        const m = /from 203\.0\.113\.1:(\d+)/.exec(await text(answer(page)));
        assert.ok(m, 'accepted from the router\'s public address');
        ports.push(m[1]);
      };
      return {
        [stepOf('nat-and-forward', op('connect'), 2)]: async (page) => {
          const tracked = look(page, 'look-conntrack-router').locator('li', { hasText: /→ 203\.0\.113\.80:41005.*source NAT/ });
          assert.equal(await tracked.count(), 2, await text(look(page, 'look-conntrack-router')));
        },
        [stepOf('nat-and-forward', op('accept'), 1)]: accepted,
        [stepOf('nat-and-forward', op('accept'), 2)]: async (page) => {
          await accepted(page);
          assert.notEqual(ports[0], ports[1], 'told apart by port');
          assert.ok(ports.includes('41500'));
        },
        [stepOf('nat-and-forward', op('connect'), 3)]: async (page) => {
          assert.match(await text(look(page, 'look-conntrack-router')), /destination NAT/);
          assert.ok(Number(await look(page, 'look-forwards').locator('li').first().getAttribute('data-packets')) >= 1);
        },
        [stepOf('nat-and-forward', op('accept'), 3)]: async (page) => assert.match(await text(answer(page)), /from 203\.0\.113\.80:\d+/, 'a forward keeps the source'),
      };
    },
  },
  {
    slug: 'firewalls',
    scenario: 'drop-reject-stateful',
    width: 1280,
    keyboard: true,
    checks: () => ({
      [stepOf('drop-reject-stateful', op('connect', 'ETIMEDOUT'))]: async (page) => {
        assert.match(await text(answer(page)), /ETIMEDOUT/);
        const drop = look(page, 'look-rules-server').locator('li[data-rule]', { hasText: 'drop' });
        assert.ok(Number(await drop.getAttribute('data-packets')) >= 2, 'the SYN and its retransmits');
      },
      [stepOf('drop-reject-stateful', op('connect', 'ECONNREFUSED'))]: async (page) => {
        const reject = look(page, 'look-rules-server').locator('li[data-rule]', { hasText: 'reject' });
        assert.equal(await reject.getAttribute('data-packets'), '1', 'one SYN, answered at once');
      },
      [stepOf('drop-reject-stateful', op('connect'), 1)]: async (page) => {
        const replies = look(page, 'look-rules-server').locator('li[data-rule]', { hasText: /established/ });
        assert.ok(Number(await replies.getAttribute('data-packets')) >= 1, 'the reply matched the stateful rule');
      },
      [stepOf('drop-reject-stateful', op('connect', 'ETIMEDOUT'), 2)]: async (page) => assert.match(await text(answer(page)), /ETIMEDOUT/),
    }),
  },
  {
    slug: 'how-the-web-works',
    scenario: 'http-on-the-sandbox',
    width: 375,
    keyboard: false,
    checks: () => ({
      [stepOf('http-on-the-sandbox', op('recv'), 1)]: async (page) => assert.match(await text(answer(page)), /"GET \/ HTTP\/1\.1\\r\\nHost: 203\.0\.113\.80\\r\\n/),
      [stepOf('http-on-the-sandbox', op('recv'), 2)]: async (page) => assert.match(await text(answer(page)), /"HTTP\/1\.1 200 OK\\r\\n.*hello, laptop\\n"/),
      [stepOf('http-on-the-sandbox', op('recv'), 3)]: async (page) => assert.match(await text(answer(page)), /"HTTP\/1\.1 200 OK\\r\\n/, 'this site answers too'),
    }),
  },
];

describeInBrowser('the network lessons, walked in Chromium (issue 18)', () => {
  // The lessons run side by side, each its own page, session and network: most of a walk is the
  // kernel's waiting (pings, a dropped SYN's retries), not the machine's work.
  describe('on the sandbox network', { skip: needs('unshare', 'ip', 'nft'), concurrency: 2 }, () => {
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

    for (const lesson of LESSONS) {
      it(`${lesson.slug}: ${lesson.scenario} to the end (${lesson.keyboard ? 'keyboard' : 'mouse'}, ${lesson.width} px), axe light and dark`, { timeout: 200_000 }, async () => {
        const page = await browser.newPage({ viewport: { width: lesson.width, height: 900 } });
        const problems = watchProblems(page);
        try {
          await page.goto(`${server.url}/learn/${lesson.slug}`);
          await widget(page).getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
          await guide(page).scrollIntoViewIfNeeded();
          await walk(page, lesson.scenario, lesson.checks(), lesson.keyboard);
          await widget(page).and(page.locator('[data-network="up"]')).waitFor();

          // axe in both themes at this lesson's width; the lessons alternate desktop and 375 px, so
          // every page part is checked at both. At 375 px nothing may be wider than the screen.
          if (lesson.width === 375) await assertFits(page, 375);
          await page.evaluate(() => document.documentElement.classList.remove('dark'));
          await assertAxeClean(page, `${lesson.slug} light at ${lesson.width} px`);
          await page.evaluate(() => document.documentElement.classList.add('dark'));
          await assertAxeClean(page, `${lesson.slug} dark at ${lesson.width} px`);
          assert.deepEqual(problems, { console: [], failed: [] });
        } finally {
          await page.close();
        }
      });
    }
  });
});
