// Every code block of README.md and docs/*.md runs or is checked here, so the docs cannot
// rot. The rules a page follows are described in test/support/docs.ts: ts/js/html blocks
// run against src/ (with `// prints X` comments checked against their output) and ts blocks
// also type-check; sh blocks may only name real npm scripts, files and CLI options; every
// relative link and anchor must exist. The last describe proves the checks can fail.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend, setSeed } from '../src/index.js';
import { parseArgs as parseBenchArgs } from '../bench/args.js';
import { parseArgs as parseStartArgs } from '../examples/mnist/args.js';
import {
  checkLinks, checkShell, parsePage, runUnit, unitSource, writeUnit, type RunContext, type ShellContext, type Unit,
} from './support/docs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const parsed = pages.map((file) => ({ file, text: readFileSync(join(root, file), 'utf8'), ...parsePage(file, readFileSync(join(root, file), 'utf8')) }));

const artifacts = join(root, 'test-artifacts', 'docs-blocks', String(process.pid));
const workDir = mkdtempSync(join(tmpdir(), 'simdnet-docs-'));
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
  rmSync(artifacts, { recursive: true, force: true });
});

const ctx: RunContext = {
  root,
  moduleDir: join(artifacts, 'run'),
  workDir,
  // Each block starts from the library's initial state: the js backend, the default seed.
  reset: () => {
    setBackend('js');
    setSeed(0x5eed);
  },
};

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string>; bin?: Record<string, string> };
const scripts = pkg.scripts;
const shell: ShellContext = {
  root,
  scripts,
  bins: pkg.bin ?? {},
  argCheckers: {
    start: (argv) => void parseStartArgs(argv),
    bench: (argv) => void parseBenchArgs(argv),
    'bench:quick': (argv) => void parseBenchArgs(argv),
    'bench:kernels': (argv) => void parseBenchArgs(argv),
  },
};

/** Syntax errors of a ts/js unit (TypeScript's parser only). */
function syntaxErrors(unit: Unit): string[] {
  if (unit.lang !== 'ts' && unit.lang !== 'js' && unit.lang !== 'html') return [];
  const out = ts.transpileModule(unitSource(unit, root), {
    reportDiagnostics: true,
    fileName: unit.lang === 'ts' ? 'block.ts' : 'block.mjs',
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return (out.diagnostics ?? []).map((d) => `${unit.file}:${unit.line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

/** Runs or checks one unit, throwing on failure. */
async function check(unit: Unit, shellCtx: ShellContext, runCtx: RunContext): Promise<void> {
  const [block] = unit.blocks;
  switch (unit.lang) {
    case 'ts':
    case 'js':
    case 'html':
      await runUnit(unit, runCtx);
      return;
    case 'sh': {
      const problems = checkShell(block.code, shellCtx);
      if (problems.length) throw new Error(`${unit.file}:${unit.line}: ${problems.join('\n')}`);
      return;
    }
    case 'json':
      JSON.parse(block.code);
      return;
    case 'text':
      return;
  }
}

const skipped = parsed.flatMap((p) => p.units.filter((u) => u.skip).map((u) => `${u.file}:${u.line}: ${u.skip}`));
if (skipped.length) console.warn(`docs: ${skipped.length} block(s) not run:\n  ${skipped.join('\n  ')}`);

describe('docs follow the rules', () => {
  it('every code block names its language and every annotation is valid', () => {
    expect(parsed.flatMap((p) => p.problems)).toEqual([]);
  });

  it('every relative link and anchor exists', () => {
    expect(parsed.flatMap((p) => checkLinks(p.file, p.text, root))).toEqual([]);
  });

  it('every docs/<page>.md#anchor that a source comment names exists', () => {
    const problems: string[] = [];
    const walk = (dir: string): string[] =>
      readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(`${dir}/${e.name}`) : /\.(ts|mts|js|mjs)$/.test(e.name) ? [`${dir}/${e.name}`] : []);
    for (const file of ['src', 'assembly', 'examples', 'bench', 'test'].flatMap(walk)) {
      for (const m of readFileSync(join(root, file), 'utf8').matchAll(/\bdocs\/([\w-]+\.md)(#[\w-]+)?/g)) {
        if (file === 'test/docs.test.ts') continue;
        problems.push(...checkLinks(file, `[ref](../${'../'.repeat(file.split('/').length - 2)}docs/${m[1]}${m[2] ?? ''})`, root));
      }
    }
    expect(problems).toEqual([]);
  });

  it("the README's contents list links every page in docs/", () => {
    const readme = parsed[0].text;
    const missing = pages.slice(1).filter((page) => !readme.includes(`](${page})`));
    expect(missing).toEqual([]);
  });
});

for (const page of parsed.filter((p) => p.units.length > 0)) {
  describe(page.file, () => {
    for (const unit of page.units) {
      const name = `${unit.lang} block at line ${unit.line}${unit.blocks.length > 1 ? ` (+ ${unit.blocks.length - 1} continued)` : ''}`;
      // A skipped block still has to parse (TypeScript's syntax check, no types).
      if (unit.skip) it(`${name} parses (not run: ${unit.skip})`, () => expect(syntaxErrors(unit)).toEqual([]));
      else it(name, () => check(unit, shell, ctx), 30_000);
    }
  });
}

/** Runs tsc over the given ts units; returns its diagnostics (empty when they type-check). */
async function typecheck(units: Unit[], dir: string): Promise<string> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const unit of units) files.push(await writeUnit(unit, { root, moduleDir: dir }));
  const config = {
    extends: relative(dir, join(root, 'tsconfig.json')),
    compilerOptions: { noEmit: true },
    files: files.map((f) => relative(dir, f)),
    include: [],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
  return tsc.status === 0 ? '' : `${tsc.stdout}${tsc.stderr}` || `tsc exited with ${tsc.status}`;
}

describe('ts blocks type-check', () => {
  it('tsc accepts every ts block (one program, imports of simdnet pointed at src/)', async () => {
    const units = parsed.flatMap((p) => p.units.filter((u) => u.lang === 'ts' && !u.skip));
    expect(await typecheck(units, join(artifacts, 'tsc'))).toBe('');
  }, 60_000);
});

describe('the docs test itself fails on broken docs', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'simdnet-docs-selfcheck-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const selfCtx: RunContext = { ...ctx, moduleDir: join(artifacts, 'selfcheck') };
  const page = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return parsePage(file, text);
  };

  it('a block that throws fails, naming the page and line', async () => {
    const { units } = page('broken.md', "# Broken\n\n```ts\nimport { tensor } from 'simdnet';\ntensor([1, 2, 3], [2, 2]);\n```\n");
    await expect(check(units[0], shell, selfCtx)).rejects.toThrow(/broken\.md:3: the ts block throws/);
  });

  it('a block whose output differs from its `// prints` comment fails; a right one passes', async () => {
    const { units } = page(
      'prints.md',
      "```ts\nimport { tensor } from 'simdnet';\nconsole.log(tensor([[1, 2, 3]]).shape); // prints [ 1, 3 ]\n```\n\n" +
        '```js\nconsole.log(1 + 1); // prints 3\n```\n',
    );
    await expect(check(units[0], shell, selfCtx)).resolves.toBeUndefined();
    await expect(check(units[1], shell, selfCtx)).rejects.toThrow(/says it prints '3'/);
  });

  it('a continued block sees the previous one; html runs its module script', async () => {
    const { units, problems } = page(
      'steps.md',
      "```js\nconst n = 20;\n```\n\n<!-- docs-test: continues -->\n```js\nconsole.log(n + 1); // prints 21\n```\n\n" +
        "```html\n<script type=\"module\">\n  import { ones } from './node_modules/simdnet/dist/simdnet.browser.js';\n  console.log(ones([2]).toArray()); // prints [ 1, 1 ]\n</script>\n```\n",
    );
    expect(problems).toEqual([]);
    expect(units.map((u) => u.blocks.length)).toEqual([2, 1]);
    await expect(check(units[0], shell, selfCtx)).resolves.toBeUndefined();
    await expect(check(units[1], shell, selfCtx)).resolves.toBeUndefined();
  });

  it('a ts block with a type error fails the type-check', async () => {
    // No simdnet import: a small program, so this second tsc run stays short.
    const { units } = page('types.md', "```ts\nconst size: number = 2;\nconst n: string = size;\n```\n");
    expect(await typecheck(units, join(artifacts, 'selfcheck-tsc'))).toMatch(/TS2322/);
  }, 60_000);

  it('a skipped block with a syntax error fails', () => {
    const { units } = page('skip.md', '<!-- docs-test: skip needs a browser to run it -->\n```js\nconst = 1;\n```\n');
    expect(units[0].skip).toBe('needs a browser to run it');
    expect(syntaxErrors(units[0]).join()).toMatch(/skip\.md:2/);
  });

  it('shell blocks: unknown scripts, missing files and refused options fail', () => {
    const problems = checkShell(
      [
        'npm run no-such-script',
        'npx tsx examples/no-such-file.ts',
        'npm start -- --no-such-option 3',
        'npm run bench -- --filter',
        'npx vitest run test/no-such.test.ts',
        'make all',
        'npm ci && npm test   # these two are fine',
        'npm run bench -- --filter conv --engines wasm,tfjs-wasm',
      ].join('\n'),
      shell,
    );
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/no script 'no-such-script'/);
    expect(problems.join('\n')).toMatch(/no-such-file\.ts does not exist/);
    expect(problems.join('\n')).toMatch(/unknown option '--no-such-option'/);
    expect(problems.join('\n')).toMatch(/unknown command 'make'/);
  });

  it('a block without a language, an unknown annotation and a skip without a reason are refused', () => {
    const { problems } = page(
      'rules.md',
      '```\nplain\n```\n\n<!-- docs-test: skip -->\n```ts\nx\n```\n\n<!-- docs-test: maybe -->\n```ts\ny\n```\n\n<!-- docs-test: continues -->\n\ntext\n',
    );
    expect(problems.join('\n')).toMatch(/rules\.md:1: code block without a language/);
    expect(problems.join('\n')).toMatch(/needs a reason/);
    expect(problems.join('\n')).toMatch(/unknown docs-test annotation 'maybe'/);
    expect(problems.join('\n')).toMatch(/annotation not followed by a code block/);
  });

  it('a broken link or anchor is reported', () => {
    writeFileSync(join(dir, 'target.md'), '# A heading: `code` here\n');
    const text = '[ok](target.md#a-heading-code-here) [bad](missing.md) [anchor](target.md#nope) [self](#nowhere)\n';
    const problems = checkLinks(join(dir, 'links.md'), text, root);
    expect(problems).toHaveLength(3);
  });
});
