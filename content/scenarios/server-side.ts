import type { Scenario } from '../scenario-schema';
import { clientSocket, serverSetup } from '../scenario-steps';

const scenario: Scenario = {
  name: 'server-side',
  title: 'The server side, step by step',
  summary: 'socket, bind, listen, accept (which waits), then recv and send with one client.',
  steps: [
    ...serverSetup(),
    {
      op: 'accept',
      args: { sock: '$srv' },
      save: { conn: 'sock' },
      background: true,
      expect: 'blocked',
      explain: 'accept() with an empty queue blocks: the server program is stuck in this call until a client arrives. You can connect from your terminal now (see "Join from your terminal"), or press Next to send the lab\'s client.',
    },
    clientSocket(),
    {
      op: 'connect',
      args: { sock: '$cli', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'The handshake completes and the waiting accept() returns at once with a new socket. Both ends are ESTABLISHED.',
    },
    {
      op: 'recv',
      args: { sock: '$conn' },
      background: true,
      expect: 'blocked',
      explain: 'The server calls recv() but the client has sent nothing: recv blocks. A server that serves one client at a time is stuck here.',
    },
    {
      op: 'send',
      args: { sock: '$cli', data: 'ping\n' },
      expect: 'ok',
      explain: 'The client sends 5 bytes and the server\'s recv() wakes up with them.',
    },
    {
      op: 'send',
      args: { sock: '$conn', data: 'pong\n' },
      expect: 'ok',
      explain: 'The server answers. send() returns the number of bytes the kernel accepted.',
    },
    { op: 'recv', args: { sock: '$cli' }, expect: 'ok', explain: 'The client reads the answer.' },
    {
      op: 'close',
      args: { sock: '$conn' },
      expect: 'ok',
      explain: 'The server closes the connection it accepted. The listening socket is still there, ready for the next client.',
    },
    { op: 'close', args: { sock: '$cli' }, expect: 'ok', explain: 'The client closes its end too.' },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'The server stops listening; new clients would now be refused.' },
  ],
};

export default scenario;
