/**
 * Can this machine have sandbox networks? Checked once, by trying the real thing in miniature: a
 * user + network namespace made by `unshare -Urn`, a veth pair inside it, and an nft NAT and
 * reject rule. When it cannot, the answer is one reason and one remedy, for the server's start
 * line (sandboxStartLine) and for the E_UNSUPPORTED a `network` request gets.
 *
 * Test switch: SOCKETLAB_SANDBOX_NO_USERNS=1 makes user namespaces count as unavailable.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadSandboxAddon } from './netns-addon.ts';

/** The environment variables detection reads. */
export type Env = Readonly<Record<string, string | undefined>>;

export type SandboxSupport = { supported: true } | { supported: false; reason: string; remedy: string };

export const NO_USERNS_SWITCH = 'SOCKETLAB_SANDBOX_NO_USERNS';

const DOCS = 'docs/hosting.md ("The sandbox network")';

/** ip and nft live in /usr/sbin, which an ordinary user's PATH often lacks on Debian. */
export function toolPath(env: Env = process.env): string {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const extra of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!dirs.includes(extra)) dirs.push(extra);
  }
  return dirs.join(path.delimiter);
}

/** The executable `name` on `searchPath`, or null. */
export function findTool(name: string, searchPath: string): string | null {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  for (const dir of searchPath.split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const TOOLS = [
  { name: 'unshare', package: 'util-linux' },
  { name: 'ip', package: 'iproute2' },
  { name: 'nft', package: 'nftables' },
] as const;

export interface SupportOptions {
  env?: Env;
  platform?: NodeJS.Platform;
  /** The unshare to run (a dedicated copy can carry its own AppArmor profile; see docs/hosting.md). */
  unshare?: string;
}

function run(file: string, args: string[], env: { PATH: string }, input?: string): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { timeout: 10_000, killSignal: 'SIGKILL', encoding: 'utf8', env: { PATH: env.PATH, NODE_ENV: process.env.NODE_ENV } }, (error, _stdout, stderr) =>
      resolve({ ok: !error, stderr: `${stderr}${error && !stderr ? error.message : ''}`.trim() }),
    );
    child.stdin?.on('error', () => {});
    child.stdin?.end(input ?? '');
  });
}

function readSysctl(name: string): string | null {
  try {
    return readFileSync(`/proc/sys/${name.replace(/\./g, '/')}`, 'utf8').trim();
  } catch {
    return null;
  }
}

const PROBE_NFT = `table ip probe {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "probe0" masquerade
  }
}
table inet probe {
  chain input {
    type filter hook input priority filter; policy accept;
    tcp dport 9 counter reject with tcp reset
  }
}
`;

/** Why a user namespace could not be had, from the kernel's own switches, most specific first. */
function userNamespaceTrouble(stderr: string): { reason: string; remedy: string } {
  if (readSysctl('kernel.unprivileged_userns_clone') === '0') {
    return {
      reason: 'unprivileged user namespaces are switched off (kernel.unprivileged_userns_clone=0)',
      remedy: `Run \`sudo sysctl -w kernel.unprivileged_userns_clone=1\`, or see ${DOCS}.`,
    };
  }
  if (readSysctl('user.max_user_namespaces') === '0') {
    return {
      reason: 'user namespaces are switched off (user.max_user_namespaces=0)',
      remedy: `Run \`sudo sysctl -w user.max_user_namespaces=10000\`, or see ${DOCS}.`,
    };
  }
  if (readSysctl('kernel.apparmor_restrict_unprivileged_userns') === '1') {
    return {
      reason: 'AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1, Ubuntu 23.10+)',
      remedy: `Install the AppArmor profile from ${DOCS}, or run \`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0\`.`,
    };
  }
  return {
    reason: `a user and network namespace could not be set up (${stderr.split('\n')[0]?.slice(0, 160) || 'no reason given'})`,
    remedy: `In a container, allow unshare (Docker: --security-opt seccomp=unconfined --security-opt apparmor=unconfined) or run on a Linux VM; see ${DOCS}.`,
  };
}

/** Detection, in order: platform, addon, tools, user namespaces (or the test switch), veth, nftables. */
export async function detectSandboxSupport(options: SupportOptions = {}): Promise<SandboxSupport> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') {
    const where = platform === 'darwin' ? 'macOS' : platform === 'win32' ? 'Windows' : platform;
    return {
      supported: false,
      reason: `the sandbox network is built from Linux network namespaces, and this is ${where}`,
      remedy: 'Run the server on Linux (on Windows, inside WSL 2); the lessons use their widgets meanwhile.',
    };
  }
  const loaded = loadSandboxAddon();
  if (!loaded.addon) {
    return { supported: false, reason: loaded.reason, remedy: 'Install a C compiler and Python 3, then run `node scripts/build-addon.mjs`.' };
  }
  const searchPath = toolPath(env);
  const found = new Map<string, string>();
  for (const tool of TOOLS) {
    const file = findTool(tool.name === 'unshare' ? (options.unshare ?? 'unshare') : tool.name, searchPath);
    if (!file) {
      return { supported: false, reason: `\`${tool.name}\` is not installed`, remedy: `Run \`sudo apt-get install -y ${tool.package}\` (package ${tool.package}).` };
    }
    found.set(tool.name, file);
  }
  const probeEnv = { PATH: searchPath };
  const unshare = found.get('unshare')!;
  // The test switch stands in for a kernel that refuses: the same diagnosis follows.
  const veth =
    env[NO_USERNS_SWITCH] === '1'
      ? { ok: false, stderr: `unshare: unshare failed: Operation not permitted (simulated by ${NO_USERNS_SWITCH}=1)` }
      : await run(unshare, ['-Urn', '--', found.get('ip')!, 'link', 'add', 'name', 'probe0', 'type', 'veth', 'peer', 'name', 'probe1'], probeEnv);
  if (!veth.ok) {
    if (/unshare failed|uid_map|gid_map|setgroups/i.test(veth.stderr) || /Operation not permitted/i.test(veth.stderr)) {
      return { supported: false, ...userNamespaceTrouble(veth.stderr) };
    }
    return {
      supported: false,
      reason: `a veth pair could not be made in a network namespace (${veth.stderr.split('\n')[0]?.slice(0, 160)})`,
      remedy: `Load the veth and bridge modules (\`sudo modprobe veth bridge\`); see ${DOCS}.`,
    };
  }
  const nft = await run(unshare, ['-Urn', '--', found.get('nft')!, PROBE_NFT], probeEnv);
  if (!nft.ok) {
    return {
      supported: false,
      reason: `nftables does not work in a network namespace (${nft.stderr.split('\n')[0]?.slice(0, 160)})`,
      remedy: `Load the modules (\`sudo modprobe nf_tables nft_nat nft_masq nft_reject_inet nft_ct\`); see ${DOCS}.`,
    };
  }
  return { supported: true };
}

/** The line the server prints at start, under "lab engine: ...". */
export function sandboxStartLine(support: SandboxSupport, maxNetworks: number): string {
  if (support.supported) return `  sandbox network: on (real hosts, router, NAT and firewall in network namespaces; up to ${maxNetworks} networks)`;
  return `  sandbox network: off: ${support.reason}. ${support.remedy}`;
}
