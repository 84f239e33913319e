/**
 * Count-dependent text: "1 quiz passed", "2 quizzes passed", "0 lessons read". English has two
 * forms; Intl.PluralRules picks between them so a count never reads "1 quizzes".
 */
const rules = new Intl.PluralRules('en-US');

export interface Forms {
  one: string;
  other: string;
}

/** The word form for a count: plural(1, {one: 'quiz', other: 'quizzes'}) is 'quiz'. */
export function plural(count: number, forms: Forms): string {
  return rules.select(count) === 'one' ? forms.one : forms.other;
}

/** The count and its word: count(2, {one: 'step', other: 'steps'}) is '2 steps'. */
export function count(n: number, forms: Forms): string {
  return `${n} ${plural(n, forms)}`;
}

/** Forms of nouns the site counts, in one place. */
export const NOUNS = {
  lesson: { one: 'lesson', other: 'lessons' },
  quiz: { one: 'quiz', other: 'quizzes' },
  challenge: { one: 'challenge', other: 'challenges' },
  step: { one: 'step', other: 'steps' },
  call: { one: 'call', other: 'calls' },
  socket: { one: 'socket', other: 'sockets' },
  term: { one: 'term', other: 'terms' },
  connection: { one: 'connection', other: 'connections' },
  byte: { one: 'byte', other: 'bytes' },
  student: { one: 'student', other: 'students' },
  second: { one: 'second', other: 'seconds' },
} satisfies Record<string, Forms>;
