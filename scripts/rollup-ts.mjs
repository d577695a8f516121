// A minimal TypeScript plugin for rollup: strips types file by file with
// ts.transpileModule (the sources are written for isolatedModules) and maps the `.js` in
// relative imports to the `.ts` file beside it. No type checking here: `npm run
// typecheck` (tsc) does that once, so the three builds in rollup.config.mjs stay fast.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

const compilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  isolatedModules: true,
  verbatimModuleSyntax: false,
  sourceMap: false,
};

export function typescriptStrip() {
  return {
    name: 'simdnet-typescript-strip',
    resolveId(id, importer) {
      if (!importer || !importer.endsWith('.ts') || !id.startsWith('.')) return null;
      const candidate = resolve(dirname(importer), id.replace(/\.js$/, '.ts'));
      return existsSync(candidate) ? candidate : null;
    },
    transform(code, id) {
      if (!id.endsWith('.ts') || id.endsWith('.d.ts')) return null;
      const out = ts.transpileModule(code, { compilerOptions, fileName: id, reportDiagnostics: true });
      const error = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
      if (error) this.error(`${id}: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
      return { code: out.outputText, map: null };
    },
  };
}
