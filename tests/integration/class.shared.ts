/**
 * What the class tests share: a /class client that keeps every frame it got (for privacy checks)
 * and the instructor's dashboard as the browser builds it from the snapshot and its deltas, and a
 * class server in a process of its own (for `kill -9`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { RunningServer } from '../../server/app.ts';
import type { ClassServerMessage, Dashboard } from '../../server/protocol/class.ts';
import { applyDashboardDelta } from '../../app/_lib/class/dashboard-delta.ts';
import { waitUntil } from '../helpers/lab.ts';

export type Msg = ClassServerMessage;

export class ClassPeer {
  /** Messages not yet taken by `next`. */
  readonly messages: Msg[] = [];
  /** Every text frame, as it came. */
  readonly frames: string[] = [];
  /** The instructor's dashboard: the snapshot with every delta since applied. */
  dashboard: Dashboard | null = null;
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  constructor(port: number, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/class`, { headers });
    this.ws.on('message', (d) => {
      const text = String(d);
      this.frames.push(text);
      const m = JSON.parse(text) as Msg;
      if (m.type === 'dashboard') this.dashboard = m;
      else if (m.type === 'dashboard-delta' && this.dashboard) this.dashboard = applyDashboardDelta(this.dashboard, m);
      this.messages.push(m);
    });
    this.ws.on('error', () => {});
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }
  send(m: unknown) {
    this.ws.send(JSON.stringify(m));
  }
  async next<T extends Msg['type']>(type: T, match: (m: Extract<Msg, { type: T }>) => boolean = () => true, timeoutMs = 5000): Promise<Extract<Msg, { type: T }>> {
    let found: Extract<Msg, { type: T }> | undefined;
    await waitUntil(() => {
      found = this.messages.find((m): m is Extract<Msg, { type: T }> => m.type === type && match(m as Extract<Msg, { type: T }>));
      return !!found;
    }, timeoutMs, `a ${type} message`);
    this.messages.splice(this.messages.indexOf(found!), 1);
    return found!;
  }
  /** The answer to a join or resume: `joined`, or an `error`. */
  async reply(timeoutMs = 5000): Promise<Extract<Msg, { type: 'joined' | 'error' }>> {
    let found: Extract<Msg, { type: 'joined' | 'error' }> | undefined;
    await waitUntil(() => {
      found = this.messages.find((m): m is Extract<Msg, { type: 'joined' | 'error' }> => m.type === 'joined' || m.type === 'error');
      return !!found;
    }, timeoutMs, 'an answer');
    this.messages.splice(this.messages.indexOf(found!), 1);
    return found!;
  }
  /** Resolves with the dashboard once it satisfies `ok`. */
  async waitDashboard(ok: (d: Dashboard) => boolean, timeoutMs = 5000): Promise<Dashboard> {
    await waitUntil(() => this.dashboard !== null && ok(this.dashboard), timeoutMs, 'the dashboard to show it');
    return this.dashboard!;
  }
  close() {
    this.ws.close();
  }
}

export async function openPeer(port: number, headers?: Record<string, string>): Promise<ClassPeer> {
  const p = new ClassPeer(port, headers);
  await p.opened;
  await p.next('hello');
  return p;
}

/** Joins as a new student on a connection of its own. */
export async function joinAs(port: number, code: string, nickname: string) {
  const peer = await openPeer(port);
  peer.send({ type: 'join', code, nickname });
  const joined = await peer.next('joined');
  return { peer, token: joined.token, id: joined.student.id };
}

export async function instructor(port: number, key: string): Promise<ClassPeer> {
  const t = await openPeer(port);
  t.send({ type: 'instructor', key });
  await t.next('dashboard');
  return t;
}

export function keyOf(server: RunningServer): string {
  return new URL(server.classroom!.instructorUrl).hash.replace('#key=', '');
}

export interface ClassProcess {
  proc: ChildProcess;
  port: number;
  key: string;
  code: string;
  exited: Promise<number | null>;
}

/** `npm start -- --class --lab-only` in a process of its own, as an instructor would run it. */
export function bootClassServer(dataFile: string, chatPort: number, env: Record<string, string> = {}): Promise<ClassProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts', '--class', '--lab-only', '--port', '0', '--class-data', dataFile, '--class-chat-port', String(chatPort)], {
    cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  let out = '';
  proc.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      const port = /running at http:\/\/[^:]+:(\d+)/.exec(out)?.[1];
      const key = /#key=([A-Za-z0-9_-]+)/.exec(out)?.[1];
      const code = /code=([2-9A-Z]{6})/.exec(out)?.[1];
      if (port && key && code) resolve({ proc, port: Number(port), key, code, exited });
    });
    void exited.then((c) => reject(new Error(`server exited (${c}): ${out}`)));
  });
}
