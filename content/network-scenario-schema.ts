/**
 * Network scenarios (issue 18): a lesson's guided walk through the learner's own sandbox network,
 * in `<NetworkLab scenario="…">`. Each step is one REAL lab call, written exactly like a socket
 * scenario's step (content/scenario-schema.ts: op, args, save, expect, explain), plus what a network
 * lesson adds: `look`, the kernel tables to read once the call is done (a host's neighbour table, the
 * router's conntrack, a rule's counters), and `teaches`, what the kernel's answer teaches. Nothing in
 * a scenario is a result: the page shows whatever the kernel reports.
 *
 * `networkScenarioProblems` is the build-time check (scripts/check-network-scenarios.ts): the
 * network parts here, then every call through the socket scenarios' own check.
 */
import { z } from 'zod';
import { HOST_NAMES, type HostName } from '../server/protocol/index.ts';
import { scenarioProblems, type ScenarioStep } from './scenario-schema.ts';

/** The parts of a host's kernel state a step can point at, each read live (`network show`). */
export const HOST_LOOKS = ['addresses', 'routes', 'neighbours', 'rules', 'nat', 'conntrack'] as const;
export type HostLook = (typeof HOST_LOOKS)[number];

/** One table to read after the call: a host's, or the router's port forwards. */
export type NetworkLook = { view: HostLook; host: HostName } | { view: 'forwards' };

export type NetworkScenarioStep = ScenarioStep & {
  /** What to read once the call is done, in this order (shown beside the step). */
  look?: NetworkLook[];
  /** One or two sentences: what the kernel's answer teaches. */
  teaches: string;
};

export interface NetworkScenario {
  /** The file's name without `.ts`, and its key in content/network-scenarios/index.ts. */
  name: string;
  title: string;
  summary: string;
  steps: NetworkScenarioStep[];
}

const LookSchema = z.union([
  z.strictObject({ view: z.enum(HOST_LOOKS), host: z.enum(HOST_NAMES) }),
  z.strictObject({ view: z.literal('forwards') }),
], { error: `a look is { view, host } with a view of ${HOST_LOOKS.join(', ')} and a host of ${HOST_NAMES.join(', ')}; or { view: 'forwards' }` });

const NetworkPartsSchema = z.object({
  steps: z.array(z.object({ look: z.array(LookSchema).max(4).optional(), teaches: z.string().min(3).max(400) })).min(1),
});

const isCreate = (step: { op?: unknown; args?: unknown }) => step.op === 'network' && (step.args as { action?: unknown } | null)?.action === 'create';
const isDestroy = (step: { op?: unknown; args?: unknown }) => step.op === 'network' && (step.args as { action?: unknown } | null)?.action === 'destroy';

/**
 * Everything wrong with a network scenario, each problem naming its step (1-based). The widget makes
 * the network with the scenario's first step, so that step is `network create` and no other step
 * creates or destroys it (the learner keeps the network to explore after the last step).
 */
export function networkScenarioProblems(input: unknown): string[] {
  const parts = NetworkPartsSchema.safeParse(input);
  if (!parts.success) {
    return parts.error.issues.map((i) => {
      const [top, n, ...rest] = i.path;
      const where = top === 'steps' && typeof n === 'number' ? `step ${n + 1}` : '(scenario)';
      return `${where}: ${rest.length ? `${rest.join('.')}: ` : ''}${i.message}`;
    });
  }
  const scenario = input as { steps: Array<Record<string, unknown>> };
  const problems: string[] = [];
  if (!isCreate(scenario.steps[0] ?? {})) problems.push("step 1: a network scenario starts with { op: 'network', args: { action: 'create', topology: 'home' } }");
  scenario.steps.forEach((step, i) => {
    if (i > 0 && isCreate(step)) problems.push(`step ${i + 1} (network): the network is created once, by step 1`);
    if (isDestroy(step)) problems.push(`step ${i + 1} (network): a network scenario leaves the network up for the learner to explore; the page removes it`);
  });
  // The calls themselves: the socket scenarios' check, on the steps without their network parts.
  const calls = { ...scenario, steps: scenario.steps.map(({ look: _look, teaches: _teaches, ...call }) => call) };
  return [...problems, ...scenarioProblems(calls)];
}
