/**
 * The chat's rules, apart from any socket: who is here, what each line means, and which lines go
 * to whom. The program that runs it (chat-program.ts) turns these into real send() calls.
 * The line protocol is the one the lesson's Python, Node and C servers implement.
 */
export interface Delivery {
  /** A member id, or every member except one. */
  to: { member: number } | { allBut: number } | { all: true };
  line: string;
}

export type RoomResult = { deliveries: Delivery[]; close?: { member: number; reason: string } };

const NICK = /^[A-Za-z0-9_-]{1,20}$/;

export class ChatRoom {
  private readonly members = new Map<number, string>();
  private guests = 0;

  get size(): number {
    return this.members.size;
  }

  nick(member: number): string | undefined {
    return this.members.get(member);
  }

  nicks(): string[] {
    return [...this.members.values()];
  }

  join(member: number): RoomResult {
    const name = `guest${++this.guests}`;
    this.members.set(member, name);
    return {
      deliveries: [
        { to: { member }, line: `* welcome, ${name}. Commands: /nick NAME, /who, /quit` },
        { to: { allBut: member }, line: `* ${name} joined` },
      ],
    };
  }

  /** The member has gone (quit, EOF, reset, dropped): tell the others why, if there is a reason. */
  leave(member: number, reason?: string): RoomResult {
    const name = this.members.get(member);
    if (name === undefined) return { deliveries: [] };
    this.members.delete(member);
    return { deliveries: [{ to: { all: true }, line: `* ${name} left${reason ? ` (${reason})` : ''}` }] };
  }

  /** One complete line from a member, already decoded as UTF-8. */
  line(member: number, text: string): RoomResult {
    const name = this.members.get(member);
    if (name === undefined || text === '') return { deliveries: [] };
    if (!text.startsWith('/')) return { deliveries: [{ to: { allBut: member }, line: `<${name}> ${text}` }] };
    const [command, ...rest] = text.split(' ');
    const arg = rest.join(' ').trim();
    switch (command) {
      case '/nick': {
        if (!NICK.test(arg)) return { deliveries: [{ to: { member }, line: '! bad nickname' }] };
        if (arg === name) return { deliveries: [] };
        if ([...this.members.values()].includes(arg)) return { deliveries: [{ to: { member }, line: `! nickname ${arg} is taken` }] };
        this.members.set(member, arg);
        return { deliveries: [{ to: { all: true }, line: `* ${name} is now ${arg}` }] };
      }
      case '/who':
        return { deliveries: [{ to: { member }, line: `* online: ${this.nicks().join(', ')}` }] };
      case '/quit':
        return { deliveries: [{ to: { member }, line: '* bye' }], close: { member, reason: '' } };
      default:
        return { deliveries: [{ to: { member }, line: `! unknown command ${command.slice(0, 40)}` }] };
    }
  }

  /** Members a delivery goes to. */
  targets(d: Delivery): number[] {
    const all = [...this.members.keys()];
    if ('member' in d.to) return this.members.has(d.to.member) ? [d.to.member] : [];
    if ('allBut' in d.to) {
      const but = d.to.allBut;
      return all.filter((m) => m !== but);
    }
    return all;
  }
}
