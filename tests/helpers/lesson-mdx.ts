/**
 * Compiles MDX the way the site compiles a lesson: the same plugin list (mdx-options.mjs), then
 * renders it to HTML with stand-ins for the skeleton components that render the same headings as the
 * real ones. Returns the table of contents the lesson page would show and every id in the HTML.
 */
import { evaluate, type EvaluateOptions } from '@mdx-js/mdx';
import { createElement, type ReactNode } from 'react';
import * as runtime from 'react/jsx-runtime';
import { renderToStaticMarkup } from 'react-dom/server';
import { mdxOptions, type PluginSpec } from '../../mdx-options.mjs';
import { SECTION_HEADINGS, tocFromOutline, type OutlineItem, type TocEntry } from '../../app/_lib/toc.ts';

type Pluggable = NonNullable<EvaluateOptions['rehypePlugins']>[number];
type Plugin = Extract<Pluggable, (...args: never[]) => unknown>;

/** Loads a plugin named as the site names it, by package or path, as @next/mdx does. */
async function load(spec: PluginSpec): Promise<Pluggable> {
  const [name, options] = typeof spec === 'string' ? [spec, undefined] : spec;
  const plugin = ((await import(name)) as { default: Plugin }).default;
  return options === undefined ? plugin : [plugin, options];
}

type Props = { children?: ReactNode };
const section = (key: 'TryIt' | 'Quiz' | 'Recap') => (p: Props) =>
  createElement('section', null, createElement('h2', { id: SECTION_HEADINGS[key].id }, SECTION_HEADINGS[key].text), p.children);
const pass = (p: Props) => createElement('div', null, p.children);
const STAND_INS = { TryIt: section('TryIt'), Quiz: section('Quiz'), Recap: section('Recap'), Diagram: pass, QuizBox: pass, RecapCard: pass };

export async function compileLesson(source: string): Promise<{ toc: TocEntry[]; ids: string[]; html: string }> {
  const [remarkPlugins, rehypePlugins] = await Promise.all([Promise.all(mdxOptions.remarkPlugins.map(load)), Promise.all(mdxOptions.rehypePlugins.map(load))]);
  const mod = (await evaluate(source, { ...runtime, remarkPlugins, rehypePlugins })) as unknown as {
    default: (p: { components: typeof STAND_INS }) => ReactNode;
    outline: OutlineItem[];
  };
  const html = renderToStaticMarkup(createElement(mod.default, { components: STAND_INS }));
  const ids = [...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]);
  return { toc: tocFromOutline(mod.outline), ids, html };
}
