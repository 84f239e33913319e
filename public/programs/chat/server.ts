/**
 * A chat server on Node's event loop: no threads, no blocking calls, any number of clients.
 *
 * Usage: npx tsx server.ts PORT [ADDRESS]      (ADDRESS defaults to 127.0.0.1)
 * Join it with: nc 127.0.0.1 PORT
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';

const MAX_LINE = 4096; // bytes in one line, not counting the newline
const MAX_BACKLOG = 64 * 1024; // unsent bytes we hold for one client before we give up on it
const NICK = /^[A-Za-z0-9_-]{1,20}$/;
const DRAIN_MS = 3000; // after /quit: how long we wait for the client to close its side
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // fatal: throw on bad bytes

interface Client {
  socket: Socket;
  nick: string;
  inbuf: Buffer; // received bytes that do not end in \n yet
  skipping: boolean; // inside an over-long line: drop bytes up to its \n
}

const clients = new Set<Client>(); // a Set keeps join order
let guests = 0;

/** Queue one line for c. write() never blocks: Node keeps what the kernel cannot take yet. */
function sendLine(c: Client, text: string): void {
  if (!clients.has(c)) return;
  c.socket.write(text + '\n');
  // writableLength: bytes still waiting in Node's buffer, not yet handed to the kernel.
  if (c.socket.writableLength > MAX_BACKLOG) {
    leave(c, 'left (too slow)');
    c.socket.destroy(); // it stopped reading: drop it rather than buffer forever
  }
}

function broadcast(text: string, except?: Client): void {
  for (const other of [...clients]) if (other !== except) sendLine(other, text);
}

/** Take c out of the chat and tell the others; closing the socket is up to the caller. */
function leave(c: Client, reason: string): void {
  if (!clients.delete(c)) return;
  broadcast(`* ${c.nick} ${reason}`);
}

/**
 * After /quit: end() sends FIN once "* bye" is out (shutdown(SHUT_WR), a half-close), and Node reads on until
 * the client's FIN, then closes. destroy() at once could lose the bye: with bytes from the client still unread,
 * the kernel answers close() with a reset (RST), not FIN, and throws away what it has not sent yet
 * (RFC 2525, 2.17). A client that never closes its side gets DRAIN_MS.
 */
function closePolitely(c: Client): void {
  c.socket.end();
  const timer = setTimeout(() => c.socket.destroy(), DRAIN_MS);
  c.socket.once('close', () => clearTimeout(timer));
}

function onData(c: Client, chunk: Buffer): void {
  if (!clients.has(c)) return; // it said /quit: we only read on to reach its FIN
  c.inbuf = Buffer.concat([c.inbuf, chunk]);
  // TCP is a byte stream: one chunk may hold half a line or many lines. Cut at each \n.
  let nl: number;
  while (clients.has(c) && (nl = c.inbuf.indexOf(0x0a)) !== -1) {
    let line = c.inbuf.subarray(0, nl);
    c.inbuf = c.inbuf.subarray(nl + 1);
    if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
    if (c.skipping) c.skipping = false; // the \n that ends the over-long line
    else handleLine(c, line);
  }
  if (!clients.has(c)) return;
  if (c.inbuf.length > MAX_LINE + 1) { // +1 leaves room for a \r before the \n
    if (!c.skipping) sendLine(c, `! line too long (max ${MAX_LINE} bytes)`);
    c.skipping = true;
    c.inbuf = Buffer.alloc(0); // memory stays bounded
  }
}

function handleLine(c: Client, raw: Buffer): void {
  if (raw.length > MAX_LINE) return sendLine(c, `! line too long (max ${MAX_LINE} bytes)`);
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return sendLine(c, '! not UTF-8 text, line dropped');
  }
  if (text === '') return;
  if (!text.startsWith('/')) return broadcast(`<${c.nick}> ${text}`, c);
  const space = text.indexOf(' ');
  const command = space === -1 ? text : text.slice(0, space);
  const arg = space === -1 ? '' : text.slice(space + 1);
  if (command === '/nick') {
    const name = arg.replace(/^ +| +$/g, '');
    if (!NICK.test(name)) sendLine(c, '! bad nickname');
    else if ([...clients].some((o) => o.nick === name)) sendLine(c, `! nickname ${name} is taken`);
    else {
      const old = c.nick;
      c.nick = name;
      broadcast(`* ${old} is now ${name}`);
    }
  } else if (command === '/who') {
    sendLine(c, `* online: ${[...clients].map((o) => o.nick).join(', ')}`);
  } else if (command === '/quit') {
    sendLine(c, '* bye');
    if (!clients.has(c)) return; // sendLine dropped it (too slow)
    leave(c, 'left');
    closePolitely(c);
  } else {
    sendLine(c, `! unknown command ${command}`);
  }
}

function onConnection(socket: Socket): void {
  let nick: string;
  do nick = `guest${++guests}`; while ([...clients].some((o) => o.nick === nick));
  const c: Client = { socket, nick, inbuf: Buffer.alloc(0), skipping: false };
  clients.add(c);
  // Node calls these from its event loop when the kernel reports the socket ready.
  socket.on('data', (chunk: Buffer) => onData(c, chunk));
  socket.on('end', () => leave(c, 'left')); // EOF: Node then ends our side too
  socket.on('error', () => {}); // ECONNRESET, EPIPE: 'close' follows
  socket.on('close', () => leave(c, 'left')); // does nothing if c already left
  sendLine(c, `* welcome, ${nick}. Commands: /nick NAME, /who, /quit`);
  broadcast(`* ${nick} joined`, c);
}

const [portText, address = '127.0.0.1'] = process.argv.slice(2);
if (portText === undefined) {
  console.error('usage: npx tsx server.ts PORT [ADDRESS]');
  process.exit(2);
}
const server = createServer(onConnection);
server.listen(Number(portText), address, () => {
  const { port } = server.address() as AddressInfo;
  console.log(`listening on ${address}:${port}`);
});
process.on('SIGINT', () => {
  for (const c of clients) c.socket.destroy();
  server.close();
  process.exit(0);
});
