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
  'same-bytes',
  'two-loopbacks',
  'ephemeral-port',
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
        explain: 'It tries to bind the same address and port, and the kernel refuses with EADDRINUSE before this socket could ever listen. Two plain bind() calls to one address and port always conflict: the first socket has held them since its own bind(), listening or not.',
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
        explain: 'sendto() returns 16 bytes sent: UDP has no handshake, so the sender cannot know nobody is there. The receiving kernel drops the datagram and answers with an ICMP "port unreachable", which this unconnected socket, by default, never hears about.',
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
        explain: 'The next call on the connected socket reports that ICMP message as ECONNREFUSED. By default an unconnected socket never hears about it (the IP_RECVERR option asks for such reports).',
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

  'same-bytes': {
    name: 'same-bytes',
    title: 'The same bytes over TCP and over UDP',
    summary: 'One short message sent over each transport: the headers go on and come off in the kernels, and the other program gets exactly your bytes.',
    steps: [
      {
        op: 'socket',
        args: { type: 'tcp', actor: 'server' },
        save: { srv: 'sock' },
        expect: 'ok',
        explain: 'A program picks its transport protocol when it creates the socket: this server asks for TCP. Everything below the socket, headers included, is now the kernel\'s job.',
      },
      {
        op: 'bind',
        args: { sock: '$srv', address: '127.0.0.1', port: 0 },
        save: { port: 'port' },
        expect: 'ok',
        explain: 'The server takes the address 127.0.0.1 (this machine) and a port from the lab\'s range. That port will be the destination port in the TCP header of every segment sent to it.',
      },
      { op: 'listen', args: { sock: '$srv', backlog: 5 }, expect: 'ok', explain: 'It starts listening. The kernel will now answer TCP handshakes on this port.' },
      { op: 'socket', args: { type: 'tcp', actor: 'client' }, save: { cli: 'sock' }, expect: 'ok', explain: 'The client asks for a TCP socket too: both ends must speak the same transport protocol.' },
      {
        op: 'connect',
        args: { sock: '$cli', address: '127.0.0.1', port: '$port' },
        expect: 'ok',
        explain: 'TCP\'s rules say: agree first, then talk. Before a single byte of yours moves, the two kernels exchange three packets (SYN, SYN-ACK, ACK), each a TCP header inside an IP header with nothing else.',
      },
      { op: 'accept', args: { sock: '$srv' }, save: { conn: 'sock' }, expect: 'ok', explain: 'The server takes the new connection. It gets a socket of its own for this client.' },
      {
        op: 'send',
        args: { sock: '$cli', data: 'HELLO 1\r\n' },
        expect: 'ok',
        explain: 'The client sends 9 bytes of a made-up text protocol: the 7 characters HELLO 1, then \\r\\n. On the way down its kernel puts a TCP header in front of them, then an IP header in front of that.',
      },
      {
        op: 'recv',
        args: { sock: '$conn', max: 100 },
        expect: 'ok',
        explain: 'The server gets exactly those 9 bytes: the receiving kernel read each header, used it and removed it. Open the step to see every byte, \\r (0d) and \\n (0a) included.',
      },
      { op: 'socket', args: { type: 'udp', actor: 'udp receiver' }, save: { rx: 'sock' }, expect: 'ok', explain: 'Now the other transport: a UDP socket for a receiver. UDP has no listen() and no accept().' },
      { op: 'bind', args: { sock: '$rx', address: '127.0.0.1', port: 0 }, save: { uport: 'port' }, expect: 'ok', explain: 'The receiver binds an address and port so that datagrams can reach it.' },
      { op: 'socket', args: { type: 'udp', actor: 'udp sender' }, save: { tx: 'sock' }, expect: 'ok', explain: 'A UDP socket for the sender.' },
      {
        op: 'bind',
        args: { sock: '$tx', address: '127.0.0.1', port: 0 },
        expect: 'ok',
        explain: 'The sender binds too, so its datagrams carry a return address of its choosing. Without bind(), the first sendto() would make the kernel bind one for it: the wildcard address and an ephemeral port.',
      },
      {
        op: 'sendto',
        args: { sock: '$tx', data: 'HELLO 1\r\n', address: '127.0.0.1', port: '$uport' },
        expect: 'ok',
        explain: 'The same 9 bytes over UDP: no handshake, so this one call makes the first and only packet. Its kernel puts an 8-byte UDP header and an IP header in front, nothing more.',
      },
      {
        op: 'recvfrom',
        args: { sock: '$rx', max: 100 },
        expect: 'ok',
        explain: 'The receiver gets the same 9 bytes, and the sender\'s address and port, which its kernel read from the IP and UDP headers. Same bytes, two transports: they differ in what they promise, not in what your program receives.',
      },
      { op: 'close', args: { sock: '$cli' }, expect: 'ok', explain: 'Tidy up: the TCP client hangs up.' },
      { op: 'close', args: { sock: '$conn' }, expect: 'ok', explain: 'Tidy up: the server closes its end.' },
      { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'Tidy up: the server stops listening.' },
      { op: 'close', args: { sock: '$rx' }, expect: 'ok', explain: 'Tidy up: the UDP receiver.' },
      { op: 'close', args: { sock: '$tx' }, expect: 'ok', explain: 'Tidy up: the UDP sender.' },
    ],
  },

  'two-loopbacks': {
    name: 'two-loopbacks',
    title: 'Two loopback addresses',
    summary: 'A server bound to ::1 cannot be reached at 127.0.0.1: the address a client names must be the address the server bound, even on one machine.',
    steps: [
      {
        op: 'socket',
        args: { type: 'tcp', family: 6, actor: 'IPv6 server' },
        save: { srv6: 'sock' },
        expect: 'ok',
        explain: 'This server asks for an IPv6 socket (family 6, AF_INET6 in C). It will take IPv6 addresses only.',
      },
      {
        op: 'bind',
        args: { sock: '$srv6', address: '::1', port: 0 },
        save: { port: 'port' },
        expect: 'ok',
        explain: 'It binds ::1, the IPv6 loopback address, and a port from the lab\'s range. In the kernel panel its row is tcp6.',
      },
      { op: 'listen', args: { sock: '$srv6', backlog: 5 }, expect: 'ok', explain: 'It listens on [::1] and that port.' },
      { op: 'socket', args: { type: 'tcp', family: 4, actor: 'IPv4 client' }, save: { c4: 'sock' }, expect: 'ok', explain: 'A client makes an IPv4 socket.' },
      {
        op: 'connect',
        args: { sock: '$c4', address: '127.0.0.1', port: '$port' },
        expect: 'ECONNREFUSED',
        explain: 'It connects to 127.0.0.1 at the same port and is refused. 127.0.0.1 and ::1 both mean this machine, but they are different addresses, and nothing listens on 127.0.0.1 at that port.',
      },
      { op: 'socket', args: { type: 'tcp', family: 6, actor: 'IPv6 client' }, save: { c6: 'sock' }, expect: 'ok', explain: 'A second client makes an IPv6 socket.' },
      {
        op: 'connect',
        args: { sock: '$c6', address: '::1', port: '$port' },
        expect: 'ok',
        explain: 'Connecting to ::1 works: the address the client names matches the address the server bound. Both ends show up in the kernel panel as [::1].',
      },
      { op: 'socket', args: { type: 'tcp', family: 4, actor: 'IPv4 server' }, save: { srv4: 'sock' }, expect: 'ok', explain: 'Another server program makes an IPv4 socket.' },
      {
        op: 'bind',
        args: { sock: '$srv4', address: '127.0.0.1', port: '$port' },
        expect: 'ok',
        explain: 'It binds 127.0.0.1 with the very same port number, and the kernel agrees. Only the same address and port conflict; ::1 and 127.0.0.1 are two addresses.',
      },
      { op: 'listen', args: { sock: '$srv4', backlog: 5 }, expect: 'ok', explain: 'It listens: one port number, two addresses, two listening sockets.' },
      { op: 'socket', args: { type: 'tcp', family: 4, actor: 'IPv4 client' }, save: { c4b: 'sock' }, expect: 'ok', explain: 'The IPv4 client tries again with a fresh socket (a refused socket cannot connect twice).' },
      {
        op: 'connect',
        args: { sock: '$c4b', address: '127.0.0.1', port: '$port' },
        expect: 'ok',
        explain: 'Now 127.0.0.1 answers, from the IPv4 server. Which program a client reaches depends on the address it names as well as the port.',
      },
      { op: 'close', args: { sock: '$c4' }, expect: 'ok', explain: 'Tidy up: the refused socket.' },
      { op: 'close', args: { sock: '$c6' }, expect: 'ok', explain: 'Tidy up: the IPv6 client.' },
      { op: 'close', args: { sock: '$c4b' }, expect: 'ok', explain: 'Tidy up: the IPv4 client.' },
      { op: 'close', args: { sock: '$srv6' }, expect: 'ok', explain: 'Tidy up: the IPv6 server, with the connection still waiting in its accept queue.' },
      { op: 'close', args: { sock: '$srv4' }, expect: 'ok', explain: 'Tidy up: the IPv4 server.' },
    ],
  },

  'ephemeral-port': {
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
  },
};
