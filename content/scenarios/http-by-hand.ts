import type { Scenario } from '../scenario-schema';

const scenario: Scenario = {
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
};

export default scenario;
