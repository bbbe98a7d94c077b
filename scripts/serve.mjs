// A small static file server for the demo, the browser tests and the benchmark (no dependencies).
//   node scripts/serve.mjs [--root www] [--port 8080] [--host 127.0.0.1] [--csp] [--gzip] [--collector URL]
// Serves .wasm as application/wasm, never lists folders, refuses paths outside the root.
// With --gzip (`serve({ gzip: true })`), scripts, wasm, packs and sharded files go out with
// Content-Encoding: gzip to clients that accept it, as a CDN serves them (each compressed once
// per file version, zlib level 6).
// With --csp every response carries a strict Content-Security-Policy. Files are served from
// memory, as a shop's static server or CDN would: each is read once and read again when its
// size or modification time changes. With --collector http://127.0.0.1:8787/shelfwise/report
// (a running `shelfwise collect`), a POST to that URL's path is passed to it (body, content type
// and status; never the sender's address), as a shop's server would pass the daily measurement
// reports on (docs/MEASUREMENT.md). Any other request that is not a GET or HEAD gets 405.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.pack': 'application/octet-stream',
  '.shard': 'application/octet-stream',
  '.chunk': 'application/octet-stream',
  '.ico': 'image/x-icon',
};
/** What --gzip compresses. */
const COMPRESSED = new Set(['.js', '.mjs', '.wasm', '.pack', '.shard', '.chunk', '.html', '.css', '.json']);

export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

/**
 * Starts a server; resolves to { server, url }. Port 0 picks a free port. `headers(path)` may
 * add or replace response headers (e.g. cache-control) by URL path.
 */
export function serve({ root = 'www', port = 0, host = '127.0.0.1', csp = false, gzip = false, headers: extra = () => ({}), collector = null } = {}) {
  const base = resolve(root);
  const files = new Map(); // path -> { size, mtimeMs, body }
  const reportPath = collector ? new URL(collector).pathname : null;
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (req.method === 'POST' && path === reportPath) {
        await passReport(req, res, collector);
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed');
        return;
      }
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file);
      }
      let kept = files.get(file);
      if (kept?.size !== info.size || kept.mtimeMs !== info.mtimeMs) {
        kept = { size: info.size, mtimeMs: info.mtimeMs, body: await readFile(file) };
        files.set(file, kept);
      }
      const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' };
      if (csp) headers['content-security-policy'] = STRICT_CSP;
      if (gzip && COMPRESSED.has(extname(file)) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        kept.gzipped ??= gzipSync(kept.body, { level: 6 });
        res.writeHead(200, { ...headers, 'content-encoding': 'gzip', vary: 'accept-encoding', ...extra(path) }).end(kept.gzipped);
        return;
      }
      res.writeHead(200, { ...headers, ...extra(path) }).end(kept.body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok) => server.listen(port, host, () => ok({ server, url: `http://${host}:${server.address().port}/` })));
}

/** Passes one report POST to the collector (at most 64 KB of body; the collector checks it). */
async function passReport(req, res, collector) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 65_536) {
      res.writeHead(413, { 'content-type': 'text/plain' }).end('too large');
      return;
    }
    chunks.push(chunk);
  }
  try {
    const answer = await fetch(collector, {
      method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: Buffer.concat(chunks),
    });
    res.writeHead(answer.status, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end(await answer.text());
  } catch {
    res.writeHead(502, { 'content-type': 'text/plain' }).end('the report collector is not running');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const { url } = await serve({
    root: arg('root', 'www'),
    port: Number(arg('port', 8080)),
    host: arg('host', '127.0.0.1'),
    csp: process.argv.includes('--csp'),
    gzip: process.argv.includes('--gzip'),
    collector: arg('collector', null),
  });
  console.log(`Shelfwise demo: ${url}demo/`);
}
