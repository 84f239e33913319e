import { z } from 'zod';

/**
 * A <Quiz questions={...}>: the shape lessons write, checked at build time by scripts/check-content.ts.
 * The types live here, with the content; the app imports them (type-only, so zod stays out of the browser).
 */
export interface QuizChoice {
  text: string;
  correct?: boolean;
  /** Why this choice is right or wrong: shown once the learner has answered. */
  why: string;
}

export interface QuizQuestion {
  prompt: string;
  choices: QuizChoice[];
}

export const QuizChoiceSchema = z.strictObject({
  text: z.string().min(1),
  correct: z.boolean().optional(),
  why: z.string().min(1),
});
export const QuizQuestionSchema = z
  .strictObject({ prompt: z.string().min(1), choices: z.array(QuizChoiceSchema).min(2).max(6) })
  .refine((q) => q.choices.filter((c) => c.correct === true).length === 1, {
    message: 'each question needs exactly one choice with correct: true',
  });
export const QuizQuestionsSchema: z.ZodType<QuizQuestion[]> = z.array(QuizQuestionSchema).min(3).max(12);
