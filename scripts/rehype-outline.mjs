/**
 * A rehype plugin, last in the lesson pipeline (mdx-options.mjs). It reads the lesson's outline off
 * the very tree the page is rendered from, after rehype-slug has given every heading its id, and
 * exports it from the lesson's MDX module: `export const outline = [...]`, each `##` heading's id and
 * text, and where the skeleton sections (<TryIt>, <Quiz>, <Recap>) stand. The table of contents is
 * built from it (app/_lib/toc.ts), so its links and the page's ids cannot disagree.
 *
 * Plain JavaScript: the MDX loader imports plugins with Node's own import(), which runs no TypeScript.
 */
import { toString } from 'hast-util-to-string';
import { visit } from 'unist-util-visit';

/** The skeleton components that render a heading of their own (app/_lib/toc.ts, SECTION_HEADINGS). */
export const SECTION_TAGS = ['TryIt', 'Quiz', 'Recap'];

/** @param {unknown} value plain data: arrays, objects, strings, numbers */
function toEstree(value) {
  if (Array.isArray(value)) return { type: 'ArrayExpression', elements: value.map(toEstree) };
  if (value !== null && typeof value === 'object') {
    return {
      type: 'ObjectExpression',
      properties: Object.entries(value).map(([key, v]) => ({
        type: 'Property',
        kind: 'init',
        method: false,
        shorthand: false,
        computed: false,
        key: { type: 'Literal', value: key },
        value: toEstree(v),
      })),
    };
  }
  return { type: 'Literal', value };
}

/** An MDX ESM node: `export const <name> = <value>;` */
function exportConst(name, value) {
  const declaration = {
    type: 'VariableDeclaration',
    kind: 'const',
    declarations: [{ type: 'VariableDeclarator', id: { type: 'Identifier', name }, init: toEstree(value) }],
  };
  const program = { type: 'Program', sourceType: 'module', body: [{ type: 'ExportNamedDeclaration', declaration, specifiers: [], source: null, attributes: [] }] };
  return { type: 'mdxjsEsm', value: '', data: { estree: program } };
}

export default function rehypeOutline() {
  /** @param {{ children: unknown[] }} tree */
  return (tree) => {
    const outline = [];
    visit(tree, (node) => {
      if (node.type === 'element' && node.tagName === 'h2' && typeof node.properties?.id === 'string') {
        outline.push({ id: node.properties.id, text: toString(node).trim() });
      } else if (node.type === 'mdxJsxFlowElement' && SECTION_TAGS.includes(node.name)) {
        outline.push({ section: node.name });
      }
    });
    tree.children.unshift(exportConst('outline', outline));
  };
}
