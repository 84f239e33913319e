import type { Scenario } from '../scenario-schema';

const scenario: Scenario = {
  name: 'ephemeral-port',
  title: 'Whose port is which',
  summary: 'The server binds a port that clients know in advance; each client gets an ephemeral port from the kernel; TCP and UDP ports are separate.',
  steps: [
    { op: 'socket', args: { type: 'tcp', actor: 'server' }, save: { srv: 'sock' }, expect: 'ok', explain: 'A server makes a TCP socket.' },
    {
      op: 'bind',
      args: { sock: '$srv', address: '127.0.0.1', port: 0 },
      save: { port: 'port' },
      expect: 'ok',
      explain: 'Clients must know a server\'s port in advance, so the server binds one. A real server names its port (443 for HTTPS); here port 0 lets the lab choose a free one in its range, 41000-41999.',
    },
    { op: 'listen', args: { sock: '$srv', backlog: 5 }, expect: 'ok', explain: 'The server listens on that port.' },
    {
      op: 'socket',
      args: { type: 'tcp', actor: 'client 1' },
      save: { c1: 'sock' },
      expect: 'ok',
      explain: 'A client makes a socket and, like most clients, never calls bind(). It has no port yet.',
    },
    {
      op: 'connect',
      args: { sock: '$c1', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'connect() makes the kernel give the client a port: an ephemeral one, from 32768-60999 on Linux. Compare the local ports of the two sockets in the kernel panel.',
    },
    {
      op: 'accept',
      args: { sock: '$srv' },
      save: { a1: 'sock' },
      expect: 'ok',
      explain: 'accept() reports who connected: 127.0.0.1 and that ephemeral port. The server\'s new socket has the server\'s own port as its local port.',
    },
    { op: 'socket', args: { type: 'tcp', actor: 'client 2' }, save: { c2: 'sock' }, expect: 'ok', explain: 'A second client makes a socket.' },
    {
      op: 'connect',
      args: { sock: '$c2', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'It gets a different ephemeral port. Both connections go to the same server address and port, so the client port alone keeps their packets apart.',
    },
    { op: 'accept', args: { sock: '$srv' }, save: { a2: 'sock' }, expect: 'ok', explain: 'The server accepts the second client: two connected sockets and the listening one, all on the server\'s port.' },
    { op: 'socket', args: { type: 'udp', actor: 'udp program' }, save: { u: 'sock' }, expect: 'ok', explain: 'An unrelated program makes a UDP socket.' },
    {
      op: 'bind',
      args: { sock: '$u', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'It binds the server\'s port number, and the kernel agrees: the port lives in the TCP or UDP header, so each protocol has its own 65,536 ports. A second TCP bind here would fail with EADDRINUSE.',
    },
    { op: 'close', args: { sock: '$c1' }, expect: 'ok', explain: 'Tidy up: client 1.' },
    { op: 'close', args: { sock: '$c2' }, expect: 'ok', explain: 'Tidy up: client 2.' },
    { op: 'close', args: { sock: '$a1' }, expect: 'ok', explain: 'Tidy up: the server\'s end of connection 1.' },
    { op: 'close', args: { sock: '$a2' }, expect: 'ok', explain: 'Tidy up: the server\'s end of connection 2.' },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'Tidy up: the server stops listening.' },
    { op: 'close', args: { sock: '$u' }, expect: 'ok', explain: 'Tidy up: the UDP socket.' },
  ],
};

export default scenario;
