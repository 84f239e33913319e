/**
 * Guided scenarios: sequences of REAL lab calls that a learner advances one at a time. Nothing here
 * is a result: each step is a command sent to the server, and the page shows whatever the kernel
 * answers. `expect` records what the kernel normally answers, so the tests can check the script
 * still teaches what it says; the UI flags a step whose real answer differs.
 *
 * Arguments may name values saved from earlier results ("$srv", "$port") or given by the page
 * ("$siteAddress", "$sitePort", "$host").
 */
import type { Op } from '@/server/protocol';

export interface ScenarioStep {
  op: Op;
  args: Record<string, unknown>;
  /** Saves result fields under names for later steps: { srv: 'sock' } saves result.sock as $srv. */
  save?: Record<string, string>;
  /** A call that blocks until a later step: the scenario moves on once it is reported blocked. */
  background?: boolean;
  /** What the kernel normally answers: 'ok', 'blocked', 'eof', or an error code. */
  expect: string;
  /** Two sentences: what this call does, and what to look at. */
  explain: string;
}

export interface Scenario {
  name: ScenarioName;
  title: string;
  summary: string;
  steps: ScenarioStep[];
}

export const SCENARIO_NAMES = [
  'tcp-hello',
  'server-side',
  'client-side',
  'connection-refused',
  'address-in-use',
  'accept-queue',
  'stream-vs-datagram',
  'udp-to-nobody',
  'half-close',
  'http-by-hand',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

const serverSetup = (backlog = 5): ScenarioStep[] => [
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

const clientSocket = (name = 'cli', actor = 'client'): ScenarioStep => ({
  op: 'socket',
  args: { type: 'tcp', actor },
  save: { [name]: 'sock' },
  expect: 'ok',
  explain: 'The client program makes its own TCP socket. A client usually skips bind(): the kernel will pick its address and port at connect().',
});

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  'tcp-hello': {
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
  },

  'server-side': {
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
  },

  'client-side': {
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
  },

  'connection-refused': {
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
  },

  'address-in-use': {
    name: 'address-in-use',
    title: 'Address already in use',
    summary: 'Two sockets try to bind the same port.',
    steps: [
      ...serverSetup(),
      {
        op: 'socket',
        args: { type: 'tcp', actor: 'second server' },
        save: { two: 'sock' },
        expect: 'ok',
        explain: 'A second server program starts and asks for a socket of its own.',
      },
      {
        op: 'bind',
        args: { sock: '$two', address: '127.0.0.1', port: '$port' },
        expect: 'EADDRINUSE',
        explain: 'It tries to bind the same address and port. The kernel refuses with EADDRINUSE: one address and port, one listening socket.',
      },
      {
        op: 'close',
        args: { sock: '$srv' },
        expect: 'ok',
        explain: 'The first server closes its listening socket. It never had a connection, so nothing lingers in TIME_WAIT.',
      },
      {
        op: 'bind',
        args: { sock: '$two', address: '127.0.0.1', port: '$port' },
        expect: 'ok',
        explain: 'The same bind() now succeeds. (A port held by a connection in TIME_WAIT is why restarting a server often fails; servers set SO_REUSEADDR to avoid that.)',
      },
      { op: 'close', args: { sock: '$two' }, expect: 'ok', explain: 'The second server exits.' },
    ],
  },

  'accept-queue': {
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
  },

  'stream-vs-datagram': {
    name: 'stream-vs-datagram',
    title: 'Stream vs datagram',
    summary: 'Two TCP sends arrive as one stream of bytes; two UDP datagrams stay two messages.',
    steps: [
      ...serverSetup(),
      clientSocket(),
      { op: 'connect', args: { sock: '$cli', address: '127.0.0.1', port: '$port' }, expect: 'ok', explain: 'A TCP connection is set up.' },
      { op: 'accept', args: { sock: '$srv' }, save: { conn: 'sock' }, expect: 'ok', explain: 'The server accepts it.' },
      { op: 'send', args: { sock: '$cli', data: 'one,' }, expect: 'ok', explain: 'The client sends "one," with one send().' },
      { op: 'send', args: { sock: '$cli', data: 'two' }, expect: 'ok', explain: 'And "two" with a second send(). Look at the server socket\'s Recv-Q: 7 bytes, not two messages.' },
      {
        op: 'recv',
        args: { sock: '$conn', max: 100 },
        expect: 'ok',
        explain: 'One recv() returns "one,two": TCP is a byte stream with no message boundaries. Programs must mark where messages end themselves.',
      },
      {
        op: 'socket',
        args: { type: 'udp', actor: 'udp receiver' },
        save: { u1: 'sock' },
        expect: 'ok',
        explain: 'Now UDP: a datagram socket for the receiver.',
      },
      { op: 'bind', args: { sock: '$u1', address: '127.0.0.1', port: 0 }, save: { uport: 'port' }, expect: 'ok', explain: 'The receiver binds an address so senders can reach it. There is no listen() or accept() in UDP.' },
      { op: 'socket', args: { type: 'udp', actor: 'udp sender' }, save: { u2: 'sock' }, expect: 'ok', explain: 'A second UDP socket for the sender.' },
      { op: 'sendto', args: { sock: '$u2', data: 'one,', address: '127.0.0.1', port: '$uport' }, expect: 'ok', explain: 'sendto() sends one datagram, "one,", with the address on every call: no connection.' },
      { op: 'sendto', args: { sock: '$u2', data: 'two', address: '127.0.0.1', port: '$uport' }, expect: 'ok', explain: 'A second datagram, "two".' },
      { op: 'recvfrom', args: { sock: '$u1', max: 100 }, expect: 'ok', explain: 'recvfrom() returns exactly one datagram, "one,", and who sent it.' },
      { op: 'recvfrom', args: { sock: '$u1', max: 100 }, expect: 'ok', explain: 'The next call returns "two": UDP keeps message boundaries.' },
      { op: 'close', args: { sock: '$u1' }, expect: 'ok', explain: 'Tidy up.' },
      { op: 'close', args: { sock: '$u2' }, expect: 'ok', explain: 'Tidy up.' },
      { op: 'close', args: { sock: '$cli' }, expect: 'ok', explain: 'Tidy up.' },
      { op: 'close', args: { sock: '$conn' }, expect: 'ok', explain: 'Tidy up.' },
      { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'Tidy up.' },
    ],
  },

  'udp-to-nobody': {
    name: 'udp-to-nobody',
    title: 'UDP sent to nobody',
    summary: 'sendto() to a port where nobody listens "succeeds"; a connected UDP socket learns the truth.',
    steps: [
      { op: 'socket', args: { type: 'udp', actor: 'finder' }, save: { probe: 'sock' }, expect: 'ok', explain: 'To find a port where nobody listens, the lab binds a UDP socket to a free port...' },
      { op: 'bind', args: { sock: '$probe', address: '127.0.0.1', port: 0 }, save: { port: 'port' }, expect: 'ok', explain: '...notes the port...' },
      { op: 'close', args: { sock: '$probe' }, expect: 'ok', explain: '...and closes it. Now nobody listens on that port.' },
      { op: 'socket', args: { type: 'udp', actor: 'sender' }, save: { u: 'sock' }, expect: 'ok', explain: 'The sender makes a UDP socket.' },
      {
        op: 'sendto',
        args: { sock: '$u', data: 'is anyone there?', address: '127.0.0.1', port: '$port' },
        expect: 'ok',
        explain: 'sendto() returns 16 bytes sent: UDP has no handshake, so the sender cannot know nobody is there. The datagram is simply dropped.',
      },
      {
        op: 'connect',
        args: { sock: '$u', address: '127.0.0.1', port: '$port' },
        expect: 'ok',
        explain: 'connect() on a UDP socket sends nothing: it only fixes the destination, and lets the kernel report errors for it.',
      },
      { op: 'send', args: { sock: '$u', data: 'hello?' }, expect: 'ok', explain: 'send() succeeds too; the kernel on the other side answers with an ICMP "port unreachable".' },
      {
        op: 'recv',
        args: { sock: '$u' },
        expect: 'ECONNREFUSED',
        explain: 'The next call on the connected socket reports that ICMP message as ECONNREFUSED. An unconnected socket would never hear about it.',
      },
      { op: 'close', args: { sock: '$u' }, expect: 'ok', explain: 'Done.' },
    ],
  },

  'half-close': {
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
        explain: 'shutdown(write) sends FIN: "I have nothing more to send", but the client can still receive. Its socket moves to FIN_WAIT2.',
      },
      { op: 'recv', args: { sock: '$conn', max: 100 }, expect: 'ok', explain: 'The server reads the request.' },
      {
        op: 'recv',
        args: { sock: '$conn' },
        expect: 'eof',
        explain: 'The next recv() returns 0 bytes: end of file. The server knows the request is complete; its socket is in CLOSE_WAIT.',
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
  },

  'http-by-hand': {
    name: 'http-by-hand',
    title: 'HTTP by hand',
    summary: 'A raw GET request over a lab TCP socket to this very web server, and the raw answer.',
    steps: [
      { op: 'socket', args: { type: 'tcp', actor: 'browser' }, save: { web: 'sock' }, expect: 'ok', explain: 'You play the browser: first, a TCP socket.' },
      {
        op: 'connect',
        args: { sock: '$web', address: '$siteAddress', port: '$sitePort' },
        expect: 'ok',
        explain: 'Connect to the web server that is serving this page, on its own port. The same handshake as any other TCP connection.',
      },
      {
        op: 'send',
        args: { sock: '$web', data: 'GET /hello.txt HTTP/1.1\r\nHost: $host\r\nConnection: close\r\n\r\n' },
        expect: 'ok',
        explain: 'An HTTP request is just text: a request line, headers, each ending in \\r\\n, and an empty line. Look at the exact bytes in the step detail.',
      },
      {
        op: 'recv',
        args: { sock: '$web', max: 4096 },
        expect: 'ok',
        explain: 'The answer: a status line (HTTP/1.1 200 OK), headers, an empty line, then the file. Content-Length says how many bytes of body follow.',
      },
      {
        op: 'recv',
        args: { sock: '$web', max: 4096 },
        expect: 'eof',
        explain: 'We asked for "Connection: close", so the server closes after answering and recv() returns EOF. (Without it, the connection would stay open for more requests.)',
      },
      { op: 'close', args: { sock: '$web' }, expect: 'ok', explain: 'The browser closes its socket.' },
    ],
  },
};
