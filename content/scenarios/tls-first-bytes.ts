import type { Scenario } from '../scenario-schema';
import { clientSocket, serverSetup } from '../scenario-steps';

/**
 * The first flight of a TLS 1.3 client: the exact 517 bytes Python 3.11's ssl module (OpenSSL 3.0)
 * produced for server_hostname="chat.example", recorded with ssl.MemoryBIO (docs/authoring.md).
 * Its random and key share are one run's; everything a learner reads in it is what every run sends.
 */
const CLIENT_HELLO = 'FgMBAgABAAH8AwMPd50tROXQi8wnZrMzrlcmO9Lf3joyvTX01UsnHgKN2SAOYiOMC3l8O2FPzOzoB1wyT8aqxbjNN0HT+21q5O2PgQAkEwITAxMBwCzAMMArwC/MqcyowCTAKMAjwCcAnwCeAGsAZwD/AQABjwAAABEADwAADGNoYXQuZXhhbXBsZQALAAQDAAECAAoAFgAUAB0AFwAeABkAGAEAAQEBAgEDAQQAIwAAABYAAAAXAAAADQAqACgEAwUDBgMIBwgICAkICggLCAQIBQgGBAEFAQYBAwMDAQMCBAIFAgYCACsABQQDBAMDAC0AAgEBADMAJgAkAB0AIF6bNd/ezXcmZFfVvNSfzHIqBcNQ9e9XcQSioaR1yAErABUA4QAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==';

const scenario: Scenario = {
  name: 'tls-first-bytes',
  title: 'What a TLS client sends first',
  summary: 'A plaintext chat line and the first bytes of a TLS handshake, each sent over a plain TCP socket: one is readable, and so is the server name in the other.',
  steps: [
    ...serverSetup(),
    clientSocket(),
    { op: 'connect', args: { sock: '$cli', address: '127.0.0.1', port: '$port' }, expect: 'ok', explain: 'The client connects: an ordinary TCP connection. TLS always starts on top of one.' },
    { op: 'accept', args: { sock: '$srv' }, save: { conn: 'sock' }, expect: 'ok', explain: 'The server accepts.' },
    {
      op: 'send',
      args: { sock: '$cli', data: 'alice: meet me at 6, the door code is 4711\n' },
      expect: 'ok',
      explain: 'First, the way our chat talks: a line of plain text. Every router and Wi-Fi access point on the path carries exactly these bytes.',
    },
    {
      op: 'recv',
      args: { sock: '$conn', max: 200 },
      expect: 'ok',
      explain: 'The server reads the line, and so could anyone watching the path: nothing hides it.',
    },
    {
      op: 'send',
      args: { sock: '$cli', data: CLIENT_HELLO, encoding: 'base64' },
      expect: 'ok',
      explain: 'Now the 517 bytes a Python TLS client really sends first (its ClientHello), recorded on our machine: the lab cannot run TLS itself, so it replays them over this plain socket, as a TLS library would.',
    },
    {
      op: 'recv',
      args: { sock: '$conn', max: 1024 },
      expect: 'ok',
      explain: 'Open the step to read the bytes: 16 03 01 (a TLS handshake record), random numbers and key material, and the server name chat.example in plain text (the SNI extension). Everything after the handshake is encrypted.',
    },
    { op: 'close', args: { sock: '$cli' }, expect: 'ok', explain: 'Tidy up: the client (a real TLS client would now wait for the server\'s answer).' },
    { op: 'close', args: { sock: '$conn' }, expect: 'ok', explain: 'Tidy up: the server\'s end.' },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'Tidy up: the listening socket.' },
  ],
};

export default scenario;
