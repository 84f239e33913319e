'use client';
import { useId, useState } from 'react';
import type { QuizQuestion } from '@/content/quiz-schema';
import { correctIndex, score, PASS_RATIO } from '@/app/_lib/quiz';
import { saveQuizResult, useProgress } from '@/app/_lib/progress';
import { SECTION_HEADINGS } from '@/app/_lib/toc';
import { useLessonSlug } from '../../LessonContext';
import { QuizQuestionCard } from './QuizQuestionCard';

/** "Check yourself": multiple-choice questions with an explanation for every choice. */
export function Quiz({ questions }: { questions: QuizQuestion[] }) {
  const slug = useLessonSlug();
  const progress = useProgress();
  const [answers, setAnswers] = useState<(number | null)[]>(() => questions.map(() => null));
  const [round, setRound] = useState(0);
  const h = SECTION_HEADINGS.Quiz;
  const s = score(questions, answers);
  const saved = slug ? progress[slug]?.quiz : undefined;
  const statusId = useId();

  function lock(i: number, choice: number) {
    const next = answers.slice();
    next[i] = choice;
    setAnswers(next);
    const result = score(questions, next);
    if (result.complete && slug) {
      saveQuizResult(slug, { score: result.right, total: result.total, passed: result.passed, at: Date.now() });
    }
  }

  function retry() {
    setAnswers(questions.map(() => null));
    setRound((r) => r + 1);
  }

  return (
    <section aria-labelledby={h.id} className="my-10 rounded-xl border border-violet-200 px-5 py-1 dark:border-violet-900">
      <h2 id={h.id} className="scroll-mt-20">
        {h.text}
      </h2>
      <p className="text-sm text-gray-600 dark:text-gray-400">
        {questions.length} question{questions.length === 1 ? '' : 's'}. Pick an answer and press <em>Check</em>; every choice
        comes with an explanation. You pass with {Math.ceil(PASS_RATIO * questions.length)} right.
        {saved ? (
          <>
            {' '}
            Last result: <strong>{saved.score}/{saved.total}</strong>
            {saved.passed ? ' (passed)' : ' (not passed yet)'}.
          </>
        ) : null}
      </p>
      <ol className="list-none pl-0">
        {questions.map((q, i) => (
          <li key={`${round}-${i}`} className="pl-0">
            <QuizQuestionCard
              number={i + 1}
              question={q}
              locked={answers[i]}
              correct={correctIndex(q)}
              onCheck={(choice) => lock(i, choice)}
            />
          </li>
        ))}
      </ol>
      <div id={statusId} role="status" aria-live="polite" className="mb-4">
        {s.complete ? (
          <div className={`rounded-lg p-3 font-medium ${s.passed ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-100' : 'bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-100'}`}>
            You got {s.right} of {s.total} right{s.passed ? ': quiz passed.' : '. Read the explanations, then try again.'}{' '}
            <button type="button" onClick={retry} className="ml-2 rounded-md border border-current px-2 py-0.5 text-sm">
              Try again
            </button>
          </div>
        ) : null}
      </div>
    </section>
  );
}
