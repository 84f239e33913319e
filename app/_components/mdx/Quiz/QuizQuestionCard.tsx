'use client';
import { useId, useState } from 'react';
import type { QuizQuestion } from '@/content/quiz-schema';

interface Props {
  number: number;
  question: QuizQuestion;
  /** The choice locked in with Check, or null while the learner is still choosing. */
  locked: number | null;
  correct: number;
  onCheck: (choice: number) => void;
}

export function QuizQuestionCard({ number, question, locked, correct, onCheck }: Props) {
  const [picked, setPicked] = useState<number | null>(null);
  const name = useId();
  const done = locked !== null;

  return (
    <form
      className="my-4 rounded-lg border border-gray-200 p-4 dark:border-gray-700"
      onSubmit={(e) => {
        e.preventDefault();
        if (picked !== null && !done) onCheck(picked);
      }}
    >
      <fieldset disabled={done} className="min-w-0">
        <legend className="max-w-full font-semibold [overflow-wrap:anywhere]">
          {number}. {question.prompt}
        </legend>
        <div className="mt-2 space-y-2">
          {question.choices.map((c, i) => {
            const isRight = i === correct;
            const isPicked = locked === i;
            // After Check every choice explains itself, and says in words (not only colour) what it was.
            const verdict = !done ? undefined : isRight ? 'right' : isPicked ? 'picked-wrong' : 'wrong';
            const tone =
              verdict === 'right'
                ? 'border-emerald-500 bg-emerald-50 dark:bg-emerald-950/40'
                : verdict === 'picked-wrong'
                  ? 'border-red-500 bg-red-50 dark:bg-red-950/40'
                  : 'border-gray-200 dark:border-gray-700';
            return (
              <div key={i} className={`rounded-md border p-2 ${tone}`} data-testid="quiz-choice" data-verdict={verdict}>
                <label className="flex cursor-pointer items-start gap-2">
                  <input
                    type="radio"
                    name={name}
                    value={i}
                    checked={done ? isPicked : picked === i}
                    onChange={() => setPicked(i)}
                    className="mt-1.5"
                  />
                  <span className="min-w-0 [overflow-wrap:anywhere]">
                    {c.text}
                    {verdict === 'right' ? <strong className="ml-2 text-emerald-700 dark:text-emerald-300">Correct answer</strong> : null}
                    {verdict === 'right' && isPicked ? <span className="ml-1 text-sm text-emerald-700 dark:text-emerald-300">(your answer)</span> : null}
                    {verdict === 'picked-wrong' ? <strong className="ml-2 text-red-700 dark:text-red-300">Your answer</strong> : null}
                    {verdict === 'wrong' ? <span className="ml-2 text-sm font-medium text-gray-700 dark:text-gray-300">Not this one</span> : null}
                  </span>
                </label>
                {done ? (
                  <p className="mb-0 mt-1 pl-6 text-sm" data-testid="quiz-why">
                    {c.why}
                  </p>
                ) : null}
              </div>
            );
          })}
        </div>
      </fieldset>
      {done ? (
        <p role="status" className={`mb-0 mt-3 font-medium ${locked === correct ? 'text-emerald-700 dark:text-emerald-300' : 'text-red-700 dark:text-red-300'}`}>
          {locked === correct ? 'Right.' : 'Not quite.'}
        </p>
      ) : (
        <button
          type="submit"
          disabled={picked === null}
          className="mt-3 rounded-md bg-violet-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-violet-800 disabled:cursor-not-allowed disabled:opacity-50"
        >
          Check
        </button>
      )}
    </form>
  );
}
