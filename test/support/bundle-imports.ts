// The first import that is not relative, dynamic import() or require() call in a bundle,
// found by walking its syntax tree (rollup's parser), so the comments and strings of a
// bundled library (protobufjs's mention `require("./compiled.js")`) do not count. The same
// walk as rollup.config.mjs's build-time check of the browser bundle.
import { parseAst } from 'rollup/parseAst';

type Node = { type?: unknown; [key: string]: unknown };

function find(node: Node): string | null {
  const source = node.source as { value?: unknown } | null | undefined;
  const declares = node.type === 'ImportDeclaration' || node.type === 'ExportAllDeclaration' || node.type === 'ExportNamedDeclaration';
  if (declares && source && typeof source.value === 'string' && !/^\.\.?\//.test(source.value)) return `from '${source.value}'`;
  if (node.type === 'ImportExpression') return 'import()';
  const callee = node.callee as Node | undefined;
  if (node.type === 'CallExpression' && callee?.type === 'Identifier' && callee.name === 'require') return 'require()';
  for (const value of Object.values(node)) {
    for (const child of Array.isArray(value) ? value : [value]) {
      if (child && typeof child === 'object' && typeof (child as Node).type === 'string') {
        const found = find(child as Node);
        if (found) return found;
      }
    }
  }
  return null;
}

export function firstExternalImport(code: string): string | null {
  return find(parseAst(code) as unknown as Node);
}
