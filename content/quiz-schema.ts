import { z } from 'zod';
import type { QuizQuestion } from '@/app/_lib/quiz';

/** The shape of a <Quiz questions={...}>, checked at build time by scripts/check-content.ts. */
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
