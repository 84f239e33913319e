import 'server-only';
import type { ComponentType } from 'react';
import { LESSON_SLUGS, type LessonSlug } from '@/content/lessons';
import { FrontmatterSchema, formatFrontmatterError, type Frontmatter } from '@/content/schema';
import { tocFromOutline, type OutlineItem, type TocEntry } from './toc';

export interface LessonMeta extends Frontmatter {
  slug: LessonSlug;
}

export interface Lesson extends LessonMeta {
  Content: ComponentType;
  toc: TocEntry[];
}

async function importLesson(slug: LessonSlug): Promise<{ default: ComponentType; frontmatter: unknown; outline: OutlineItem[] }> {
  return import(`../../content/${slug}.mdx`);
}

function validate(slug: LessonSlug, frontmatter: unknown): LessonMeta {
  const parsed = FrontmatterSchema.safeParse(frontmatter);
  if (!parsed.success) throw new Error(formatFrontmatterError(`content/${slug}.mdx`, parsed.error));
  const expected = LESSON_SLUGS.indexOf(slug) + 1;
  if (parsed.data.order !== expected) {
    throw new Error(`content/${slug}.mdx: order is ${parsed.data.order} but content/lessons.ts lists it at ${expected}`);
  }
  return { ...parsed.data, slug };
}

export async function getLessonMeta(slug: LessonSlug): Promise<LessonMeta> {
  const mod = await importLesson(slug);
  return validate(slug, mod.frontmatter);
}

export async function getAllLessonMeta(): Promise<LessonMeta[]> {
  return Promise.all(LESSON_SLUGS.map(getLessonMeta));
}

export async function getLesson(slug: LessonSlug): Promise<Lesson> {
  const mod = await importLesson(slug);
  const meta = validate(slug, mod.frontmatter);
  return { ...meta, Content: mod.default, toc: tocFromOutline(mod.outline) };
}
