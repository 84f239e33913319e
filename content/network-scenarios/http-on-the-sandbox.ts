import type { NetworkScenario } from '../network-scenario-schema';

const REQUEST = 'GET / HTTP/1.1\r\nHost: 203.0.113.80\r\nConnection: close\r\n\r\n';

const scenario: NetworkScenario = {
  name: 'http-on-the-sandbox',
  title: 'One HTTP request, whole: a web server on server, a browser on laptop',
  summary: 'A real web server (Node\'s http module) on server port 80, one request from laptop through the router, its exact bytes and the server\'s every call; then the same request to this site\'s port.',
  steps: [
    {
      op: 'network',
      args: { action: 'create', topology: 'home' },
      expect: 'ok',
      explain: 'Builds your network: laptop at home plays the browser, server on the internet plays the web server.',
      teaches: 'Every byte of the request will cross the router.',
    },
    { op: 'socket', args: { type: 'tcp', actor: 'web server', host: 'server' }, save: { srv: 'sock' }, expect: 'ok', explain: 'The web server\'s socket on server.', teaches: 'HTTP runs over TCP.' },
    { op: 'bind', args: { sock: '$srv', address: '203.0.113.80', port: 80 }, expect: 'ok', explain: 'It binds port 80, HTTP\'s well-known port.', teaches: 'On a sandbox host port 80 is allowed; it is why a URL without a port works.' },
    { op: 'listen', args: { sock: '$srv', backlog: 5 }, expect: 'ok', explain: 'It listens.', teaches: 'The web server is up.' },
    {
      op: 'run',
      args: { program: 'http', sock: '$srv' },
      expect: 'ok',
      explain: 'The lab starts a small real web server on this socket: Node\'s http module, whose every accept(), recv(), send() and close() is a lab call you see in the timeline.',
      teaches: 'A web server is a program that accepts, reads a request, writes a response. Its first accept() blocks: nobody has asked yet.',
    },
    { op: 'socket', args: { type: 'tcp', actor: 'browser', host: 'laptop' }, save: { web: 'sock' }, expect: 'ok', explain: 'The browser\'s socket on laptop.', teaches: 'A browser opens a TCP socket for each connection it needs.' },
    {
      op: 'connect',
      args: { sock: '$web', address: '203.0.113.80', port: 80 },
      expect: 'ok',
      explain: 'The browser connects to 203.0.113.80:80. The handshake (SYN, SYN-ACK, ACK) crosses the router, and the web server\'s accept() returns; at once it calls recv(), which blocks until the request comes.',
      look: [{ view: 'conntrack', host: 'router' }],
      teaches: 'The router tracks the connection and rewrites laptop\'s address: the web server sees 203.0.113.1.',
    },
    {
      op: 'send',
      args: { sock: '$web', data: REQUEST },
      expect: 'ok',
      explain: 'The request: a request line, headers each ending in \\r\\n, and an empty line. That is all a GET is. The web server\'s recv() returns it, its parser sees the empty line, and it answers with one send().',
      teaches: 'HTTP is text you could type; the bytes counted are exactly these characters. The packet view shows them inside a TCP segment.',
    },
    {
      op: 'recv',
      args: { sock: '$web', max: 4096 },
      expect: 'ok',
      explain: 'The browser reads the response: a status line, headers (Content-Length counts the body), an empty line, and the body, which says whom the server saw.',
      teaches: 'The server saw 203.0.113.1, the router, never 192.168.1.10. Connection: close, so the server shut down its side after the response: its FIN follows.',
    },
    {
      op: 'recv',
      args: { sock: '$web', max: 4096 },
      expect: 'eof',
      explain: 'The browser reads again.',
      teaches: 'EOF: the server closed its side. With Content-Length or EOF, the browser knows the body is complete.',
    },
    { op: 'close', args: { sock: '$web' }, expect: 'ok', explain: 'The browser closes its socket; the web server, which read on until this FIN, closes its own.', teaches: 'The connection is over on both ends, with a FIN each way and no reset.' },
    { op: 'socket', args: { type: 'tcp', actor: 'browser' }, save: { site: 'sock' }, expect: 'ok', explain: 'Now the same request to a real web server: this site, on loopback. A socket on the lab\'s own machine.', teaches: 'No sandbox host this time.' },
    { op: 'connect', args: { sock: '$site', address: '$siteAddress', port: '$sitePort' }, expect: 'ok', explain: 'Connect to the port serving this page.', teaches: 'The same handshake, on loopback.' },
    {
      op: 'send',
      args: { sock: '$site', data: 'GET /hello.txt HTTP/1.1\r\nHost: $host\r\nConnection: close\r\n\r\n' },
      expect: 'ok',
      explain: 'The same kind of request, with the Host this page was loaded from.',
      teaches: 'Exactly what your browser sent for this page, minus a few headers.',
    },
    {
      op: 'recv',
      args: { sock: '$site', max: 4096 },
      expect: 'ok',
      explain: 'The site answers.',
      teaches: 'A real web server answers with the same shape: status line, headers, empty line, body.',
    },
    { op: 'close', args: { sock: '$site' }, expect: 'ok', explain: 'Close.', teaches: 'Done: one request, whole, twice.' },
  ],
};

export default scenario;
