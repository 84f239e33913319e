/**
 * Steps that several scenarios share: a server that is ready for clients, and a client's socket.
 * Each returns fresh objects, so a scenario may spread one and change its explanation.
 */
import type { ScenarioStep } from './scenario-schema';

export const serverSetup = (backlog = 5): ScenarioStep[] => [
  {
    op: 'socket',
    args: { type: 'tcp', actor: 'server' },
    save: { srv: 'sock' },
    expect: 'ok',
    explain: 'The server asks the kernel for a TCP socket and gets back a handle (a file descriptor in C). It has no address yet, so nobody can reach it.',
  },
  {
    op: 'bind',
    args: { sock: '$srv', address: '127.0.0.1', port: 0 },
    save: { port: 'port' },
    expect: 'ok',
    explain: 'bind() gives the socket its address: 127.0.0.1 (this machine only) and a port from the lab\'s range. The socket is bound but still not in the kernel\'s table of listening sockets.',
  },
  {
    op: 'listen',
    args: { sock: '$srv', backlog },
    expect: 'ok',
    explain: `listen() turns it into a listening socket with an accept queue of ${backlog}. Look at the kernel panel: the row is now LISTEN, and clients can connect.`,
  },
];

export const clientSocket = (name = 'cli', actor = 'client'): ScenarioStep => ({
  op: 'socket',
  args: { type: 'tcp', actor },
  save: { [name]: 'sock' },
  expect: 'ok',
  explain: 'The client program makes its own TCP socket. A client usually skips bind(): the kernel will pick its address and port at connect().',
});
