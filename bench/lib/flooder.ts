/**
 * A flooding /lab client, run as its own process by bench/flood.ts so that its work does not slow
 * the measuring client's event loop: `batch` command frames every `every` ms (default 100 every
 * 20 ms: 5,000 a second), a new connection whenever the server closes one, until the time is up.
 * Prints its tally as JSON.
 *   node --import tsx bench/lib/flooder.ts <ws-url> <seconds> [op] [batch] [every]
 */
import WebSocket from 'ws';

const [url, seconds, op] = [process.argv[2], Number(process.argv[3]), process.argv[4] ?? 'kernel'];
const [batch, every] = [Number(process.argv[5] ?? 100), Number(process.argv[6] ?? 20)];
const ARGS: Record<string, unknown> = { kernel: {}, setblocking: { sock: 's1', blocking: true }, socket: { type: 'udp' } };
const until = Date.now() + seconds * 1000;
const tally = { sent: 0, refused: 0, answered: 0, closes: {} as Record<string, number> };

let id = 0;
while (Date.now() < until) {
  const ws = new WebSocket(url);
  await new Promise((resolve) => ws.once('message', resolve)); // hello
  ws.on('message', (m) => {
    const msg = JSON.parse(String(m));
    if (!('ok' in msg)) return;
    if (msg.ok === false && msg.error.code === 'E_LIMIT') tally.refused++;
    else tally.answered++;
  });
  const closed = new Promise<void>((resolve) =>
    ws.once('close', (code) => {
      tally.closes[code] = (tally.closes[code] ?? 0) + 1;
      resolve();
    }),
  );
  while (Date.now() < until && ws.readyState === ws.OPEN) {
    for (let i = 0; i < batch; i++) ws.send(JSON.stringify({ id: ++id, op, args: ARGS[op] ?? {} }));
    tally.sent += batch;
    await new Promise((r) => setTimeout(r, every));
  }
  if (ws.readyState === ws.OPEN) ws.close();
  await closed;
}
console.log(JSON.stringify(tally));
