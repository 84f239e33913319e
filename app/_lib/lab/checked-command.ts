/**
 * A command whose arguments are only known at run time (a form's fields, a scenario step with saved
 * results filled in), checked against its op's schema before it is sent: the typed command, or the
 * refusal the server would have answered (E_BAD_REQUEST).
 */
import { CommandSchema, type Command, type CommandId, type LabError, type Op } from '@/server/protocol';

export function checkedCommand(op: Op, args: Record<string, unknown>, id: CommandId = 0): { ok: true; command: Command } | { ok: false; error: LabError } {
  const parsed = CommandSchema.safeParse({ id, op, args });
  if (parsed.success) return { ok: true, command: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') ?? '';
  return { ok: false, error: { code: 'E_BAD_REQUEST', message: `${where ? `${where}: ` : ''}${issue?.message ?? 'malformed command'}` } };
}
