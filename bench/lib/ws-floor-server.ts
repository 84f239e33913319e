/**
 * The server half of bench/ws-floor.ts: a bare `ws` server that answers each command frame the way
 * the lab's hub does (JSON.parse, then the step event and the reply, corked into one write), with no
 * lab behind it. `one` sends the reply with the step inside it, in one frame, instead. `frames` sends
 * the two as the lab does since its workers frame their output (server/lab/out-batch.ts: both encoded
 * into one buffer, written with one `write`); `two` as the hub did before, ws's `send` twice, corked.
 * It measures its own CPU between a `start` and a `stop` frame and answers `stop` with µs per request.
 */
import { WebSocketServer } from 'ws';
import { transportOf, writeFrames } from '../../server/front/ws-transport.ts';
import { OutBatchBuilder } from '../../server/lab/out-batch.ts';

const mode = process.argv[2] === 'one' || process.argv[2] === 'frames' ? process.argv[2] : 'two';
const out = new OutBatchBuilder();
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, allowSynchronousEvents: false });
let requests = 0;
let cpu0 = process.cpuUsage();
wss.on('listening', () => {
  const address = wss.address();
  if (typeof address === 'object' && address) console.log(`port ${address.port}`);
});
wss.on('connection', (ws) => {
  const transport = transportOf(ws);
  ws.on('message', (data: Buffer) => {
    const cmd = JSON.parse(data.toString('utf8')) as { id: number; op: string; args: unknown };
    if (cmd.op === 'start') {
      requests = 0;
      cpu0 = process.cpuUsage();
      return;
    }
    if (cmd.op === 'stop') {
      const cpu = process.cpuUsage(cpu0);
      ws.send(JSON.stringify({ us: (cpu.user + cpu.system) / requests, requests }));
      return;
    }
    requests++;
    // An accept's result: about the size of the lab's usual step and reply.
    const result = { sock: 's3', fd: 41, peer: { address: '127.0.0.1', port: 41234 }, local: { address: '127.0.0.1', port: 41001 } };
    const step = { event: 'step', seq: requests, id: cmd.id, actor: 'server', op: cmd.op, sock: 's1', args: cmd.args, status: 'ok', start: Date.now(), result, end: Date.now() };
    const reply = { id: cmd.id, ok: true, result };
    if (mode === 'one') {
      ws.send(JSON.stringify({ ...reply, step }));
      return;
    }
    if (mode === 'frames') {
      out.add(0, JSON.stringify(step));
      out.add(0, JSON.stringify(reply));
      writeFrames(ws, Buffer.from(out.take().bytes));
      return;
    }
    transport?.cork();
    ws.send(JSON.stringify(step));
    ws.send(JSON.stringify(reply));
    transport?.uncork();
  });
});
