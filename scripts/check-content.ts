/**
 * Build-time check of every lesson, run before `next build` (and by the unit tests):
 * frontmatter against the zod schema, order against content/lessons.ts, every JSX tag against the
 * component registry, the fixed skeleton, and each component's props, by rendering the lesson with
 * checking stand-ins. Run as a script, it checks the lab's guided scenarios too (check-scenarios.ts).
 * Every problem is reported with the file it is in; any problem fails the build.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { evaluate } from '@mdx-js/mdx';
import * as runtime from 'react/jsx-runtime';
import { createElement, Fragment, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkMdxFrontmatter from 'remark-mdx-frontmatter';
import { visit } from 'unist-util-visit';
import type { Root } from 'mdast';
import { LESSON_SLUGS } from '../content/lessons.ts';
import { FrontmatterSchema, formatFrontmatterError } from '../content/schema.ts';
import { QuizQuestionsSchema } from '../content/quiz-schema.ts';
import { INTERACTIVE_TAGS, REQUIRED_SECTIONS, WORDS_RANGE } from '../content/skeleton.ts';
import { isScenarioName } from '../content/scenarios/index.ts';
import { CHALLENGES } from '../content/challenges.ts';
import { checkChallengeList } from '../content/challenge-schema.ts';
import { LESSON_TAGS } from '../app/_components/mdx/tags.ts';
import { checkAllScenarios } from './check-scenarios.ts';
import { isNetworkScenarioName } from '../content/network-scenarios/index.ts';
import { checkAllNetworkScenarios } from './check-network-scenarios.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface LessonReport {
  file: string;
  errors: string[];
  warnings: string[];
  words: number;
  /** The ids of the <Challenge> blocks on the page. */
  challenges?: string[];
}

type Props = Record<string, unknown> & { children?: ReactNode };

/** Stand-ins that check props the way the real components need them. */
function checkingComponents(problems: string[], lesson: string | undefined, challenges: string[]) {
  const pass = ({ children }: Props) => createElement(Fragment, null, children);
  const checks: Record<string, (p: Props) => void> = {
    Quiz: (p) => {
      const r = QuizQuestionsSchema.safeParse(p.questions);
      if (!r.success) problems.push(`<Quiz questions>: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    },
    Diagram: (p) => {
      if (typeof p.alt !== 'string' || p.alt.length < 10) problems.push(`<Diagram src="${String(p.src)}">: alt text (10+ characters) is required`);
      if (typeof p.src !== 'string' || !existsSync(path.join(ROOT, 'public', 'diagrams', p.src))) {
        problems.push(`<Diagram src="${String(p.src)}">: no such file in public/diagrams/`);
      }
    },
    SocketLab: (p) => {
      if (p.scenario !== undefined && !(typeof p.scenario === 'string' && isScenarioName(p.scenario))) {
        problems.push(`<SocketLab scenario="${String(p.scenario)}">: no such scenario in content/scenarios/index.ts`);
      }
    },
    Challenge: (p) => {
      const found = CHALLENGES.find((c) => c.id === p.id);
      if (!found) problems.push(`<Challenge id="${String(p.id)}">: no such challenge in content/challenges.ts`);
      else if (found.lesson !== lesson) problems.push(`<Challenge id="${found.id}">: content/challenges.ts puts it in the lesson ${found.lesson}, not here`);
      else challenges.push(found.id);
    },
    NetworkLab: (p) => {
      if (p.scenario !== undefined && !(typeof p.scenario === 'string' && isNetworkScenarioName(p.scenario))) {
        problems.push(`<NetworkLab scenario="${String(p.scenario)}">: no such scenario in content/network-scenarios/index.ts`);
      }
    },
    Program: (p) => {
      if (typeof p.src !== 'string' || !existsSync(path.join(ROOT, 'public', 'programs', p.src))) {
        problems.push(`<Program src="${String(p.src)}">: no such file in public/programs/`);
      }
    },
  };
  const components: Record<string, (p: Props) => ReactNode> = {};
  for (const tag of LESSON_TAGS) {
    components[tag] = (p: Props) => {
      checks[tag]?.(p);
      return pass(p);
    };
  }
  return components;
}

function countWords(tree: Root): number {
  let words = 0;
  visit(tree, 'text', (node) => {
    words += node.value.split(/\s+/).filter(Boolean).length;
  });
  return words;
}

export async function checkLesson(slug: string): Promise<LessonReport> {
  return checkLessonFile(path.join(ROOT, 'content', `${slug}.mdx`), LESSON_SLUGS.indexOf(slug as never) + 1);
}

/** Checks one MDX file that should sit at position `expectedOrder` of the course. */
export async function checkLessonFile(file: string, expectedOrder: number): Promise<LessonReport> {
  const rel = path.relative(ROOT, file);
  const report: LessonReport = { file: rel, errors: [], warnings: [], words: 0 };
  if (!existsSync(file)) {
    report.errors.push('file is missing (it is listed in content/lessons.ts)');
    return report;
  }
  const source = readFileSync(file, 'utf8');
  const tags = new Map<string, number>();
  const collect = () => (tree: Root) => {
    visit(tree, (node) => {
      if ((node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement') && node.name) {
        tags.set(node.name, (tags.get(node.name) ?? 0) + 1);
      }
    });
    report.words = countWords(tree);
  };

  let mod: { default: (p: { components?: Record<string, unknown> }) => ReactNode; frontmatter?: unknown };
  try {
    mod = (await evaluate(
      { value: source, path: file },
      {
        ...runtime,
        baseUrl: pathToFileURL(file),
        remarkPlugins: [remarkGfm, remarkFrontmatter, [remarkMdxFrontmatter, { name: 'frontmatter' }], collect],
      },
    )) as typeof mod;
  } catch (e) {
    report.errors.push(`MDX does not compile: ${(e as Error).message}`);
    return report;
  }

  const fm = FrontmatterSchema.safeParse(mod.frontmatter);
  if (!fm.success) report.errors.push(formatFrontmatterError(rel, fm.error).split('\n').slice(1).join('\n').trim());
  else if (fm.data.order !== expectedOrder) {
    report.errors.push(`order is ${fm.data.order} but content/lessons.ts lists this lesson at ${expectedOrder}`);
  }

  for (const [tag] of tags) {
    if (/^[A-Z]/.test(tag) && !LESSON_TAGS.includes(tag)) {
      report.errors.push(`unknown MDX tag <${tag}>: not in the component registry (app/_components/mdx/index.ts)`);
    }
  }
  for (const [tag, [min, max]] of Object.entries(REQUIRED_SECTIONS)) {
    const n = tags.get(tag) ?? 0;
    if (n < min || n > max) {
      report.errors.push(`skeleton: <${tag}> appears ${n} time(s); a lesson needs ${max === Infinity ? `at least ${min}` : min === max ? `exactly ${min}` : `${min}-${max}`}`);
    }
  }
  if (!INTERACTIVE_TAGS.some((t) => tags.has(t))) {
    report.errors.push(`skeleton: no interactive element; use one of ${INTERACTIVE_TAGS.map((t) => `<${t}>`).join(', ')}`);
  }

  const problems: string[] = [];
  try {
    const challenges: string[] = [];
    renderToStaticMarkup(createElement(mod.default, { components: checkingComponents(problems, LESSON_SLUGS[expectedOrder - 1], challenges) }));
    report.challenges = challenges;
  } catch (e) {
    problems.push(`rendering failed: ${(e as Error).message}`);
  }
  report.errors.push(...problems);

  if (report.words < WORDS_RANGE[0] || report.words > WORDS_RANGE[1]) {
    report.warnings.push(`${report.words} words of prose; lessons aim for ${WORDS_RANGE[0]}-${WORDS_RANGE[1]}`);
  }
  return report;
}

export async function checkAllContent(): Promise<LessonReport[]> {
  const reports = await Promise.all(LESSON_SLUGS.map(checkLesson));
  const listed = new Set<string>(LESSON_SLUGS);
  for (const f of readdirSync(path.join(ROOT, 'content'))) {
    if (f.endsWith('.mdx') && !listed.has(f.slice(0, -4))) {
      reports.push({ file: `content/${f}`, errors: ['not listed in content/lessons.ts (add its slug there, in order)'], warnings: [], words: 0 });
    }
  }
  const listProblems = checkChallengeList(CHALLENGES);
  if (listProblems.length) reports.push({ file: 'content/challenges.ts', errors: listProblems, warnings: [], words: 0 });
  for (const problem of challengePlacement(reports)) {
    reports.find((r) => r.file === problem.file)?.errors.push(problem.error);
  }
  return reports;
}

/** Each challenge on its own lesson's page exactly once (a challenge no page shows is never met). */
export function challengePlacement(reports: readonly LessonReport[]): { file: string; error: string }[] {
  const problems: { file: string; error: string }[] = [];
  for (const c of CHALLENGES) {
    const file = `content/${c.lesson}.mdx`;
    const times = reports.find((r) => r.file === file)?.challenges?.filter((id) => id === c.id).length ?? 0;
    if (times !== 1) problems.push({ file, error: `<Challenge id="${c.id}"> appears ${times} time(s); content/challenges.ts puts it on this page once` });
  }
  return problems;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const reports = await checkAllContent();
  const scenarios = [...(await checkAllScenarios()), ...(await checkAllNetworkScenarios())];
  let failed = 0;
  for (const r of [...reports, ...scenarios.map((x) => ({ ...x, warnings: [] }))]) {
    for (const w of r.warnings) console.warn(`warning: ${r.file}: ${w}`);
    for (const e of r.errors) console.error(`error: ${r.file}: ${e}`);
    if (r.errors.length) failed++;
  }
  if (failed) {
    console.error(`\ncontent check failed: ${failed} file(s) with errors`);
    process.exit(1);
  }
  console.log(`content check: ${reports.length} lessons OK (${reports.reduce((a, r) => a + r.words, 0)} words), ${scenarios.length} scenarios OK`);
}
