// The machinery of test/docs.test.ts: find the code blocks of a Markdown page, run the
// TypeScript/JavaScript ones against the source tree, check the shell ones, check links.
//
// Rules a page follows (they are checked, so a page that breaks one fails the test):
// - Every fenced block names its language: ts, js, html, sh, text or json.
//   ts / js run (imports of 'simdnet' are pointed at src/index.ts); html runs the code of
//   its <script type="module"> elements the same way; sh names only real npm scripts,
//   existing files and options the CLIs accept; json must parse; text is not run.
// - A `// prints X` comment on a line of a ts/js block means the block's console.log
//   output has a line that is exactly X (in the order of the comments).
// - `<!-- docs-test: continues -->` right before a block runs it together with the
//   previous ts/js block of the page (one module), so a page can build an example in steps.
// - `<!-- docs-test: skip REASON -->` right before a block skips it; the reason is
//   required (at least a few words) and every skip is listed by the test.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

export type Lang = 'ts' | 'js' | 'html' | 'sh' | 'text' | 'json';

const LANGS: Record<string, Lang> = {
  ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js', mjs: 'js', html: 'html',
  sh: 'sh', bash: 'sh', shell: 'sh', text: 'text', txt: 'text', json: 'json',
};

export type Annotation = { kind: 'skip'; reason: string } | { kind: 'continues' };

export interface CodeBlock {
  /** Path of the page, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: Lang;
  code: string;
  annotation: Annotation | null;
}

/** One thing the test runs or checks: a block, or a ts/js block with its continuations. */
export interface Unit {
  file: string;
  line: number;
  lang: Lang;
  /** The blocks of this unit, first to last (more than one only through `continues`). */
  blocks: CodeBlock[];
  skip: string | null;
}

export interface ParsedPage {
  blocks: CodeBlock[];
  units: Unit[];
  /** Broken rules: a block without a language, a skip without a reason, ... */
  problems: string[];
}

const MIN_REASON = 12;

/** The fenced code blocks of a Markdown text, with the annotations that precede them. */
export function parsePage(file: string, text: string): ParsedPage {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  const problems: string[] = [];
  let pending: { annotation: Annotation | null; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)(.*)$/.exec(lines[i]);
    if (!open) {
      const note = /^\s*<!--\s*docs-test:(.*?)-->\s*$/.exec(lines[i]);
      if (note) {
        if (pending) problems.push(`${file}:${pending.line}: docs-test annotation not followed by a code block`);
        pending = { annotation: parseAnnotation(note[1].trim(), `${file}:${i + 1}`, problems), line: i + 1 };
      } else if (pending && lines[i].trim() !== '') {
        problems.push(`${file}:${pending.line}: docs-test annotation not followed by a code block`);
        pending = null;
      }
      continue;
    }
    const [, indent, fence, info] = open;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length; i++) {
      const close = /^(\s*)(`{3,}|~{3,})\s*$/.exec(lines[i]);
      if (close && close[2][0] === fence[0] && close[2].length >= fence.length) break;
      body.push(lines[i].startsWith(indent) ? lines[i].slice(indent.length) : lines[i].trimStart());
    }
    if (i >= lines.length) problems.push(`${file}:${start + 1}: code block is never closed`);
    const lang = LANGS[info.toLowerCase()];
    if (!info) problems.push(`${file}:${start + 1}: code block without a language (use ts, js, html, sh, text or json)`);
    else if (!lang) problems.push(`${file}:${start + 1}: unknown code block language '${info}' (use ts, js, html, sh, text or json)`);
    blocks.push({ file, line: start + 1, lang: lang ?? 'text', code: body.join('\n'), annotation: pending?.annotation ?? null });
    pending = null;
  }
  if (pending) problems.push(`${file}:${pending.line}: docs-test annotation not followed by a code block`);
  return { blocks, units: toUnits(blocks, problems), problems };
}

function parseAnnotation(text: string, where: string, problems: string[]): Annotation | null {
  if (text === 'continues') return { kind: 'continues' };
  const skip = /^skip\b(.*)$/s.exec(text);
  if (skip) {
    const reason = skip[1].trim();
    if (reason.length < MIN_REASON) {
      problems.push(`${where}: 'docs-test: skip' needs a reason (at least ${MIN_REASON} characters), got '${reason}'`);
    }
    return { kind: 'skip', reason };
  }
  problems.push(`${where}: unknown docs-test annotation '${text}' (known: 'continues', 'skip <reason>')`);
  return null;
}

function toUnits(blocks: CodeBlock[], problems: string[]): Unit[] {
  const units: Unit[] = [];
  let lastCode: Unit | null = null;
  for (const block of blocks) {
    if (block.annotation?.kind === 'continues') {
      if (!lastCode || (block.lang !== 'ts' && block.lang !== 'js') || lastCode.lang !== block.lang) {
        problems.push(`${block.file}:${block.line}: 'continues' needs a previous ${block.lang} block on the page to continue`);
      } else {
        lastCode.blocks.push(block);
        continue;
      }
    }
    const unit: Unit = {
      file: block.file, line: block.line, lang: block.lang, blocks: [block],
      skip: block.annotation?.kind === 'skip' ? block.annotation.reason : null,
    };
    units.push(unit);
    lastCode = (block.lang === 'ts' || block.lang === 'js') && !unit.skip ? unit : null;
  }
  return units;
}

// ---------------------------------------------------------------------------------------
// ts / js / html: run

export interface RunContext {
  /** Repository root: 'simdnet' is its src/index.ts. */
  root: string;
  /** Where the generated modules are written (inside the repository, so tsconfig applies). */
  moduleDir: string;
  /** The working directory while a block runs (files it writes land there). */
  workDir: string;
  /** Called before each unit runs (e.g. to reset the current backend). */
  reset?: () => void | Promise<void>;
}

/** The code a unit runs: its blocks' code (html: its module scripts), imports pointed at the source. */
export function unitSource(unit: Unit, root: string): string {
  const entry = join(root, 'src', 'index.js');
  const parts = unit.blocks.map((b) => (b.lang === 'html' ? moduleScripts(b.code) : b.code));
  const code = parts.join('\n');
  // 'simdnet', 'simdnet/dist/...', './node_modules/simdnet/dist/simdnet.browser.js': the source tree.
  const mapped = code.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(simdnet(?:\/[^'"]*)?|[^'"]*\/simdnet\/dist\/[^'"]*)\2/g,
    (_m, pre: string, q: string) => `${pre}${q}${entry}${q}`,
  );
  // import.meta.resolve('simdnet') (e.g. to find the package's build/ folder): the source entry.
  const resolved = mapped.replace(/\bimport\.meta\.resolve\(\s*(['"])simdnet\1\s*\)/g, JSON.stringify(pathToFileURL(entry).href));
  return `${resolved}\nexport {};\n`;
}

/** The code of the <script type="module"> elements of an html block. */
export function moduleScripts(html: string): string {
  const out: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    if (/type\s*=\s*["']module["']/.test(m[1])) out.push(m[2]);
  }
  return out.join('\n');
}

/** The `// prints X` expectations of a unit, in order. */
export function expectedPrints(source: string): string[] {
  const out: string[] = [];
  for (const line of source.split('\n')) {
    const m = /\/\/\s*prints\s+(.*?)\s*$/.exec(line);
    if (m) out.push(m[1]);
  }
  return out;
}

let counter = 0;

/** Writes a unit to a module file; returns its path. */
export async function writeUnit(unit: Unit, ctx: Pick<RunContext, 'root' | 'moduleDir'>): Promise<string> {
  await mkdir(ctx.moduleDir, { recursive: true });
  const base = relative(ctx.root, unit.file).replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const path = join(ctx.moduleDir, `${base}-L${unit.line}-${++counter}.${unit.lang === 'ts' ? 'ts' : 'mjs'}`);
  const header = `// generated by test/docs.test.ts from ${unit.file}:${unit.line}\n`;
  await writeFile(path, header + unitSource(unit, ctx.root));
  return path;
}

/**
 * Runs a ts/js/html unit in this process: writes it as a module, imports it with the working
 * directory set to ctx.workDir, captures console.log, then checks the `// prints` lines.
 * Throws (naming the page and line) when the code throws or the output differs.
 */
export async function runUnit(unit: Unit, ctx: RunContext): Promise<string[]> {
  const path = await writeUnit(unit, ctx);
  const output: string[] = [];
  const original = { log: console.log, info: console.info };
  const capture = (...args: unknown[]) => {
    output.push(...format(...args).split('\n'));
  };
  const cwd = process.cwd();
  await ctx.reset?.();
  process.chdir(ctx.workDir);
  console.log = capture;
  console.info = capture;
  try {
    await import(/* @vite-ignore */ path);
  } catch (error) {
    const message = error instanceof Error ? error.stack ?? error.message : String(error);
    throw new Error(`${unit.file}:${unit.line}: the ${unit.lang} block throws:\n${message}\n(generated module: ${path})`);
  } finally {
    console.log = original.log;
    console.info = original.info;
    process.chdir(cwd);
  }
  const expected = expectedPrints(unitSource(unit, ctx.root));
  let from = 0;
  for (const want of expected) {
    const at = output.indexOf(want, from);
    if (at === -1) {
      throw new Error(
        `${unit.file}:${unit.line}: the block's comment says it prints '${want}', but its output` +
          `${from > 0 ? ' after the previous match' : ''} has no such line. Output:\n${output.join('\n')}`,
      );
    }
    from = at + 1;
  }
  return output;
}

// ---------------------------------------------------------------------------------------
// sh: check

export interface ShellContext {
  root: string;
  scripts: Record<string, string>;
  /** Argument checkers by npm script name: they throw on arguments the program refuses. */
  argCheckers: Record<string, (argv: string[]) => void>;
  /** The package's own bins (package.json "bin"): `npx <name>` runs them, as users will. */
  bins?: Record<string, string>;
}

/** npm's own commands that a page may use besides `npm run <script>`. */
const NPM_BUILTINS = new Set(['ci', 'install', 'i', 'pack', 'publish', 'exec', 'ls', 'version', 'init']);
/** npm commands that run a package.json script of the same name. */
const NPM_SCRIPT_ALIASES = new Set(['test', 'start', 'stop', 'restart']);
/** Other programs a page may name; their arguments are not checked. */
const OTHER_COMMANDS = new Set(['apt-get', 'git', 'cd', 'curl', 'export']);

/** Splits a shell line into commands and words (quotes respected, `# comments` dropped). */
export function shellCommands(code: string): string[][] {
  const commands: string[][] = [];
  for (const rawLine of code.replace(/\\\n/g, ' ').split('\n')) {
    let words: string[] = [];
    let word: string | null = null;
    let quote: string | null = null;
    const flush = () => {
      if (word !== null) words.push(word);
      word = null;
    };
    const end = () => {
      flush();
      if (words.length) commands.push(words);
      words = [];
    };
    const line = rawLine;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quote) {
        if (c === quote) quote = null;
        else word = (word ?? '') + c;
      } else if (c === '"' || c === "'") {
        quote = c;
        word = word ?? '';
      } else if (c === '#' && word === null) {
        break;
      } else if (/\s/.test(c)) {
        flush();
      } else if (c === ';' || c === '|' || c === '&') {
        end();
        while (line[i + 1] === '|' || line[i + 1] === '&') i++;
      } else {
        word = (word ?? '') + c;
      }
    }
    end();
  }
  return commands;
}

/** Problems with the commands of a sh block: unknown scripts, missing files, refused options. */
export function checkShell(code: string, ctx: ShellContext): string[] {
  const problems: string[] = [];
  for (let words of shellCommands(code)) {
    while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) words = words.slice(1); // VAR=value prefixes
    if (!words.length) continue;
    const [cmd, ...args] = words;
    const shown = words.join(' ');
    const fileMustExist = (file: string) => {
      if (!existsSync(resolve(ctx.root, file))) problems.push(`'${shown}': ${file} does not exist`);
    };
    const checkArgs = (script: string, rest: string[]) => {
      const dash = rest.indexOf('--');
      const argv = dash === -1 ? [] : rest.slice(dash + 1);
      if (dash === -1 && rest.length) problems.push(`'${shown}': arguments for the script must follow '--'`);
      const checker = ctx.argCheckers[script];
      if (checker && argv.length) {
        try {
          checker(argv);
        } catch (error) {
          problems.push(`'${shown}': ${script} refuses ${JSON.stringify(argv)}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
    };
    if (cmd === 'npm') {
      const sub = args[0];
      if (sub === 'run' || sub === 'run-script') {
        const script = args[1];
        if (!script || !(script in ctx.scripts)) problems.push(`'${shown}': package.json has no script '${script ?? ''}'`);
        else checkArgs(script, args.slice(2));
      } else if (sub && NPM_SCRIPT_ALIASES.has(sub)) {
        if (!(sub in ctx.scripts)) problems.push(`'${shown}': package.json has no script '${sub}'`);
        else checkArgs(sub, args.slice(1));
      } else if (!sub || !NPM_BUILTINS.has(sub)) {
        problems.push(`'${shown}': 'npm ${sub ?? ''}' is neither 'npm run <script>' nor a known npm command`);
      }
    } else if (cmd === 'npx') {
      const [bin, ...rest] = args;
      const own = bin !== undefined && ctx.bins !== undefined && Object.hasOwn(ctx.bins, bin);
      if (own) {
        // The package's own bin: its built file must be what package.json names.
        if (!/^dist\//.test(ctx.bins?.[bin as string] ?? '')) problems.push(`'${shown}': package.json bin '${bin}' must point into dist/`);
      } else if (!bin || !existsSync(join(ctx.root, 'node_modules', '.bin', bin))) {
        problems.push(`'${shown}': '${bin ?? ''}' is not installed (node_modules/.bin)`);
      } else if (bin === 'tsx') {
        const file = rest.find((a) => !a.startsWith('-'));
        if (!file) problems.push(`'${shown}': npx tsx needs a file`);
        else fileMustExist(file);
      } else if (bin === 'vitest') {
        for (const a of rest) if (a !== 'run' && !a.startsWith('-')) fileMustExist(a);
      }
    } else if (cmd === 'node') {
      const file = args.find((a) => !a.startsWith('-'));
      if (file) fileMustExist(file);
    } else if (!OTHER_COMMANDS.has(cmd)) {
      problems.push(`'${shown}': unknown command '${cmd}' (known: npm, npx, node, ${[...OTHER_COMMANDS].join(', ')})`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// links

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown text (duplicates numbered as GitHub does). */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fence = false;
  for (const line of text.split('\n')) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) fence = !fence;
    if (fence) continue;
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The link targets of a Markdown text outside code blocks and inline code. */
export function links(text: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  let fence = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*(`{3,}|~{3,})/.test(line)) {
      fence = !fence;
      return;
    }
    if (fence) return;
    const prose = line.replace(/`[^`]*`/g, '``');
    for (const m of prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ target: m[1], line: i + 1 });
  });
  return out;
}

/** Broken relative links and anchors of a page. */
export function checkLinks(file: string, text: string, root: string): string[] {
  const problems: string[] = [];
  const abs = resolve(root, file);
  for (const { target, line } of links(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [path, anchor] = target.split('#', 2) as [string, string | undefined];
    const dest = path === '' ? abs : resolve(dirname(abs), decodeURIComponent(path));
    if (!existsSync(dest)) {
      problems.push(`${file}:${line}: link to ${target}: ${relative(root, dest)} does not exist`);
      continue;
    }
    if (anchor !== undefined && dest.endsWith('.md') && statSync(dest).isFile()) {
      if (!anchors(readFileSync(dest, 'utf8')).has(anchor)) {
        problems.push(`${file}:${line}: link to ${target}: ${relative(root, dest)} has no heading with anchor #${anchor}`);
      }
    }
  }
  return problems;
}
