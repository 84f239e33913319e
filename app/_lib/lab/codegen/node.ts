/**
 * One actor's lab calls as a Node.js program in TypeScript (run with `npx tsx prog.ts`).
 * Node's `net` has no separate socket/bind/listen/accept calls, so each lab step is mapped to the
 * closest Node call, and the comments say where Node combines steps.
 */
import { boundPort, payloadBytes, type ActorProgram, type ProgramStep } from './common';

const text = (s: ProgramStep) => JSON.stringify(new TextDecoder().decode(payloadBytes(s)));

interface Sock {
  type: 'tcp' | 'udp';
  family: 4 | 6;
  bound?: { address: string; port: number };
  server?: boolean;
}

/**
 * A UDP send, awaited: dgram sends later (after an address lookup), so a close() right after an
 * unawaited send() would drop the datagram.
 */
function sent(name: string, args: string, op: 'send' | 'sendto'): string[] {
  return [
    `{`,
    `  const bytes = await new Promise<number>((resolve, reject) => ${name}.send(${args}, (err, n) => (err ? reject(err) : resolve(n))));`,
    `  console.log('${op} ->', bytes, 'bytes');`,
    `}`,
  ];
}

function call(s: ProgramStep, socks: Map<string, Sock>): string[] {
  const a = s.args;
  const name = String(s.sock ?? '');
  const info = socks.get(name);
  switch (s.op) {
    case 'socket': {
      const h = String(s.result?.sock ?? 'sock');
      const sock: Sock = { type: a.type === 'udp' ? 'udp' : 'tcp', family: a.family === 6 ? 6 : 4 };
      socks.set(h, sock);
      if (sock.type === 'udp') return [`const ${h} = dgram.createSocket('udp${sock.family}');`, `const ${h}Messages = on(${h}, 'message');`];
      return [`// socket(): Node creates the TCP socket later, inside listen() or connect().`];
    }
    case 'bind':
      if (info?.type === 'udp') return [`${name}.bind(${boundPort(s)}, ${JSON.stringify(a.address)});`, `await once(${name}, 'listening');`, `console.log('bind ->', ${name}.address());`];
      if (info) info.bound = { address: String(a.address), port: boundPort(s) };
      return [`// bind(): Node binds inside listen() below; the address is ${a.address}:${boundPort(s)}.`];
    case 'listen': {
      if (info) info.server = true;
      const b = info?.bound ?? { address: '127.0.0.1', port: 0 };
      return [
        `const ${name} = net.createServer();`,
        `const ${name}Connections = on(${name}, 'connection'); // the accept queue, as Node delivers it`,
        `${name}.listen({ host: ${JSON.stringify(b.address)}, port: ${b.port}, backlog: ${a.backlog ?? 5} });`,
        `await once(${name}, 'listening');`,
        `console.log('listen ->', ${name}.address());`,
      ];
    }
    case 'accept': {
      const h = String(s.result?.sock ?? 'conn');
      socks.set(h, { type: 'tcp', family: info?.family ?? 4 });
      return [
        `const [${h}] = (await ${name}Connections.next()).value as [net.Socket];`,
        `const ${h}Data = ${h}[Symbol.asyncIterator]();`,
        `console.log('accept -> connection from', ${h}.remoteAddress, ${h}.remotePort);`,
      ];
    }
    case 'connect':
      if (info?.type === 'udp') return [`${name}.connect(${Number(a.port)}, ${JSON.stringify(a.address)});`, `await once(${name}, 'connect');`];
      return [
        `const ${name} = net.connect({ host: ${JSON.stringify(a.address)}, port: ${Number(a.port)} });`,
        `await once(${name}, 'connect');`,
        `const ${name}Data = ${name}[Symbol.asyncIterator]();`,
        `console.log('connect -> local address', ${name}.localAddress, ${name}.localPort);`,
      ];
    case 'send':
      if (info?.type === 'udp') return sent(name, text(s), 'send');
      return [`${name}.write(${text(s)});`, `console.log('send ->', Buffer.byteLength(${text(s)}), 'bytes');`];
    case 'sendto':
      return sent(name, `${text(s)}, ${Number(a.port)}, ${JSON.stringify(a.address)}`, 'sendto');
    case 'recv':
      if (info?.type === 'udp') return [`console.log('recv ->', String((await ${name}Messages.next()).value[0]));`];
      return [`{`, `  const chunk = await ${name}Data.next();`, `  console.log('recv ->', chunk.done ? '0 bytes: EOF' : JSON.stringify(String(chunk.value)));`, `}`];
    case 'recvfrom':
      return [`{`, `  const [msg, from] = (await ${name}Messages.next()).value as [Buffer, dgram.RemoteInfo];`, `  console.log('recvfrom ->', JSON.stringify(String(msg)), 'from', from.address, from.port);`, `}`];
    case 'shutdown':
      return a.how === 'read' ? [`${name}.pause(); // Node has no shutdown(read): stop reading instead`] : [`${name}.end(); // shutdown(write): send FIN`];
    case 'setblocking':
      return [`// setblocking(${a.blocking}): Node sockets never block the program; every call is asynchronous.`];
    case 'getsockname':
      if (info?.type === 'udp' || info?.server) return [`console.log('getsockname ->', ${name}.address());`];
      return [`console.log('getsockname ->', ${name}.localAddress, ${name}.localPort);`];
    case 'getpeername':
      if (info?.type === 'udp') return [`console.log('getpeername ->', ${name}.remoteAddress());`];
      return [`console.log('getpeername ->', ${name}.remoteAddress, ${name}.remotePort);`];
    case 'setsockopt':
    case 'getsockopt':
      // The Node variable may not exist yet (Node creates TCP sockets at listen/connect), so no call is emitted.
      return [`// ${s.op}(${String(a.option)}): Node has no ${s.op}(); net and dgram set a few options their own way (setNoDelay, setKeepAlive, setTTL).`];
    case 'poll':
      // Node's event loop (libuv) is the poll: a program waits for the events below instead of calling poll().
      return [
        `// poll(${JSON.stringify(a.socks)}, ${String(a.timeout)}): Node has no poll(); its event loop polls for you, and the`,
        `// 'connection', 'data' and 'message' events awaited by accept() and recv() here arrive when a socket is ready.`,
      ];
    case 'close':
      if (info?.type === 'udp') return [`${name}.close();`];
      if (info?.server) return [`${name}.close();`];
      if (info?.bound === undefined && !socks.has(name)) return [`${name}.destroy();`];
      return [`${name}.destroy();`];
    default:
      return [];
  }
}

export function nodeProgram(p: ActorProgram): string {
  const socks = new Map<string, Sock>();
  const body: string[] = [];
  for (const s of p.steps) {
    const lines = call(s, socks);
    if (!lines.length) continue;
    body.push(`// ${s.op}${s.errno ? `: the lab got ${s.errno}` : ''}`);
    if (s.errno && !lines[0].startsWith('//')) {
      body.push('try {', ...lines.map((l) => `  ${l}`), '} catch (err) {', `  console.log(${JSON.stringify(s.op)}, '->', (err as NodeJS.ErrnoException).code);`, '}');
    } else body.push(...lines);
    body.push('');
  }
  // Wrapped in main(): top-level await fails where a lone .ts file is treated as CommonJS.
  return `// The "${p.actor}" program from a Socket Lab session, as Node.js (TypeScript).
// Run it with: npx tsx <this file>   (start the program that listens first)
import dgram from 'node:dgram';
import { on, once } from 'node:events';
import net from 'node:net';

async function main(): Promise<void> {
${body.map((l) => (l ? `  ${l}` : '')).join('\n').trimEnd()}
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
`;
}
