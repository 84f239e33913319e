/**
 * A chat client: what you type goes to the server, what the server sends is printed.
 *
 * Usage: npx tsx client.ts HOST PORT
 */
import { connect } from 'node:net';

const [host, portText] = process.argv.slice(2);
if (host === undefined || portText === undefined) {
  console.error('usage: npx tsx client.ts HOST PORT');
  process.exit(2);
}

// Node's event loop waits on the keyboard and the server at once and calls us for whichever is ready.
const socket = connect(Number(portText), host);
socket.on('data', (chunk: Buffer) => process.stdout.write(chunk)); // the server sends whole lines
socket.on('error', (err) => {
  console.error(`chat: ${err.message}`); // ECONNREFUSED, ECONNRESET, ...
  process.exitCode = 1;
});
// The server closed the connection: stop reading the keyboard so the process can exit.
socket.on('close', () => process.stdin.destroy());

// Every chunk typed goes to the server. EOF (Ctrl-D) calls socket.end(): we send FIN, but keep
// reading until the server closes.
process.stdin.pipe(socket);
