/**
 * Quiz rules, kept apart from the component so they can be unit-tested. No zod here: this ships to the
 * browser. A question's shape belongs to the content (content/quiz-schema.ts) and is imported as a type only.
 */
import type { QuizQuestion } from '@/content/quiz-schema';

/** A quiz is passed when at least this share of its questions were answered right the first time. */
export const PASS_RATIO = 0.7;

export function correctIndex(q: QuizQuestion): number {
  return q.choices.findIndex((c) => c.correct === true);
}

/** answers[i] is the choice the learner locked in for question i, or null while unanswered. */
export function score(questions: QuizQuestion[], answers: (number | null)[]) {
  const total = questions.length;
  let right = 0;
  let answered = 0;
  questions.forEach((q, i) => {
    const a = answers[i];
    if (a === null || a === undefined) return;
    answered++;
    if (a === correctIndex(q)) right++;
  });
  const complete = answered === total;
  return { right, answered, total, complete, passed: complete && right / total >= PASS_RATIO };
}
