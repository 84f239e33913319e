/** One actor's lab calls as a plain Python 3 program (standard library only). */
import { boundPort, optionCall, payloadBytes, pollCall, type ActorProgram, type ProgramStep } from './common';

export function pyBytes(bytes: Uint8Array): string {
  let out = 'b"';
  for (const b of bytes) {
    if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}

const addr = (address: unknown, port: unknown) => `(${JSON.stringify(String(address))}, ${Number(port)})`;

function call(s: ProgramStep): string[] {
  const a = s.args;
  const sock = String(s.sock ?? '');
  switch (s.op) {
    case 'socket': {
      const fam = a.family === 6 ? 'socket.AF_INET6' : 'socket.AF_INET';
      const type = a.type === 'udp' ? 'socket.SOCK_DGRAM' : 'socket.SOCK_STREAM';
      return [`${s.result?.sock ?? 'sock'} = socket.socket(${fam}, ${type})`];
    }
    case 'bind':
      return [`${sock}.bind(${addr(a.address, boundPort(s))})`, `print("bind ->", ${sock}.getsockname())`];
    case 'listen':
      return [`${sock}.listen(${a.backlog ?? 5})`];
    case 'accept':
      return [`${s.result?.sock ?? 'conn'}, peer = ${sock}.accept()`, `print("accept -> connection from", peer)`];
    case 'connect':
      return [`${sock}.connect(${addr(a.address, a.port)})`, `print("connect -> local address", ${sock}.getsockname())`];
    case 'send':
      return [`print("send ->", ${sock}.send(${pyBytes(payloadBytes(s))}), "bytes")`];
    case 'sendto':
      return [`print("sendto ->", ${sock}.sendto(${pyBytes(payloadBytes(s))}, ${addr(a.address, a.port)}), "bytes")`];
    case 'recv':
      return [`data = ${sock}.recv(${a.max ?? 4096})`, `print("recv ->", data if data else "0 bytes: EOF")`];
    case 'recvfrom':
      return [`data, sender = ${sock}.recvfrom(${a.max ?? 4096})`, `print("recvfrom ->", data, "from", sender)`];
    case 'shutdown':
      return [`${sock}.shutdown(socket.${a.how === 'read' ? 'SHUT_RD' : a.how === 'write' ? 'SHUT_WR' : 'SHUT_RDWR'})`];
    case 'setblocking':
      return [`${sock}.setblocking(${a.blocking ? 'True' : 'False'})`];
    case 'getsockname':
    case 'getpeername':
      return [`print("${s.op} ->", ${sock}.${s.op}())`];
    case 'setsockopt': {
      const o = optionCall(a);
      if (!o || o.value === undefined) return [];
      const where = `socket.${o.level}, socket.${o.option}`;
      if (typeof o.value !== 'number') return [`${sock}.setsockopt(${where}, struct.pack("ii", ${o.value.onoff ? 1 : 0}, ${o.value.linger}))`];
      if (o.option === 'SO_RCVTIMEO') return [`${sock}.setsockopt(${where}, struct.pack("ll", ${Math.floor(o.value / 1000)}, ${(o.value % 1000) * 1000}))`];
      return [`${sock}.setsockopt(${where}, ${o.value})`];
    }
    case 'getsockopt': {
      const o = optionCall(a);
      if (!o) return [];
      const where = `socket.${o.level}, socket.${o.option}`;
      if (o.option === 'SO_LINGER') return [`print("getsockopt ${o.option} ->", struct.unpack("ii", ${sock}.getsockopt(${where}, 8)))`];
      if (o.option === 'SO_RCVTIMEO') return [`print("getsockopt ${o.option} ->", struct.unpack("ll", ${sock}.getsockopt(${where}, 16)))`];
      return [`print("getsockopt ${o.option} ->", ${sock}.getsockopt(${where}))`];
    }
    case 'poll': {
      const { socks, timeout } = pollCall(a);
      const bits = (events: string[]) => events.map((e) => (e === 'in' ? 'select.POLLIN' : 'select.POLLOUT')).join(' | ') || '0';
      return [
        'poller = select.poll()',
        ...socks.map((p) => `poller.register(${p.sock}, ${bits(p.events)})`),
        `names = {${socks.map((p) => `${p.sock}.fileno(): "${p.sock}"`).join(', ')}}`,
        `ready = poller.poll(${timeout})`,
        'print("poll ->", len(ready), [(names[fd], revents(ev)) for fd, ev in ready])',
      ];
    }
    case 'close':
      return [`${sock}.close()`];
    default:
      return [];
  }
}

export function pythonProgram(p: ActorProgram): string {
  const lines = [
    '#!/usr/bin/env python3',
    `"""The "${p.actor}" program from a Socket Lab session: the same calls, in the same order.`,
    '',
    'Run it with: python3 <this file>. Start the program that listens first.',
    '"""',
    'import errno',
    'import select',
    'import socket',
    'import struct',
    '',
    '',
    'def refused(call, err):',
    '    """The kernel said no: print the errno name, as the lab showed it."""',
    '    print(call, "->", errno.errorcode.get(err.errno, err.errno))',
    '',
    '',
    'def revents(ev):',
    '    # A poll result as names, as the lab shows them.',
    '    bits = [("in", select.POLLIN), ("out", select.POLLOUT), ("hup", select.POLLHUP), ("err", select.POLLERR), ("nval", select.POLLNVAL)]',
    '    return [name for name, bit in bits if ev & bit]',
    '',
    '',
  ];
  for (const s of p.steps) {
    const body = call(s);
    if (!body.length) continue;
    const comment = `# ${s.op}${s.errno ? `: the lab got ${s.errno}` : ''}`;
    lines.push(comment);
    if (s.errno) {
      lines.push('try:', ...body.map((l) => `    ${l}`), 'except OSError as err:', `    refused(${JSON.stringify(s.op)}, err)`);
    } else lines.push(...body);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
