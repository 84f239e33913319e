/** The end-of-class summary as CSV: one row per student, attendance, lessons read, quiz results. */
import type { LessonProgressReport } from '../protocol/class.ts';
import type { StudentRow } from './class-store.ts';

/** Quotes a field; a leading = + - @ is defused so spreadsheets never run it as a formula. */
export function csvField(value: string | number): string {
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function summaryCsv(students: StudentRow[], progress: Map<number, Record<string, LessonProgressReport>>, lessons: readonly string[], online: Set<number>): string {
  const header = ['nickname', 'joined', 'last seen', 'online at export', 'lessons read', 'quizzes passed', 'lab calls', 'lab errors'];
  for (const slug of lessons) header.push(`${slug} read`, `${slug} quiz`);
  const lines = [header.map(csvField).join(',')];
  for (const s of students) {
    const p = progress.get(s.id) ?? {};
    const row: (string | number)[] = [
      s.nickname,
      new Date(s.joinedAt).toISOString(),
      new Date(s.lastSeen).toISOString(),
      online.has(s.id) ? 'yes' : 'no',
      lessons.filter((l) => p[l]?.read).length,
      lessons.filter((l) => p[l]?.quiz?.passed).length,
      s.labCalls,
      s.labErrors,
    ];
    for (const slug of lessons) {
      const l = p[slug];
      row.push(l?.read ? 'yes' : 'no', l?.quiz ? `${l.quiz.score}/${l.quiz.total}${l.quiz.passed ? ' passed' : ''}` : '');
    }
    lines.push(row.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
