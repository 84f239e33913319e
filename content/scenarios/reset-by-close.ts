import type { Scenario } from '../scenario-schema';
import { clientSocket, serverSetup } from '../scenario-steps';

const scenario: Scenario = {
  name: 'reset-by-close',
  title: 'RST: close() with unread data, ECONNRESET and EPIPE',
  summary: 'The server closes a connection without reading what the client sent: its kernel resets the connection, and the client\'s next calls fail.',
  steps: [
    ...serverSetup(),
    clientSocket(),
    { op: 'connect', args: { sock: '$cli', address: '127.0.0.1', port: '$port' }, expect: 'ok', explain: 'The client connects.' },
    { op: 'accept', args: { sock: '$srv' }, save: { conn: 'sock' }, expect: 'ok', explain: 'The server accepts.' },
    { op: 'send', args: { sock: '$cli', data: 'a request nobody reads' }, expect: 'ok', explain: 'The client sends a request. The bytes wait in the server socket\'s receive queue (its Recv-Q).' },
    {
      op: 'close',
      args: { sock: '$conn' },
      expect: 'ok',
      explain: 'The server closes the connection without reading them. Unread data means the conversation did not end cleanly, so its kernel sends a RST instead of a FIN, and the connection is gone at once: no TIME_WAIT.',
    },
    {
      op: 'recv',
      args: { sock: '$cli' },
      expect: 'ECONNRESET',
      explain: 'The client\'s recv() fails with ECONNRESET, "connection reset by peer": not EOF, an error.',
    },
    {
      op: 'send',
      args: { sock: '$cli', data: 'anyone there?' },
      expect: 'EPIPE',
      explain: 'A send() on the reset connection fails with EPIPE, "broken pipe" (a C program would also get SIGPIPE, unless it passed MSG_NOSIGNAL).',
    },
    { op: 'close', args: { sock: '$cli' }, expect: 'ok', explain: 'The client closes its socket.' },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'The server stops listening.' },
  ],
};

export default scenario;
