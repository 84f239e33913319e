import type { NetworkScenario } from '../network-scenario-schema';

const REQUEST = 'GET / HTTP/1.1\r\nHost: 203.0.113.80\r\nConnection: close\r\n\r\n';
const RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\nConnection: close\r\n\r\nhello, laptop\n';

const scenario: NetworkScenario = {
  name: 'http-on-the-sandbox',
  title: 'One HTTP request, whole: a web server on server, a browser on laptop',
  summary: 'A small web server made of real calls on server port 80, one request from laptop through the router, the exact request and response bytes; then the same request to this site\'s own port.',
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
      op: 'accept',
      args: { sock: '$srv' },
      save: { conn: 'sock' },
      background: true,
      expect: 'blocked',
      explain: 'The web server waits for a browser: accept() blocks.',
      teaches: 'A server spends most of its life blocked here.',
    },
    { op: 'socket', args: { type: 'tcp', actor: 'browser', host: 'laptop' }, save: { web: 'sock' }, expect: 'ok', explain: 'The browser\'s socket on laptop.', teaches: 'A browser opens a TCP socket for each connection it needs.' },
    {
      op: 'connect',
      args: { sock: '$web', address: '203.0.113.80', port: 80 },
      expect: 'ok',
      explain: 'The browser connects to 203.0.113.80:80. The handshake (SYN, SYN-ACK, ACK) crosses the router, and the web server\'s accept() returns.',
      look: [{ view: 'conntrack', host: 'router' }],
      teaches: 'The router tracks the connection and rewrites laptop\'s address: the web server will log 203.0.113.1.',
    },
    {
      op: 'send',
      args: { sock: '$web', data: REQUEST },
      expect: 'ok',
      explain: 'The request: a request line, headers each ending in \\r\\n, and an empty line. That is all a GET is.',
      teaches: 'HTTP is text you could type; the bytes counted are exactly these characters.',
    },
    {
      op: 'recv',
      args: { sock: '$conn', max: 4096 },
      expect: 'ok',
      explain: 'The web server reads the request, exactly as sent.',
      teaches: 'The empty line (\\r\\n\\r\\n) tells the server the headers are complete; a GET has no body.',
    },
    {
      op: 'send',
      args: { sock: '$conn', data: RESPONSE },
      expect: 'ok',
      explain: 'The web server answers: a status line, headers, an empty line, then 14 bytes of body, as Content-Length says.',
      teaches: 'A response is text too, until the body, which may be any bytes.',
    },
    { op: 'close', args: { sock: '$conn' }, expect: 'ok', explain: 'The web server closes the connection, as Connection: close promised.', teaches: 'Its FIN follows the response.' },
    {
      op: 'recv',
      args: { sock: '$web', max: 4096 },
      expect: 'ok',
      explain: 'The browser reads the response.',
      teaches: 'The same bytes the server sent: status, headers, body.',
    },
    {
      op: 'recv',
      args: { sock: '$web', max: 4096 },
      expect: 'eof',
      explain: 'The browser reads again.',
      teaches: 'EOF: the server closed. With Content-Length or EOF, the browser knows the body is complete.',
    },
    { op: 'close', args: { sock: '$web' }, expect: 'ok', explain: 'The browser closes its socket.', teaches: 'The connection is over on both ends.' },
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
