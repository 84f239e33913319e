import type { Scenario } from '../scenario-schema';
import { clientSocket, serverSetup } from '../scenario-steps';

const scenario: Scenario = {
  name: 'client-side',
  title: 'The client side, step by step',
  summary: 'socket, connect, send, recv, close against a server the lab prepares first.',
  steps: [
    ...serverSetup(),
    {
      op: 'accept',
      args: { sock: '$srv' },
      save: { conn: 'sock' },
      background: true,
      expect: 'blocked',
      explain: 'Set-up: the server waits for a client. From here on, watch the client.',
    },
    {
      ...clientSocket(),
      explain: 'The client asks for a TCP socket. It has no address yet; there is no row for it in the kernel table.',
    },
    {
      op: 'connect',
      args: { sock: '$cli', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'connect() picks an ephemeral local port for the client (look at its local address) and performs the handshake. When it returns, the connection is ESTABLISHED.',
    },
    {
      op: 'send',
      args: { sock: '$cli', data: 'GET /time\n' },
      expect: 'ok',
      explain: 'The client sends its request. The bytes wait in the server\'s receive queue until the server reads them.',
    },
    {
      op: 'recv',
      args: { sock: '$conn' },
      expect: 'ok',
      explain: 'Set-up: the server reads the request.',
    },
    {
      op: 'send',
      args: { sock: '$conn', data: 'it is time to learn sockets\n' },
      expect: 'ok',
      explain: 'Set-up: the server answers.',
    },
    {
      op: 'recv',
      args: { sock: '$cli' },
      expect: 'ok',
      explain: 'The client reads the answer. A real client loops on recv() until it has the whole message.',
    },
    {
      op: 'close',
      args: { sock: '$cli' },
      expect: 'ok',
      explain: 'The client closes. Because it closed first, its side will sit in TIME_WAIT once the server closes too.',
    },
    { op: 'close', args: { sock: '$conn' }, expect: 'ok', explain: 'Set-up: the server closes its side.' },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'Set-up: the server stops listening.' },
  ],
};

export default scenario;
