/**
 * Guided scenarios: sequences of REAL lab calls that a learner advances one at a time. Nothing in a
 * scenario is a result: each step is a command sent to the server, and the page shows whatever the
 * kernel answers. `expect` records what the kernel normally answers, so the tests can check the script
 * still teaches what it says; the UI flags a step whose real answer differs.
 *
 * Arguments may name values saved from earlier results ("$srv", "$port") or given by the page
 * ("$siteAddress", "$sitePort", "$host"); a name may also appear inside text ("Host: $host").
 *
 * This file holds the types scenario files are written in, and the build-time check
 * (`scenarioProblems`, run by scripts/check-content.ts): the shape, and every step's arguments
 * against the lab protocol's own schemas with each "$name" stood in for by a value of its kind.
 */
import { z } from 'zod';
import { ErrorCodeSchema, OPS, OpArgs, OpResultSchemas, PortSchema, SockHandleSchema, type ArgsOf, type Op } from '../server/protocol/index.ts';

/** "$name": a value saved by an earlier step, or one the page gives. */
export type Ref = `$${string}`;
/** A value where any part may instead name a saved value (poll's `socks: [{sock: '$srv', ...}]`). */
type WithRefs<T> = T extends readonly (infer U)[] ? WithRefs<U>[] | Ref : T extends object ? { [K in keyof T]: WithRefs<T[K]> } | Ref : T | Ref;
/**
 * An op's arguments, where any argument, or any part of one, may instead name a saved value.
 * Distributed over a union of argument shapes (network, firewall: one per action), so each action
 * keeps its own keys.
 */
export type ArgsWithRefs<O extends Op> = EachShape<ArgsOf<O>>;
type EachShape<A> = A extends unknown ? { [K in keyof A]: WithRefs<A[K]> } : never;

interface StepCommon {
  /** Saves result fields under names for later steps: { srv: 'sock' } saves result.sock as $srv. */
  save?: Record<string, string>;
  /** A call that blocks until a later step: the scenario moves on once it is reported blocked. */
  background?: boolean;
  /** What the kernel normally answers: 'ok', 'blocked', 'eof', or an error code. */
  expect: string;
  /** Two sentences: what this call does, and what to look at. */
  explain: string;
}

/** One call: its op and that op's arguments, typed per op. */
export type ScenarioStep = { [O in Op]: StepCommon & { op: O; args: ArgsWithRefs<O> } }[Op];

export interface Scenario {
  /** The file's name without `.ts`, and its key in content/scenarios/index.ts. */
  name: string;
  title: string;
  summary: string;
  steps: ScenarioStep[];
}

/** Values the page gives every scenario, with an example of each for the check. */
export const PAGE_VALUES: Record<string, unknown> = {
  /** The address the browser reached this site at (an address the lab may connect to). */
  siteAddress: '127.0.0.1',
  /** The site's own port. */
  sitePort: 3000,
  /** The Host header a browser would send for this page. */
  host: '127.0.0.1:3000',
};

const REF_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
/** A whole argument that names a value (the runner's rule: scenario-runner.ts). */
const WHOLE_REF = /^\$([A-Za-z0-9]+)$/;
/** A name inside text. */
const INNER_REF = /\$([A-Za-z][A-Za-z0-9]*)/g;

const StepShapeSchema = z.strictObject({
  op: z.enum(OPS),
  args: z.record(z.string(), z.unknown()),
  save: z.record(z.string().regex(REF_NAME, 'a saved name is letters and digits, starting with a letter'), z.string().min(1)).optional(),
  background: z.boolean().optional(),
  expect: z.string().refine((s) => ['ok', 'blocked', 'eof'].includes(s) || ErrorCodeSchema.safeParse(s).success, {
    message: "expect is 'ok', 'blocked', 'eof' or an error code such as ECONNREFUSED",
  }),
  explain: z.string().min(3).max(400),
});

export const ScenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase words joined by -'),
  title: z.string().min(3).max(80),
  summary: z.string().min(10).max(200),
  steps: z.array(StepShapeSchema).min(1).max(60),
});

/**
 * An example value of a result field, standing in for "$name" when the arguments are checked. Each
 * saved handle gets its own (`n` counts the names saved so far): poll refuses a socket named twice.
 */
function exampleOf(field: z.core.$ZodType, n: number): unknown {
  if (field === SockHandleSchema) return `s${n + 1}`;
  if (field === PortSchema) return 41000;
  switch (field._zod.def.type) {
    case 'string':
      return 'text';
    case 'number':
      return 1;
    case 'boolean':
      return true;
    default:
      return {};
  }
}

/** The schema of one field of an op's result, or undefined when no result of that op has it. */
function resultField(op: Op, field: string): z.core.$ZodType | undefined {
  const result: z.core.$ZodType = OpResultSchemas[op];
  const options = result instanceof z.core.$ZodUnion ? result._zod.def.options : [result];
  for (const o of options) {
    if (o instanceof z.core.$ZodObject && field in o._zod.def.shape) return o._zod.def.shape[field];
  }
  return undefined;
}

/** One line per issue: where (a step, or nothing), then the path inside it, then zod's message. */
function formatIssues(where: string, error: z.core.$ZodError, root: string[] = []): string[] {
  return error.issues.map((i) => {
    const at = [...root, ...i.path.map(String)].join('.');
    return `${where}${at || '(scenario)'}: ${i.message}`;
  });
}

/**
 * Everything wrong with a scenario, each problem naming its step (1-based) and op. Checks the shape,
 * that each "$name" is saved by an earlier step (or given by the page) before it is used, since the
 * runner would wait for it forever, that each op's arguments pass the protocol's schema, and that
 * each saved field is one the op's result has.
 */
export function scenarioProblems(input: unknown): string[] {
  const parsed = ScenarioSchema.safeParse(input);
  if (!parsed.success) return formatIssues('', parsed.error);
  const problems: string[] = [];
  const known = new Map<string, unknown>(Object.entries(PAGE_VALUES));

  parsed.data.steps.forEach((step, i) => {
    const where = `step ${i + 1} (${step.op})`;
    const stand = (name: string): unknown => {
      if (!known.has(name)) problems.push(`${where}: $${name} is used before any earlier step saves it`);
      return known.get(name);
    };
    // Names stand anywhere inside the arguments, as the runner resolves them (poll's list of sockets).
    const standIn = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(standIn);
      if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, standIn(v)]));
      if (typeof value !== 'string') return value;
      const whole = WHOLE_REF.exec(value);
      return whole ? stand(whole[1]) : value.replace(INNER_REF, (_, name: string) => String(stand(name)));
    };
    const args = standIn(step.args);
    const checked = OpArgs[step.op].safeParse(args);
    if (!checked.success) problems.push(...formatIssues(`${where}: `, checked.error, ['args']));

    for (const [name, field] of Object.entries(step.save ?? {})) {
      const schema = resultField(step.op, field);
      if (!schema) problems.push(`${where}: save ${name}: a ${step.op} result has no field "${field}"`);
      if (known.has(name)) problems.push(`${where}: save ${name}: $${name} is already ${name in PAGE_VALUES ? 'given by the page' : 'saved by an earlier step'}; a name holds one value`);
      if (step.expect !== 'ok' && step.expect !== 'blocked') problems.push(`${where}: save ${name}: a step that expects ${step.expect} has no result to save`);
      known.set(name, schema ? exampleOf(schema, known.size) : undefined);
    }
  });
  return problems;
}
