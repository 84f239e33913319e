/**
 * Challenges in `socketlab/1` (issue 18): the `check` op, which grades one challenge by looking at
 * the kernel and at real traffic (never at what the learner clicked), and its answer: every check
 * the lab made, with what the kernel said.
 *
 * The ids are fixed here because each needs its checker on the server (server/lab/challenges/);
 * content/challenges.ts gives each its lesson, title and task in words, and the build checks that
 * the two lists agree (scripts/check-content.ts).
 */
import * as z from 'zod/mini';

export const CHALLENGE_IDS = [
  'public-address-listener',
  'forward-to-laptop',
  'block-phone',
  'echo-41234',
  'phone-next-hop',
  'bytes-left-on-server',
  'serve-http-200',
] as const;
export const ChallengeIdSchema = z.enum(CHALLENGE_IDS);
export type ChallengeId = z.infer<typeof ChallengeIdSchema>;

/**
 * Where a challenge's checks run: in the session's sandbox network (the page's network lab must
 * have built it), or on this machine's loopback, under the lab's policy.
 */
export const CHALLENGE_PLACES = {
  'public-address-listener': 'network',
  'forward-to-laptop': 'network',
  'block-phone': 'network',
  'echo-41234': 'loopback',
  'phone-next-hop': 'network',
  'bytes-left-on-server': 'network',
  'serve-http-200': 'network',
} as const satisfies Record<ChallengeId, 'network' | 'loopback'>;

export const CheckArgsSchema = z.strictObject({ challenge: ChallengeIdSchema });

/** One thing the lab checked: what it did, whether the kernel's answer was the one wanted, and that answer. */
export const ChallengeCheckSchema = z.object({
  /** What was checked, as a sentence ("server connects to 203.0.113.1:8080"). */
  name: z.string(),
  passed: z.boolean(),
  /** What the kernel said: the errno, the peer address, the rule or the bytes read. */
  detail: z.string(),
});
export type ChallengeCheck = z.infer<typeof ChallengeCheckSchema>;

/** The answer: passed only when every check passed. A challenge not met yet is a result, not an error. */
export const CheckResultSchema = z.object({
  challenge: ChallengeIdSchema,
  passed: z.boolean(),
  checks: z.array(ChallengeCheckSchema),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;
