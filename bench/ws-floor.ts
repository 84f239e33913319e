/**
 * The WebSocket's own part of a lab call: a bare `ws` server in its own process answers command
 * frames as the hub does (a step event and a reply, corked into one write) with no lab behind it, so
 * its CPU per request is the floor under bench/lab-load.ts's "server CPU per call" on the same
 * machine at the same moment. It runs the same load three ways, in turn: the two frames as the lab
 * writes them (made into one buffer, one write: server/lab/out-batch.ts), as the hub wrote them before
 * (ws `send` twice, corked), and with the step inside the reply, one frame instead of two (a protocol
 * change the lab has not made), to price that idea.
 *   node --import tsx bench/ws-floor.ts [--sessions 100] [--seconds 4] [--pairs 3]
 * Loopback only; bounded in time.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { machineLine } from './lib/server-process.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '4' },
    pairs: { type: 'string', default: '3' },
  },
});
const SESSIONS = Number(values.sessions);
const SECONDS = Number(values.seconds);
const PAIRS = Number(values.pairs);

/** One client looping requests: the next is sent when the last one's frames (1 or 2) are all in. */
function loop(ws: WebSocket, framesPerRequest: number, until: number): Promise<void> {
  return new Promise((done) => {
    let got = 0;
    let id = 0;
    const send = () => {
      if (Date.now() > until) {
        ws.off('message', onMessage);
        done();
        return;
      }
      ws.send(JSON.stringify({ id: ++id, op: 'accept', args: { sock: 's1' } }));
    };
    const onMessage = () => {
      if (++got % framesPerRequest === 0) send();
    };
    ws.on('message', onMessage);
    send();
  });
}

async function run(mode: 'frames' | 'two' | 'one'): Promise<{ us: number; requests: number }> {
  const server = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/ws-floor-server.ts', mode], { cwd: `${import.meta.dirname}/..`, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout.on('data', (d) => {
        const m = /port (\d+)/.exec(String(d));
        if (m) resolve(Number(m[1]));
      });
      server.once('exit', (code) => reject(new Error(`the ws server exited with ${code}`)));
    });
    const clients = await Promise.all(
      Array.from({ length: SESSIONS }, () => new Promise<WebSocket>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}`);
        ws.once('open', () => resolve(ws));
      })),
    );
    const frames = mode === 'one' ? 1 : 2;
    await Promise.all(clients.map((c) => loop(c, frames, Date.now() + 1500))); // warm up
    const first = clients[0]!;
    first.send(JSON.stringify({ op: 'start' }));
    await new Promise((r) => setTimeout(r, 100));
    await Promise.all(clients.map((c) => loop(c, frames, Date.now() + SECONDS * 1000)));
    const result = await new Promise<{ us: number; requests: number }>((resolve) => {
      first.once('message', (d) => resolve(JSON.parse(String(d)) as { us: number; requests: number }));
      first.send(JSON.stringify({ op: 'stop' }));
    });
    for (const c of clients) c.close();
    return result;
  } finally {
    server.kill();
  }
}

const framed: number[] = [];
const two: number[] = [];
const one: number[] = [];
for (let i = 0; i < PAIRS; i++) {
  const f = await run('frames');
  const a = await run('two');
  const b = await run('one');
  framed.push(f.us);
  two.push(a.us);
  one.push(b.us);
  console.log(`round ${i + 1}: step + reply framed into one buffer, one write ${f.us.toFixed(1)} µs of server CPU per request (${f.requests} requests); ws send ×2 corked ${a.us.toFixed(1)} µs (${a.requests}); step inside the reply (1 frame) ${b.us.toFixed(1)} µs (${b.requests})`);
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
console.log(`median of ${PAIRS} rounds, ${SESSIONS} clients: the WebSocket alone costs the server ${median(framed).toFixed(1)} µs per request as the lab writes today, ${median(two).toFixed(1)} µs with ws send ×2 corked (before), ${median(one).toFixed(1)} µs with one frame`);
console.log(machineLine());
