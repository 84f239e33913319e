/**
 * The one place tests ask for an outside tool or server (nc, cc, python3, Chromium, nft, tshark,
 * PostgreSQL, Redis, nginx, user namespaces). A missing tool skips the test with its install hint;
 * under CI=true a missing tool is also a failed test that names it, so CI can never pass by skipping.
 *
 *   it('talks to nc', { skip: needs('nc') }, async () => { ... });
 *   describe('sandbox', { skip: needs('unshare', 'nft') }, () => { ... });
 */
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { findChromium, CHROMIUM_HINT } from '../../scripts/find-chromium.mjs';
import { findPostgresBin } from './postgres.ts';

export const IN_CI = process.env.CI === 'true';

interface Tool {
  /** True when the tool is usable here. */
  probe: () => boolean;
  hint: string;
}

function runs(cmd: string, args: string[] = ['--version']): boolean {
  try {
    return spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
}

const onPath = (cmd: string) => runs('sh', ['-c', `command -v ${cmd}`]);

/**
 * setpriv's flags that start a program without CAP_NET_RAW (tests/helpers/server-without-net-raw.ts).
 * As root: out of the bounding set, so the exec'd Node is not granted it. As anyone else (who may
 * not change the bounding set): no_new_privs, so a `setcap cap_net_raw+ep` on Node is not honoured.
 */
export const DROP_NET_RAW = process.getuid?.() === 0 ? ['--bounding-set', '-net_raw', '--inh-caps', '-net_raw'] : ['--no-new-privs'];

const APT = (pkgs: string) => `install with \`sudo apt-get install -y ${pkgs}\``;

export const TOOLS = {
  nc: { probe: () => onPath('nc'), hint: APT('netcat-openbsd') },
  cc: { probe: () => runs('cc'), hint: APT('build-essential') },
  python3: { probe: () => runs('python3'), hint: APT('python3') },
  chromium: { probe: () => findChromium() !== null, hint: CHROMIUM_HINT },
  nft: { probe: () => onPath('nft'), hint: APT('nftables') },
  tshark: { probe: () => runs('tshark'), hint: APT('tshark') },
  ip: { probe: () => runs('ip', ['-V']), hint: APT('iproute2') },
  /** Lab shells enter the sandbox's namespaces with it. */
  nsenter: { probe: () => runs('nsenter', ['--version']), hint: APT('util-linux') },
  /** Unprivileged user + network namespaces (the sandbox network). */
  unshare: { probe: () => runs('unshare', ['-Urn', 'true']), hint: 'user namespaces are unavailable here; see docs/hosting.md (sandbox network)' },
  /** The server binaries only: tests start a cluster of their own (tests/helpers/postgres.ts). */
  postgres: { probe: () => findPostgresBin() !== null, hint: `${APT('postgresql')} (the tests start a throwaway cluster of their own)` },
  redis: { probe: () => runs('redis-cli', ['-h', '127.0.0.1', 'ping']), hint: `${APT('redis-server')} and start it (see .ci/run)` },
  nginx: { probe: () => onPath('nginx') || runs('/usr/sbin/nginx', ['-v']), hint: APT('nginx') },
  /** Starts a server without CAP_NET_RAW (tests/helpers/server-without-net-raw.ts). */
  setpriv: { probe: () => runs('setpriv', [...DROP_NET_RAW, '--', 'true']), hint: APT('util-linux') },
  /** The redis-server binary, for tests that start their own Redis (tests/helpers/redis.ts). */
  redisServer: { probe: () => runs('redis-server', ['--version']), hint: APT('redis-server') },
} satisfies Record<string, Tool>;

export type ToolName = keyof typeof TOOLS;

const seen = new Map<ToolName, boolean>();

/** Whether the tool is usable here (probed once per test file). */
export function have(tool: ToolName): boolean {
  let ok = seen.get(tool);
  if (ok === undefined) {
    ok = TOOLS[tool].probe();
    seen.set(tool, ok);
  }
  return ok;
}

/** Missing tools this file has already reported as a failure under CI=true. */
const failedInCi = new Set<ToolName>();

/**
 * For a test's `skip` option (call it where tests are defined, not inside a running test): `false`
 * when every tool is here, else the skip reason with the install hints. Under CI=true a missing
 * tool is also a failed test that names it (once per file and tool), so CI cannot pass by skipping,
 * while the tests that need nothing missing still run.
 */
export function needs(...tools: ToolName[]): string | false {
  const missing = tools.filter((t) => !have(t));
  if (missing.length === 0) return false;
  const hint = (t: ToolName) => `${t} not found: ${TOOLS[t].hint}`;
  const reason = missing.map(hint).join('; ');
  const unreported = IN_CI ? missing.filter((t) => !failedInCi.has(t)) : [];
  if (unreported.length) {
    for (const t of unreported) failedInCi.add(t);
    it(`has ${unreported.join(' and ')} (CI=true: a missing tool is a failure)`, () => {
      throw new Error(`CI=true, and a tool the tests need is missing: ${unreported.map(hint).join('; ')}`);
    });
  }
  return reason;
}
