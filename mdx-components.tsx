import type { MDXComponents } from 'mdx/types';
import { lessonComponents } from '@/app/_components/mdx';
import { proseTermComponents } from '@/app/_components/ProseTerms';

export function useMDXComponents(components: MDXComponents = {}): MDXComponents {
  return { ...proseTermComponents, ...lessonComponents, ...components };
}
