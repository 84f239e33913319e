/**
 * The lab's promise as a property: after ANY sequence of calls, the kernel's own tables show no
 * socket of the server's on a wildcard or other address outside the policy, and no listener or
 * unconnected UDP socket outside the lab range. fast-check generates the sequences (with shrinking,
 * so a failure prints a short one); each runs against a real server, per engine, and the kernel is
 * read after every call. Bounded: a fixed number of sequences, each call waited for at most 2 s.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import type { RunningServer } from '../../server/app.ts';
import type { ClientEvent } from '../../server/protocol/client.ts';
import { connect, startLab, type Connected } from '../helpers/lab.ts';
import { labSocketViolations } from '../helpers/kernel-sockets.ts';

const ENGINES = [...(loadNativeAddon() ? (['native'] as const) : []), 'node'] as const;
const RUNS = Number(process.env.INVARIANT_RUNS ?? 100);
const SEED = Number(process.env.INVARIANT_SEED ?? Date.now() % 2 ** 31);

/** A port as generated: a literal, or "the n-th port some earlier call of this sequence got". */
type PortChoice = { known: number } | { literal: number };
interface Call {
  op: string;
  args: Record<string, unknown>;
}

function calls(sitePort: number) {
  const sock = fc.constantFrom('s1', 's2', 's3', 's4', 's5', 's6');
  const address = fc.constantFrom('127.0.0.1', '127.0.0.1', '::1', '::1', '::ffff:127.0.0.1', '0.0.0.0', '::', '10.0.0.1');
  const port: fc.Arbitrary<PortChoice> = fc.oneof(
    { weight: 4, arbitrary: fc.nat(7).map((known) => ({ known })) },
    { weight: 2, arbitrary: fc.constant({ literal: 0 }) },
    { weight: 1, arbitrary: fc.integer({ min: 41000, max: 41999 }).map((literal) => ({ literal })) },
    { weight: 1, arbitrary: fc.constantFrom(sitePort, 40999, 42000, 53).map((literal) => ({ literal })) },
  );
  const data = fc.string({ maxLength: 12 });
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('socket'), args: fc.record({ type: fc.constantFrom('tcp', 'udp'), family: fc.constantFrom(4, 6) }) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('bind'), args: fc.record({ sock, address, port }) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('listen'), args: fc.record({ sock }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('accept'), args: fc.record({ sock }) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('connect'), args: fc.record({ sock, address, port }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('send'), args: fc.record({ sock, data }) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('sendto'), args: fc.record({ sock, data, address, port }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('recv', 'recvfrom'), args: fc.record({ sock }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('shutdown'), args: fc.record({ sock, how: fc.constantFrom('read', 'write', 'both') }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('close'), args: fc.record({ sock }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('setblocking'), args: fc.record({ sock, blocking: fc.boolean() }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('run'), args: fc.record({ program: fc.constant('chat'), sock }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('stop'), args: fc.constant({ program: 'chat' }) }) },
  ) as fc.Arbitrary<Call>;
}

/** Sends one call and waits for its reply, or for its blocked step (it then stays pending), or 2 s. */
function run(c: Connected, id: number, op: string, args: Record<string, unknown>): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const done = (value: Record<string, unknown> | null) => {
      clearTimeout(timer);
      off();
      resolve(value);
    };
    const onEvent = (e: ClientEvent) => {
      if (e.event === 'orphan-reply' && e.reply.id === id) done(e.reply.ok ? e.reply.result : null);
      else if (e.event === 'step' && e.id === id && e.status === 'blocked') done(null);
    };
    const off = c.client.on(onEvent);
    const timer = setTimeout(() => done(null), 2000);
    c.ws.send(JSON.stringify({ id, op, args }));
  });
}

/** Ports an earlier call got: bind results, implicit binds, the local end of a connect. */
function portsIn(result: Record<string, unknown> | null): number[] {
  if (!result) return [];
  const ports: number[] = [];
  if (typeof result.port === 'number') ports.push(result.port);
  for (const key of ['implicitBind', 'local']) {
    const e = result[key] as { port?: unknown } | undefined;
    if (typeof e?.port === 'number') ports.push(e.port);
  }
  return ports;
}

for (const engine of ENGINES) {
  describe(`the kernel never shows a lab socket outside the policy (property, engine: ${engine})`, () => {
    let server: RunningServer;
    before(async () => {
      server = await startLab({ engine, commandsPerSecond: 10_000 });
    });
    after(() => server.close());

    it(`holds after every call of ${RUNS} random call sequences (seed ${SEED})`, { timeout: 240_000 }, async () => {
      const promise = () => ({ addresses: server.policy.addresses, ports: server.policy.ports, sitePort: server.port });
      let id = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(calls(server.port), { minLength: 1, maxLength: 30 }), async (sequence) => {
          const c = await connect(server);
          const known: number[] = [];
          try {
            for (const call of sequence) {
              const args = { ...call.args };
              const p = args.port as PortChoice | undefined;
              // Before any port is known, "a known port" is one inside the range, where calls get through.
              if (p) args.port = 'known' in p ? (known.length ? known[p.known % known.length] : 41000 + ((id * 7919) % 1000)) : p.literal;
              known.push(...portsIn(await run(c, ++id, call.op, args)));
              const violations = labSocketViolations(promise());
              assert.deepEqual(violations, [], `after ${call.op} ${JSON.stringify(args)}`);
            }
          } finally {
            c.client.close();
            await new Promise((r) => (c.ws.readyState === c.ws.CLOSED ? r(null) : c.ws.once('close', r)));
          }
        }),
        { numRuns: RUNS, seed: SEED },
      );
    });
  });
}
