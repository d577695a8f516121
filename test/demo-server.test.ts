// The demo's server (examples/browser/serve.mjs) without a browser: a busy port is a
// message naming --port and a non-zero exit, not a stack trace; favicon.ico is served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { startServer, type StartedServer } from '../examples/browser/serve.mjs';
import { root } from './browser/ensure-dist.js';

let busy: Server;
let busyPort = 0;
let demo: StartedServer;

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((ok) => busy.listen(0, '127.0.0.1', ok));
  const address = busy.address();
  busyPort = typeof address === 'object' && address ? address.port : 0;
  demo = await startServer({ port: 0, train: 64, test: 64 });
});
afterAll(async () => {
  await demo?.close();
  await new Promise<void>((ok) => busy.close(() => ok()));
});

describe('demo server', () => {
  it('a busy port is an Error naming --port (startServer)', async () => {
    await expect(startServer({ port: busyPort, train: 64, test: 64 })).rejects.toThrow(
      `serve: port ${busyPort} on 127.0.0.1 is already in use; choose another with --port N (--port 0 picks a free one)`,
    );
  });

  it('a busy port: the command prints that one line and exits 1', () => {
    const run = spawnSync(process.execPath, [join(root, 'examples', 'browser', 'serve.mjs'), '--port', String(busyPort), '--train', '64', '--test', '64'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(`serve: port ${busyPort} on 127.0.0.1 is already in use; choose another with --port N (--port 0 picks a free one)`);
    expect(run.stdout).not.toContain('simdnet demo at');
  });

  it('serves favicon.ico (the page\'s SVG icon) and the icon the page links', async () => {
    const origin = demo.url.replace(/\/examples\/browser\/$/, '');
    const ico = await fetch(`${origin}/favicon.ico`);
    expect(ico.status).toBe(200);
    expect(ico.headers.get('content-type')).toBe('image/svg+xml');
    const svg = await ico.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const linked = await fetch(`${demo.url}favicon.svg`);
    expect(linked.status).toBe(200);
    expect(await linked.text()).toBe(svg);
    const page = await (await fetch(demo.url)).text();
    expect(page).toContain('<link rel="icon" type="image/svg+xml" href="favicon.svg">');
  });

  it('sends the COOP/COEP headers that make pages crossOriginIsolated, unless isolate is false', async () => {
    for (const path of ['', 'index.html', '../../dist/simdnet.browser.js', 'no-such-file']) {
      const res = await fetch(new URL(path, demo.url));
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    }
    const open = await startServer({ port: 0, train: 64, test: 64, isolate: false });
    try {
      const res = await fetch(open.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('cross-origin-opener-policy')).toBeNull();
      expect(res.headers.get('cross-origin-embedder-policy')).toBeNull();
    } finally {
      await open.close();
    }
    await expect(startServer({ port: 0, train: 64, test: 64, isolate: 'yes' as unknown as boolean })).rejects.toThrow('serve: isolate must be true or false, got yes');
  });
});
