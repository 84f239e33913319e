/**
 * The sandbox without root: when the tests run as root, a server script runs again as `nobody`
 * (setpriv) and does the essential things: builds `home`, listens on the server's port 80, connects
 * from the laptop through the router's NAT, adds a firewall rule and pings. (As an ordinary user
 * every sandbox test already runs unprivileged, so this one is skipped.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { needs } from '../helpers/tools.ts';

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const index = fileURLToPath(new URL('../../server/sandbox/index.ts', import.meta.url));

function skipReason(): string | false {
  const tools = needs('unshare', 'ip', 'nft');
  if (tools) return tools;
  if (process.getuid?.() !== 0) return 'not root: every sandbox test already runs unprivileged';
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'setpriv (util-linux) not found';
  if (spawnSync('setpriv', [...NOBODY, 'test', '-r', index]).status !== 0) return `nobody cannot read ${index}`;
  return false;
}

const SCRIPT = `
  import { createSandbox } from ${JSON.stringify(index)};
  const wait = () => ({ blocking: true, signal: AbortSignal.timeout(10000), onBlocked() {} });
  const sandbox = createSandbox();
  try {
    const net = await sandbox.create('home');
    const web = await net.socket('server', 'tcp', 4);
    await web.bind('203.0.113.80', 80);
    await web.listen(1);
    const client = await net.socket('laptop', 'tcp', 4);
    const accepting = web.accept(wait());
    const { local } = await client.connect('203.0.113.80', 80, wait());
    const { peer, socket } = await accepting;
    await client.send(Buffer.from('hi'), wait());
    const got = (await socket.recv(10, wait())).toString();
    const rule = await net.firewall('server', { action: 'add', rule: { chain: 'input', protocol: 'udp', destinationPort: 53, verdict: 'drop' } });
    const ping = await net.ping('laptop', '203.0.113.80', { count: 1 });
    console.log(JSON.stringify({ uid: process.getuid(), local, peer, got, nft: rule.rule.nft, ping: ping.received }));
  } finally {
    await sandbox.close();
  }
`;

test('as nobody: a home network, port 80 on the server, NAT, a firewall rule and a ping', { skip: skipReason(), timeout: 60_000 }, () => {
  const r = spawnSync('setpriv', [...NOBODY, process.execPath, '--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
    encoding: 'utf8',
    timeout: 50_000,
    // An ordinary user's PATH on Debian has no /usr/sbin, where ip and nft live.
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', NODE_ENV: process.env.NODE_ENV },
  });
  assert.equal(r.status, 0, r.stderr);
  const seen = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  assert.deepEqual(seen, {
    uid: 65534,
    local: { address: '192.168.1.10', port: (seen.local as { port: number }).port },
    peer: { address: '203.0.113.1', port: (seen.local as { port: number }).port },
    got: 'hi',
    nft: 'nft add rule inet lab input udp dport 53 counter drop',
    ping: 1,
  });
});
