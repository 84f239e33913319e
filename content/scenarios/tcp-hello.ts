import type { Scenario } from '../scenario-schema';
import { clientSocket, serverSetup } from '../scenario-steps';

const scenario: Scenario = {
  name: 'tcp-hello',
  title: 'Hello over TCP',
  summary: 'A server and a client on this machine exchange one line each, then hang up.',
  steps: [
    ...serverSetup(),
    clientSocket(),
    {
      op: 'connect',
      args: { sock: '$cli', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'connect() sends SYN and the kernels complete the three-way handshake. The connection now waits in the server\'s accept queue (Recv-Q 1 on the LISTEN row).',
    },
    {
      op: 'accept',
      args: { sock: '$srv' },
      save: { conn: 'sock' },
      expect: 'ok',
      explain: 'accept() takes the connection from the queue and returns a NEW socket for talking to this client. The listening socket keeps listening for the next one.',
    },
    {
      op: 'send',
      args: { sock: '$cli', data: 'hello\n' },
      expect: 'ok',
      explain: 'The client sends 6 bytes. send() returns as soon as the kernel has them; they now wait in the server socket\'s receive queue.',
    },
    {
      op: 'recv',
      args: { sock: '$conn' },
      expect: 'ok',
      explain: 'The server reads what has arrived. recv() returns the bytes and the receive queue is empty again.',
    },
    {
      op: 'send',
      args: { sock: '$conn', data: 'hi, client!\n' },
      expect: 'ok',
      explain: 'The connection is two-way: the server answers on the same accepted socket.',
    },
    { op: 'recv', args: { sock: '$cli' }, expect: 'ok', explain: 'The client reads the reply.' },
    {
      op: 'close',
      args: { sock: '$cli' },
      expect: 'ok',
      explain: 'The client hangs up: its kernel sends FIN. The server\'s socket goes to CLOSE_WAIT until the server closes too.',
    },
    {
      op: 'close',
      args: { sock: '$conn' },
      expect: 'ok',
      explain: 'The server closes its end of the conversation. The client\'s old socket lingers in TIME_WAIT for a minute, as the kernel panel shows.',
    },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'Finally the server stops listening. The port is free again.' },
  ],
};

export default scenario;
