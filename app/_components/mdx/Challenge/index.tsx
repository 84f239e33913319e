import { challengeById } from '@/content/challenges';
import type { ChallengeId } from '@/server/protocol/challenges';
import { ChallengeCheck } from './ChallengeCheck';

/**
 * `<Challenge id="…">`: a task from content/challenges.ts, what the lab will check, and a button
 * that asks the lab to check it against the kernel. The text renders on the server; the checking
 * part is a separate chunk that loads in the browser only (ChallengeCheck).
 */
export function Challenge({ id }: { id: ChallengeId }) {
  const challenge = challengeById(id);
  if (!challenge) return null; // the build refuses an unknown id (scripts/check-content.ts)
  const headingId = `challenge-${challenge.id}`;
  return (
    <section
      aria-labelledby={headingId}
      data-testid={`challenge-${challenge.id}`}
      className="not-prose-spacing my-10 rounded-xl border border-violet-300 bg-violet-50/60 px-5 py-4 dark:border-violet-800 dark:bg-violet-950/30"
    >
      <h3 id={headingId} className="mt-0">
        Challenge: {challenge.title}
      </h3>
      <p>{challenge.task}</p>
      <p className="text-sm">
        <span className="font-semibold">Where:</span> {challenge.where}.
      </p>
      <h4 className="mb-1 text-base">What the lab checks</h4>
      <ol className="mt-0 text-sm">
        {challenge.checks.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ol>
      <ChallengeCheck id={challenge.id} lesson={challenge.lesson} title={challenge.title} />
    </section>
  );
}
