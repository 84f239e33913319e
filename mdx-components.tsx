import type { MDXComponents } from 'mdx/types';
import { lessonComponents } from '@/app/_components/mdx';

export function useMDXComponents(components: MDXComponents = {}): MDXComponents {
  return { ...lessonComponents, ...components };
}
