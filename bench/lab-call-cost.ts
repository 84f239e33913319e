/**
 * What a lab call costs the server's JavaScript, without the WebSocket: one process, no load
 * generator beside it, so the figure moves far less on a shared machine than bench/lab-load.ts's.
 * Each session loops the hello conversation through what the hub does with a frame: JSON.parse,
 * the protocol's schema, LabSession.execute (policy, socket table, the native engine's real calls,
 * readiness), and JSON.stringify of the step event and the reply. Prints the process's CPU per call
 * beside the lab system calls' own time measured inside the addon, over several rounds (median).
 *   node --import tsx bench/lab-call-cost.ts [--sessions 50] [--seconds 3] [--rounds 5] [--calls N]
 * --calls N ends each round after N calls instead of after --seconds: the same work every run, so
 * two trees can be compared by the whole process's CPU time, run after run.
 * Loopback only; bounded in time.
 */
import { parseArgs } from 'node:util';
import { createNativeEngine } from '../server/engines/native/index.ts';
import { LabPolicy } from '../server/lab/policy.ts';
import { PortPicker } from '../server/lab/port-picker.ts';
import { LabSession } from '../server/lab/session.ts';
import { CommandSchema, type ArgsOf, type Op } from '../server/protocol/index.ts';
import { labPrograms } from '../server/programs.ts';
import { HelloConversation, type Caller, type LoopStats } from './lib/hello-loop.ts';
import { machineLine } from './lib/server-process.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '5' },
    calls: { type: 'string' },
  },
});
const SESSIONS = Number(values.sessions);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CALLS = values.calls === undefined ? Infinity : Number(values.calls);
const PORTS: [number, number] = [41000, 41999];

const engine = createNativeEngine();
const ports = new PortPicker(PORTS);
const policy = new LabPolicy({ ports: PORTS, extraAddresses: [], sitePort: null, limits: { sockets: 32, sendBytes: 65536, commandsPerSecond: 1_000_000, idleSeconds: 600 } });
let bytesOut = 0;

/** A session driven as the hub drives it: text frames in, text frames out. */
function frameCaller(): { caller: Caller; session: LabSession } {
  const session = new LabSession({ engine, policy, ports, readKernel: async () => [], programs: labPrograms({ chatMaxClients: 4 }), fdBudget: 100_000 });
  session.attach((event) => (bytesOut += JSON.stringify(event).length));
  let id = 0;
  const caller: Caller = {
    closed: false,
    async call<O extends Op>(op: O, args: ArgsOf<O>) {
      // One frame a turn of the event loop, as the hub takes them: readiness (a connection waiting,
      // data arriving) is reported between calls, as it is in the server.
      await new Promise((resolve) => setImmediate(resolve));
      const frame = JSON.stringify({ id: ++id, op, args });
      const parsed = CommandSchema.safeParse(JSON.parse(frame));
      if (!parsed.success) throw new Error(`the bench sent a bad frame: ${frame}`);
      const reply = await session.execute(parsed.data);
      bytesOut += JSON.stringify(reply).length;
      return reply;
    },
  };
  return { caller, session };
}

async function round(): Promise<{ calls: number; cpuUs: number; syscallUs: number; syscalls: number }> {
  const drivers = Array.from({ length: SESSIONS }, frameCaller);
  const stats: LoopStats = { latencies: [], errors: [], loops: 0 };
  const clock0 = engine.syscallClock!();
  const cpu0 = process.cpuUsage();
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    drivers.map(async ({ caller }) => {
      const hello = new HelloConversation(caller, stats);
      while (CALLS === Infinity ? Date.now() < end : stats.latencies.length < CALLS) await hello.next();
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const clock1 = engine.syscallClock!();
  for (const d of drivers) d.session.end('closed', 'bench over');
  if (stats.errors.length) throw new Error(`calls failed: ${stats.errors.slice(0, 5).join(', ')}`);
  const calls = stats.latencies.length;
  return { calls, cpuUs: (cpu.user + cpu.system) / calls, syscallUs: (clock1.ns - clock0.ns) / 1e3 / calls, syscalls: (clock1.calls - clock0.calls) / calls };
}

await round(); // warm up: the JIT, the port picker
const results = [];
for (let r = 0; r < ROUNDS; r++) {
  const x = await round();
  results.push(x);
  console.log(`round ${r + 1}: ${x.calls} calls, ${x.cpuUs.toFixed(1)} µs of CPU per call, its system calls ${x.syscallUs.toFixed(1)} µs inside the addon (${x.syscalls.toFixed(2)} per call)`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpu = median(results.map((x) => x.cpuUs));
const sys = median(results.map((x) => x.syscallUs));
console.log(`median of ${ROUNDS} rounds, ${SESSIONS} sessions: ${cpu.toFixed(1)} µs of CPU per call without the WebSocket; system calls ${sys.toFixed(1)} µs (${(cpu / sys).toFixed(1)}×)`);
console.log(machineLine());
