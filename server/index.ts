/** Entry point: validate settings once, start the site and the lab on one port, print the URL. */
import { ConfigError, loadConfig } from './config.ts';
import { startServer, type RunningServer } from './app.ts';
import { formatCode } from './class/class-codes.ts';
import { sandboxStartLine } from './sandbox/index.ts';
import { stopOnSignals } from './stop-signals.ts';
import { qrTerminal } from './class/qr.ts';

function printClassBanner(c: NonNullable<RunningServer['classroom']>, host: string): void {
  const info = c.hub.info;
  const qr = qrTerminal(c.studentUrl);
  const lines = [
    `CLASS: ${info.title} (${c.resumed ? `resumed, ${c.hub.studentCount} students so far` : 'new'})${info.endedAt ? ' - this class has ENDED; start a new one with --new-class' : ''}`,
    '',
    `  Students open:   ${c.studentUrl}`,
    `  Join code:       ${formatCode(info.code)}`,
    info.chat ? `  Class chat:      nc ${info.chat.address} ${info.chat.port}` : '  Class chat:      not running',
    '',
    qr,
    `  Instructor (keep this private, do not project it):`,
    `  ${c.instructorUrl}`,
    '',
    `  Class data: ${c.dataFile} (roster, progress and quiz results survive restarts)`,
  ];
  if (host === '127.0.0.1' || host === 'localhost' || host === '::1') {
    lines.push('', '  Note: students on other machines cannot reach 127.0.0.1. Start with --host <this machine\'s LAN address>.');
  }
  console.log(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  // Next reads NODE_ENV when it loads; set it before startServer imports next.
  const env = process.env as Record<string, string | undefined>;
  if (config.dev) env.NODE_ENV = 'development';
  else env.NODE_ENV ??= 'production';

  let running;
  try {
    running = await startServer(config);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') console.error(`Port ${config.port} on ${config.host} is already in use. Stop the other program or start with --port <another> (or PORT=...).`);
    else if (err.code === 'EADDRNOTAVAIL') console.error(`${config.host} is not an address of this machine. Use one of its own addresses with --host.`);
    else if (err.code === 'EACCES') console.error(`Not allowed to listen on port ${config.port}. Ports below 1024 need extra privileges; use 3000 or above.`);
    else if (err.code === 'E_NO_SQLITE') console.error(err.message);
    // A class store that cannot be opened (docs/hosting.md lists the codes): one line, code last.
    else if (err.code?.startsWith('E_CLASS_DATA_')) console.error(`${err.message} [${err.code}]`);
    else console.error(err.stack ?? String(err));
    process.exit(1);
  }
  // Before anything is printed: a Ctrl+C while the class banner is drawn must close gracefully too.
  const server = running;
  stopOnSignals(() => server.close(), { quiet: config.quiet });

  const engineLine =
    running.engine.name === 'native'
      ? 'lab engine: native (one real system call per step)'
      : `lab engine: node fallback (some steps are combined; ${running.fallbackReason ?? ''})`;
  const kernelLine =
    running.kernelView.source === 'netlink'
      ? 'kernel view: netlink sock_diag (each session\'s own sockets)'
      : `kernel view: /proc/net (the whole table; ${running.kernelView.fallbackReason ?? ''})`;
  const sandboxLine = sandboxStartLine(running.sandboxSupport, config.sandboxNetworks).trimStart();
  console.log(`\nSocket Lab is running at ${running.url}\n  ${engineLine}\n  ${kernelLine}\n  ${sandboxLine}\n  lab sockets: ${running.policy.addresses.join(', ')} ports ${running.policy.ports.join('-')}, at most ${running.fdBudget.sockets} open at once\n  press Ctrl+C to stop\n`);
  if (running.classroom) printClassBanner(running.classroom, config.host);
}

void main();
