/**
 * A challenge as content (issue 18): which lesson it ends, its title, the task in the learner's
 * words and what the lab checks, in words too. How it is checked is the server's (the `check` op,
 * server/lab/challenges/), so the ids come from the protocol; the build checks that every id has
 * exactly one entry here and that each appears, once, on its own lesson's page.
 */
import { z } from 'zod';
import { CHALLENGE_IDS } from '../server/protocol/challenges.ts';
import { LESSON_SLUGS } from './lessons.ts';

export const ChallengeSchema = z.strictObject({
  id: z.enum(CHALLENGE_IDS),
  lesson: z.enum(LESSON_SLUGS),
  title: z.string().min(5).max(80),
  /** The task, as the learner reads it: what to make true, not how. */
  task: z.string().min(20).max(400),
  /** What the lab checks, one sentence each, shown before the learner asks for a check. */
  checks: z.array(z.string().min(10).max(200)).min(1).max(5),
  /** Where to do it (the network lab above, your own terminal), shown beside the task. */
  where: z.string().min(5).max(200),
});
export type Challenge = z.infer<typeof ChallengeSchema>;

/** Every problem with the list of challenges: bad entries, ids twice, ids without an entry. */
export function checkChallengeList(list: unknown): string[] {
  const parsed = z.array(ChallengeSchema).safeParse(list);
  if (!parsed.success) return parsed.error.issues.map((i) => `content/challenges.ts: ${i.path.join('.')}: ${i.message}`);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of parsed.data) {
    if (seen.has(c.id)) problems.push(`content/challenges.ts: challenge "${c.id}" is listed twice`);
    seen.add(c.id);
  }
  for (const id of CHALLENGE_IDS) {
    if (!seen.has(id)) problems.push(`content/challenges.ts: challenge "${id}" has a checker on the server but no entry here`);
  }
  return problems;
}
