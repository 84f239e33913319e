/**
 * Run by bench/lib/time-wait.ts in its own process: keeps about `target` TCP connections in
 * TIME_WAIT on this machine, as a busy class leaves them, by making short connections to a
 * throwaway listener, the client closing first. Everything is on 127.0.0.2 and up (loopback), so
 * the clients' ports never take one of the lab's ports on 127.0.0.1. Each client binds its own port,
 * below both the lab range and the kernel's ephemeral range, in turn: asking the kernel for a free
 * port (port 0) gets slower with every TIME_WAIT it must step over.
 * Stops after `seconds`, or when its parent goes away (stdin closes). Prints one JSON line per
 * top-up: {"made":..,"timeWait":..}.
 *   node --import tsx bench/lib/time-wait-child.ts <target> <seconds>
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';

const target = Number(process.argv[2] ?? 20000);
const seconds = Number(process.argv[3] ?? 120);
/** Connections in flight at once while topping up. */
const PARALLEL = 32;
const FIRST_PORT = 10_000;
const PORTS = 32_768 - FIRST_PORT;
/** One loopback address per PORTS connections: 127.0.0.2, 127.0.0.3, ... */
const HOSTS = Array.from({ length: Math.ceil((target * 1.1) / PORTS) }, (_, i) => `127.0.0.${i + 2}`);

function timeWaitCount(): number {
  const m = /TCP:.*\btw (\d+)/.exec(readFileSync('/proc/net/sockstat', 'utf8'));
  return m ? Number(m[1]) : 0;
}

const servers = await Promise.all(
  HOSTS.map(async (host) => {
    const server = net.createServer((s) => {
      // The client closes first; closing back puts the client's end in TIME_WAIT for 60 s.
      s.on('end', () => s.end());
      s.on('error', () => s.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return { server, host, port: (server.address() as net.AddressInfo).port };
  }),
);
let nth = 0;

/** Resolves true once the connection is closed with the client's end in TIME_WAIT. */
function oneConnection(): Promise<boolean> {
  // Cycling through the ports, a client port comes round again only after its TIME_WAIT is old;
  // one still held is refused (EADDRINUSE) and the next port is tried.
  const i = nth++;
  const { host, port } = servers[Math.floor(i / PORTS) % servers.length]!;
  const localPort = FIRST_PORT + (i % PORTS);
  return new Promise((resolve) => {
    let failed = false;
    const c = net.connect({ host, port, localAddress: host, localPort }, () => c.end());
    c.on('close', () => resolve(!failed));
    c.on('error', () => (failed = true));
    c.resume();
  });
}

async function make(n: number): Promise<number> {
  let made = 0;
  let tries = 0;
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL, n) }, async () => {
      while (made < n && tries++ < n * 3) if (await oneConnection()) made++;
    }),
  );
  return made;
}

let made = 0;
const deadline = Date.now() + seconds * 1000;
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
while (Date.now() < deadline) {
  const missing = target - timeWaitCount();
  if (missing > target * 0.02) {
    made += await make(missing);
    console.log(JSON.stringify({ made, timeWait: timeWaitCount() }));
  }
  await new Promise((r) => setTimeout(r, 500));
}
for (const s of servers) s.server.close();
process.exit(0);
