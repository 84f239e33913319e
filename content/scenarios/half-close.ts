import type { Scenario } from '../scenario-schema';
import { clientSocket, serverSetup } from '../scenario-steps';

const scenario: Scenario = {
  name: 'half-close',
  title: 'Half-close, EOF, CLOSE_WAIT and TIME_WAIT',
  summary: 'The client finishes sending, the server reads to the end, answers, and both sides close.',
  steps: [
    ...serverSetup(),
    clientSocket(),
    { op: 'connect', args: { sock: '$cli', address: '127.0.0.1', port: '$port' }, expect: 'ok', explain: 'The client connects.' },
    { op: 'accept', args: { sock: '$srv' }, save: { conn: 'sock' }, expect: 'ok', explain: 'The server accepts.' },
    { op: 'send', args: { sock: '$cli', data: 'the whole request' }, expect: 'ok', explain: 'The client sends its request.' },
    {
      op: 'shutdown',
      args: { sock: '$cli', how: 'write' },
      expect: 'ok',
      explain: 'shutdown(write) sends FIN: "I have nothing more to send", but the client can still receive. The server\'s kernel acknowledges the FIN at once: the client\'s socket moves to FIN_WAIT2 and the server\'s to CLOSE_WAIT, before the server program has read a byte.',
    },
    { op: 'recv', args: { sock: '$conn', max: 100 }, expect: 'ok', explain: 'The server reads the request.' },
    {
      op: 'recv',
      args: { sock: '$conn' },
      expect: 'eof',
      explain: 'The next recv() returns 0 bytes: end of file, so the server knows the request is complete. Its socket has been in CLOSE_WAIT since the FIN arrived; recv() only reports what the kernel already knew.',
    },
    { op: 'send', args: { sock: '$conn', data: 'the whole answer' }, expect: 'ok', explain: 'The half-closed connection still carries data the other way: the server answers.' },
    {
      op: 'close',
      args: { sock: '$conn' },
      expect: 'ok',
      explain: 'The server closes, sending its own FIN. CLOSE_WAIT ends: a server that forgets this step leaks sockets stuck in CLOSE_WAIT.',
    },
    { op: 'recv', args: { sock: '$cli', max: 100 }, expect: 'ok', explain: 'The client reads the answer.' },
    { op: 'recv', args: { sock: '$cli' }, expect: 'eof', explain: 'Then EOF: the server has finished too.' },
    {
      op: 'close',
      args: { sock: '$cli' },
      expect: 'ok',
      explain: 'The client, which closed first, keeps its end in TIME_WAIT for 60 seconds (look at the kernel panel), so stray packets of this connection cannot confuse a new one.',
    },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'The server stops listening.' },
  ],
};

export default scenario;
