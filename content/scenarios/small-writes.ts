import type { Scenario } from '../scenario-schema';
import { clientSocket } from '../scenario-steps';

const scenario: Scenario = {
  name: 'small-writes',
  title: 'TCP_NODELAY, set and inherited',
  summary: 'Nagle\'s algorithm is on by default; TCP_NODELAY turns it off, an accepted socket inherits it from its listener, and the bytes still arrive as one stream.',
  steps: [
    { op: 'socket', args: { type: 'tcp', actor: 'server' }, save: { srv: 'sock' }, expect: 'ok', explain: 'A game server makes its TCP socket.' },
    {
      op: 'setsockopt',
      args: { sock: '$srv', option: 'TCP_NODELAY', value: 1 },
      expect: 'ok',
      explain: 'It sets TCP_NODELAY on the listening socket, before any client arrives: send small writes at once, do not wait to gather them (Nagle\'s algorithm off).',
    },
    { op: 'bind', args: { sock: '$srv', address: '127.0.0.1', port: 0 }, save: { port: 'port' }, expect: 'ok', explain: 'It binds a lab port on loopback.' },
    { op: 'listen', args: { sock: '$srv', backlog: 5 }, expect: 'ok', explain: 'It listens.' },
    clientSocket(),
    {
      op: 'getsockopt',
      args: { sock: '$cli', option: 'TCP_NODELAY' },
      expect: 'ok',
      explain: 'A fresh socket reports TCP_NODELAY = 0 (open the step to see the value): Nagle\'s algorithm is on unless you turn it off.',
    },
    { op: 'connect', args: { sock: '$cli', address: '127.0.0.1', port: '$port' }, expect: 'ok', explain: 'The client connects.' },
    { op: 'accept', args: { sock: '$srv' }, save: { conn: 'sock' }, expect: 'ok', explain: 'The server accepts.' },
    {
      op: 'getsockopt',
      args: { sock: '$conn', option: 'TCP_NODELAY' },
      expect: 'ok',
      explain: 'The accepted socket reports 1 (open the step): on Linux it inherited TCP_NODELAY from the listener, so a server sets it once, not per client.',
    },
    {
      op: 'setsockopt',
      args: { sock: '$cli', option: 'TCP_NODELAY', value: 1 },
      expect: 'ok',
      explain: 'The client turns Nagle off too; it may do so at any time, before or after connect().',
    },
    { op: 'send', args: { sock: '$cli', data: 'move ' }, expect: 'ok', explain: 'A small write: 5 bytes. With TCP_NODELAY it leaves in a segment of its own at once.' },
    { op: 'send', args: { sock: '$cli', data: 'left\n' }, expect: 'ok', explain: 'Another small write, another segment.' },
    {
      op: 'recv',
      args: { sock: '$conn', max: 100 },
      expect: 'ok',
      explain: 'One recv() returns both writes, "move left\\n": TCP_NODELAY changes when bytes leave, not how they arrive. It is still one byte stream, so the line still needs its newline.',
    },
    { op: 'close', args: { sock: '$cli' }, expect: 'ok', explain: 'Tidy up: the client.' },
    { op: 'close', args: { sock: '$conn' }, expect: 'ok', explain: 'Tidy up: the server\'s end.' },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'Tidy up: the listening socket.' },
  ],
};

export default scenario;
