import { z } from 'zod';

/** Lesson frontmatter. A bad or missing field fails `npm run build`, naming the file. */
export const FrontmatterSchema = z.strictObject({
  title: z.string().min(3).max(80),
  summary: z.string().min(10).max(200),
  /** 1-based position; must match the lesson's place in content/lessons.ts. */
  order: z.number().int().min(1),
  objectives: z.array(z.string().min(5).max(200)).min(2).max(8),
  /** Approximate reading time in minutes, shown on the course map. */
  minutes: z.number().int().min(1).max(120).optional(),
});

export type Frontmatter = z.infer<typeof FrontmatterSchema>;

export function formatFrontmatterError(file: string, error: z.ZodError): string {
  const lines = error.issues.map((i) => `  - ${i.path.join('.') || '(frontmatter)'}: ${i.message}`);
  return `${file}: invalid lesson frontmatter\n${lines.join('\n')}`;
}
