/**
 * Issue 18's page part: each of lessons 2-6 and 12, in real Chromium against the real server, opens
 * its own /lab session, and a learner walks its network scenario to the end by pressing Next (by
 * keyboard on half of them, by mouse on the others). At the steps where the lesson makes its point
 * the test reads what the kernel reported on the page: neighbour entries after ARP, addresses and
 * routes, the router's address as the server's peer, EADDRNOTAVAIL, the NAT'd ports in conntrack,
 * the rules' verdicts and counters, the HTTP bytes. The packet view is opened once the network is
 * up, and after the walk the test reads what the kernel captured on the router's links (issue 17):
 * the SYN from 192.168.1.10 on lan and from 203.0.113.1 on wan, ARP, pings, RSTs, retransmits, the
 * HTTP request's bytes. Each page is then checked at its width and, resized, at the other one
 * (1280 px and 375 px, nothing wider than the phone's screen), each with axe in light and dark.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import type { RunningServer } from '../../server/app.ts';
import { NETWORK_SCENARIOS, type NetworkScenarioName, type NetworkScenarioStep } from '../../content/network-scenarios/index.ts';
import { startLab } from '../helpers/lab.ts';
import { describeInBrowser, describeViolations, launch, seriousA11yViolations, watchProblems } from '../helpers/browser.ts';
import { needs } from '../helpers/tools.ts';
import { openPackets, packetRows, seePacket } from '../helpers/network-page.ts';

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
    if (n === 1) {
      // The network is up: capture can start on its links. The learner comes back to Next after.
      await openPackets(page);
      if (keyboard) await next.focus();
    }
  }
  await guide(page).getByTestId('network-scenario-done').waitFor();
}

interface Lesson {
  slug: string;
  scenario: NetworkScenarioName;
  width: number;
  keyboard: boolean;
  checks: () => Checks;
  /** What the kernel captured during the walk, as the packet table lists it. */
  packets: (page: Page) => Promise<void>;
}

const IP = (a: string) => a.replaceAll('.', '\\.');
/** A TCP headline from `src` to `dst` (any ports) with these flags, e.g. syn('192.168.1.10', '203.0.113.80:80'). */
const tcpLine = (src: string, dst: string, flags: string) => new RegExp(`^${IP(src)}:\\d+ → ${IP(dst)}:\\d+ \\[${flags}\\]`);

const LESSONS: Lesson[] = [
  {
    slug: 'networks',
    scenario: 'arp-and-hops',
    width: 1280,
    keyboard: true,
    packets: async (page) => {
      // laptop's ARP broadcast crosses the LAN (the router's lan side hears it); its ping to server crosses the router, NAT'd.
      await seePacket(page, 'lan', /^who has 192\.168\.1\.\d+\? tell 192\.168\.1\.10$/);
      await seePacket(page, 'lan', /^192\.168\.1\.10 → 203\.0\.113\.80 ICMP echo request/);
      await seePacket(page, 'wan', /^203\.0\.113\.1 → 203\.0\.113\.80 ICMP echo request/);
      await seePacket(page, 'wan', /^203\.0\.113\.80 → 203\.0\.113\.1 ICMP echo reply/);
    },
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
    packets: async (page) => {
      // The 9 bytes of "hi server", once in a TCP segment and once in a UDP datagram, on both sides of the router.
      await seePacket(page, 'lan', /^192\.168\.1\.10:\d+ → 203\.0\.113\.80:41003 \[PSH, ACK\] .* len=9(?!\d)/);
      await seePacket(page, 'wan', /^203\.0\.113\.1:\d+ → 203\.0\.113\.80:41003 \[PSH, ACK\] .* len=9(?!\d)/);
      await seePacket(page, 'wan', /^203\.0\.113\.1:\d+ → 203\.0\.113\.80:41003 UDP len=9(?!\d)/);
    },
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
    packets: async (page) => {
      await seePacket(page, 'lan', tcpLine('192.168.1.10', '203.0.113.80', 'SYN'));
      const wan = await seePacket(page, 'wan', tcpLine('203.0.113.1', '203.0.113.80', 'SYN'));
      assert.match(await text(wan.first().getByTestId('crossing-mark')), /rewritten: source address/);
      assert.equal(await packetRows(page, 'wan', /192\.168\.1\./).count(), 0, 'no private address on the internet side');
    },
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
    packets: async (page) => {
      // Both devices' SYNs leave as 203.0.113.1; the forward's SYN has its destination rewritten to laptop.
      await seePacket(page, 'lan', tcpLine('192.168.1.10', '203.0.113.80', 'SYN'));
      await seePacket(page, 'lan', tcpLine('192.168.1.11', '203.0.113.80', 'SYN'));
      assert.ok((await packetRows(page, 'wan', tcpLine('203.0.113.1', '203.0.113.80', 'SYN')).count()) >= 2, 'two SYNs from the router\'s address');
      const forwarded = await seePacket(page, 'lan', /^203\.0\.113\.80:\d+ → 192\.168\.1\.10:\d+ \[SYN\]/);
      assert.match(await text(forwarded.first().getByTestId('crossing-mark')), /rewritten: destination address/);
    },
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
    packets: async (page) => {
      // The dropped SYN, sent again and again with the same source port; the rejected one answered by a reset.
      const syns = await seePacket(page, 'wan', tcpLine('203.0.113.1', '203.0.113.80', 'SYN'));
      const sources = (await syns.locator('td:nth-child(5)').allTextContents()).map((t) => /^(\S+)/.exec(t)?.[1]);
      assert.ok(sources.some((src, i) => sources.indexOf(src) !== i), `a SYN retransmitted: ${sources.join(' ')}`);
      await seePacket(page, 'wan', /^203\.0\.113\.80:\d+ → 203\.0\.113\.1:\d+ \[RST, ACK\]/);
    },
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
    packets: async (page) => {
      // The request's bytes in one segment on lan (57 bytes of text), and the server's response coming back.
      const request = await seePacket(page, 'lan', /^192\.168\.1\.10:\d+ → 203\.0\.113\.80:80 \[PSH, ACK\] .* len=57(?!\d)/);
      await seePacket(page, 'wan', /^203\.0\.113\.80:80 → 203\.0\.113\.1:\d+ \[.*\] .* len=\d+/);
      await request.first().getByRole('button').click();
      const detail = widget(page).getByTestId('packet-detail');
      await detail.waitFor();
      assert.match(await text(detail), /GET \/ HTTP\/1\.1/, 'the request line, in the packet');
    },
    checks: () => ({
      [stepOf('http-on-the-sandbox', op('recv'), 1)]: async (page) =>
        assert.match(await text(answer(page)), /"HTTP\/1\.1 200 OK\\r\\n.*hello from 203\.0\.113\.80:80: you are 203\.0\.113\.1:\d+ and asked for \/\\n"/, 'the real server saw the router'),
      [stepOf('http-on-the-sandbox', op('recv'), 2)]: async (page) => assert.match(await text(answer(page)), /"HTTP\/1\.1 200 OK\\r\\n/, 'this site answers too'),
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
      it(`${lesson.slug}: ${lesson.scenario} to the end (${lesson.keyboard ? 'keyboard' : 'mouse'}, ${lesson.width} px), its packets; 1280 and 375 px, axe light and dark`, { timeout: 200_000 }, async () => {
        const page = await browser.newPage({ viewport: { width: lesson.width, height: 900 } });
        const problems = watchProblems(page);
        try {
          await page.goto(`${server.url}/learn/${lesson.slug}`);
          await widget(page).getByTestId('lab-status').and(page.locator('[data-status="open"]')).waitFor();
          await guide(page).scrollIntoViewIfNeeded();
          await walk(page, lesson.scenario, lesson.checks(), lesson.keyboard);
          await widget(page).and(page.locator('[data-network="up"]')).waitFor();

          await lesson.packets(page);

          // Both widths, each in both themes: the walk's width, then the same page resized to the
          // other (the widget keeps its state). At 375 px nothing may be wider than the screen.
          for (const width of [lesson.width, lesson.width === 375 ? 1280 : 375]) {
            await page.setViewportSize({ width, height: 900 });
            if (width === 375) await assertFits(page, 375);
            await page.evaluate(() => document.documentElement.classList.remove('dark'));
            await assertAxeClean(page, `${lesson.slug} light at ${width} px`);
            await page.evaluate(() => document.documentElement.classList.add('dark'));
            await assertAxeClean(page, `${lesson.slug} dark at ${width} px`);
            if (width === 375) await assertFits(page, 375);
          }
          assert.deepEqual(problems, { console: [], failed: [] });
        } finally {
          await page.close();
        }
      });
    }
  });
});
