/**
 * Advances a guided scenario one real call at a time. It resolves "$name" arguments from earlier
 * results, sends the command, and reports what the kernel actually answered next to what the
 * script expected. It never invents a result.
 */
import type { CallResult, LabClient } from '@/server/protocol/client';
import type { Op } from '@/server/protocol';
import { checkedCommand } from './checked-command';
import type { Scenario, ScenarioStep } from '@/content/scenarios';

export interface RunnerEnv {
  siteAddress: string;
  sitePort: number;
  /** The Host header a browser would send for this page. */
  host: string;
}

export interface StepOutcome {
  step: ScenarioStep;
  /** The arguments as sent, with every "$name" filled in. */
  args: Record<string, unknown>;
  /** 'ok', 'blocked' (still waiting), 'eof', or the error code. */
  actual: string;
  matches: boolean;
  /** The command's id: the lab's step events for this call carry it. */
  id: string;
}

interface Deferred {
  promise: Promise<unknown>;
  resolve: (v: unknown) => void;
  settled: boolean;
}

function deferred(): Deferred {
  let resolve!: (v: unknown) => void;
  const d = { settled: false } as Deferred;
  d.promise = new Promise((r) => (resolve = r));
  d.resolve = (v) => {
    d.settled = true;
    resolve(v);
  };
  return d;
}

/** The outcome word for a reply: 'ok', 'eof' or the error code. */
export function outcomeOf(r: CallResult<Op>): string {
  if (!r.ok) return r.error.code;
  return 'eof' in r.result && r.result.eof ? 'eof' : 'ok';
}

export class ScenarioRunner {
  index = 0;
  private readonly vars = new Map<string, Deferred>();
  private nextId = 1;

  constructor(
    readonly scenario: Scenario,
    private readonly client: LabClient,
    env: RunnerEnv,
    private readonly idPrefix = `sc${Date.now().toString(36)}-`,
  ) {
    this.set('siteAddress', env.siteAddress);
    this.set('sitePort', env.sitePort);
    this.set('host', env.host);
  }

  get done(): boolean {
    return this.index >= this.scenario.steps.length;
  }

  get current(): ScenarioStep | undefined {
    return this.scenario.steps[this.index];
  }

  private slot(name: string): Deferred {
    let d = this.vars.get(name);
    if (!d) {
      d = deferred();
      this.vars.set(name, d);
    }
    return d;
  }

  private set(name: string, value: unknown): void {
    this.slot(name).resolve(value);
  }

  /** Fills in every "$name", at any depth (poll's `socks: [{sock: '$srv', ...}]`). */
  private async resolve(value: unknown): Promise<unknown> {
    if (Array.isArray(value)) return Promise.all(value.map((v) => this.resolve(v)));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = await this.resolve(v);
      return out;
    }
    if (typeof value !== 'string') return value;
    if (/^\$[A-Za-z0-9]+$/.test(value)) return this.slot(value.slice(1)).promise;
    let s = value;
    for (const m of value.matchAll(/\$([A-Za-z][A-Za-z0-9]*)/g)) s = s.replace(m[0], String(await this.slot(m[1]).promise));
    return s;
  }

  private async resolveArgs(args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(args)) out[k] = await this.resolve(v);
    return out;
  }

  /**
   * Sends one step's command. Its arguments are only known now (saved results filled in), so they are
   * checked against the op's schema here; a step they do not fit fails as the server would answer it.
   */
  private call(op: Op, args: Record<string, unknown>, id: string): Promise<CallResult<Op>> {
    const checked = checkedCommand(op, args, id);
    if (!checked.ok) return Promise.resolve(checked);
    return this.client.call(checked.command.op, checked.command.args, checked.command.id);
  }

  /**
   * Runs the next step. A background step resolves as soon as the server reports it blocked (or it
   * finishes); its results are saved whenever its reply arrives.
   */
  async next(): Promise<StepOutcome | null> {
    const step = this.current;
    if (!step) return null;
    this.index++;
    const args = await this.resolveArgs(step.args);
    const id = `${this.idPrefix}${this.nextId++}`;
    const reply = this.call(step.op, args, id).then((r) => {
      if (r.ok && step.save) {
        const fields = new Map(Object.entries(r.result));
        for (const [name, field] of Object.entries(step.save)) this.set(name, fields.get(field));
      }
      return r;
    });
    if (!step.background) {
      const actual = outcomeOf(await reply);
      return { step, args, actual, matches: actual === step.expect, id };
    }
    const blocked = new Promise<'blocked'>((resolve) => {
      const off = this.client.on((e) => {
        if (e.event === 'step' && e.id === id && e.status === 'blocked') {
          off();
          resolve('blocked');
        }
      });
      void reply.then(off);
    });
    const actual = await Promise.race([blocked, reply.then(outcomeOf)]);
    return { step, args, actual, matches: actual === step.expect, id };
  }
}
