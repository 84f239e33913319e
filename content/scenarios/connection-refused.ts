import type { Scenario } from '../scenario-schema';
import { clientSocket, serverSetup } from '../scenario-steps';

const scenario: Scenario = {
  name: 'connection-refused',
  title: 'Connection refused',
  summary: 'A socket that is bound but not listening, and what a client gets from it.',
  steps: [
    serverSetup()[0],
    serverSetup()[1],
    clientSocket(),
    {
      op: 'connect',
      args: { sock: '$cli', address: '127.0.0.1', port: '$port' },
      expect: 'ECONNREFUSED',
      explain: 'The server socket is bound but has not called listen(), so the kernel answers the SYN with a reset. connect() fails with ECONNREFUSED: being bound is not enough.',
    },
    {
      op: 'listen',
      args: { sock: '$srv', backlog: 5 },
      expect: 'ok',
      explain: 'Now the server listens. The kernel will complete handshakes on this port from now on.',
    },
    clientSocket('cli2'),
    {
      op: 'connect',
      args: { sock: '$cli2', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'The same connect() now succeeds, before the server even calls accept(): the kernel completes the handshake on its own.',
    },
    { op: 'close', args: { sock: '$cli2' }, expect: 'ok', explain: 'The client hangs up.' },
    { op: 'close', args: { sock: '$cli' }, expect: 'ok', explain: 'The refused socket is closed too; it cannot be reused for a second connect.' },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'The server stops listening.' },
  ],
};

export default scenario;
