import type { Scenario, ScenarioStep } from '../scenario-schema';
import { serverSetup } from '../scenario-steps';

const scenario: Scenario = {
  name: 'accept-queue',
  title: 'The accept queue and a full backlog',
  summary: 'Clients connect before the server accepts; when the queue is full, the next one waits in SYN_SENT.',
  steps: [
    ...serverSetup(1),
    ...[1, 2, 3].flatMap((n): ScenarioStep[] => [
      {
        op: 'socket',
        args: { type: 'tcp', actor: `client ${n}` },
        save: { [`c${n}`]: 'sock' },
        expect: 'ok',
        explain: `Client ${n} makes a socket.`,
      },
      {
        op: 'setblocking',
        args: { sock: `$c${n}`, blocking: false },
        expect: 'ok',
        explain: `Client ${n} switches its socket to non-blocking, so connect() returns at once instead of waiting.`,
      },
      {
        op: 'connect',
        args: { sock: `$c${n}`, address: '127.0.0.1', port: '$port' },
        expect: 'EINPROGRESS',
        explain:
          n < 3
            ? `Client ${n} connects. The server has not called accept(), yet the kernel completes the handshake and queues the connection: look at Recv-Q of the LISTEN row.`
            : 'With backlog 1 the queue holds two connections and it is full: the kernel ignores this SYN. The third client stays in SYN_SENT and will retry.',
      },
    ]),
    {
      op: 'accept',
      args: { sock: '$srv' },
      save: { a1: 'sock' },
      expect: 'ok',
      explain: 'The server accepts one connection, making room in the queue. When client 3 retries its SYN (after about a second), it gets in.',
    },
    {
      op: 'accept',
      args: { sock: '$srv' },
      save: { a2: 'sock' },
      expect: 'ok',
      explain: 'The second queued connection is accepted.',
    },
    {
      op: 'accept',
      args: { sock: '$srv' },
      save: { a3: 'sock' },
      expect: 'ok',
      explain: 'And the third, once its retried handshake has completed. No client was refused: a full queue makes clients wait, not fail.',
    },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'The server stops listening. The accepted connections stay open until closed.' },
  ],
};

export default scenario;
