/**
 * Runs `ip` and `nft` inside one host's network namespace: execFile with an argument array (no
 * shell), started while the helper's main thread is inside that namespace, so the child begins
 * life there. At most `concurrency` children run at once; each has a time limit.
 */
import { execFile } from 'node:child_process';
import type { NetnsFunctions } from '../netns-addon.ts';
import { SandboxError } from '../errors.ts';

export type Tool = 'ip' | 'nft';

export class CommandRunner {
  readonly #addon: NetnsFunctions;
  readonly #timeoutMs: number;
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(addon: NetnsFunctions, options: { concurrency: number; timeoutMs: number }) {
    this.#addon = addon;
    this.#free = options.concurrency;
    this.#timeoutMs = options.timeoutMs;
  }

  /** Runs the tool in the namespace; resolves with its stdout, rejects E_INTERNAL with its stderr. */
  async run(nsfd: number, tool: Tool, args: readonly string[], input?: string): Promise<string> {
    await this.#acquire();
    try {
      return await this.#spawn(nsfd, tool, args, input);
    } finally {
      this.#release();
    }
  }

  #spawn(nsfd: number, tool: Tool, args: readonly string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      // execFile() forks inside this call, so the child inherits the namespace entered here.
      const child = this.#addon.inNetns(nsfd, () =>
        execFile(
          tool,
          [...args],
          { timeout: this.#timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', NODE_ENV: process.env.NODE_ENV } },
          (error, stdout, stderr) => {
            if (!error) return resolve(stdout);
            const said = stderr.trim().split('\n').slice(0, 3).join(' | ') || error.message;
            reject(new CommandError(tool, args, said));
          },
        ),
      );
      child.stdin?.on('error', () => {}); // a child that exits early closes its stdin: the callback reports it
      child.stdin?.end(input ?? '');
    });
  }

  #acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

export class CommandError extends SandboxError {
  readonly stderr: string;
  constructor(tool: Tool, args: readonly string[], stderr: string) {
    super('E_INTERNAL', `${tool} ${args.slice(0, 8).join(' ')}${args.length > 8 ? ' ...' : ''} failed: ${stderr}`);
    this.stderr = stderr;
  }
}
