// Shared helpers for the browser tests: a static server on a free port, a headless Chromium
// (the system one; nothing is downloaded) and a watcher that collects console problems, page
// errors, CSP violations and every request the page (and its workers) makes.
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WWW = fileURLToPath(new URL('../../www/', import.meta.url));

/** The two ways the shell runs its engine: in a Web Worker (the default) and on the page. */
export const ENGINE_MODES = [
  { name: 'worker (default)', options: {} },
  { name: 'inline ({ worker: false })', options: { worker: false } },
];

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Headless system Chromium (override the binary with $CHROMIUM). */
export function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...extraArgs],
    headless: true,
  });
}

/**
 * Serves www/ on 127.0.0.1 and a free port; with csp (the default) every response carries the
 * strict Content-Security-Policy; with collector (a `shelfwise collect` URL) report POSTs are
 * passed to it. Resolves to { url, origin, close }.
 */
export async function startServer({ csp = true, root = WWW, collector = null } = {}) {
  const { server, url } = await serve({ root, port: 0, host: '127.0.0.1', csp, collector });
  return {
    url,
    origin: new URL(url).origin,
    close: () => new Promise((done) => {
      server.closeAllConnections?.();
      server.close(() => done());
    }),
  };
}

/**
 * For a test file: starts the server (startServer options) and the browser before its tests and
 * closes both after them. Returns { server, browser }, filled in once the tests run.
 */
export function serverAndBrowser(options = { csp: true }) {
  const env = { server: null, browser: null };
  before(async () => {
    [env.server, env.browser] = await Promise.all([startServer(options), launchBrowser()]);
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

const CSP_MESSAGE = /Content Security Policy|Refused to (load|execute|apply|connect|create|evaluate|compile|frame)/i;

/**
 * Starts collecting from `page` (console messages from the page and its workers arrive on the
 * page): problems = console errors/warnings, pageErrors = uncaught exceptions, cspViolations =
 * console messages reporting a CSP violation, requests = every requested URL, failedRequests.
 */
export function watchPage(page) {
  const log = { problems: [], pageErrors: [], cspViolations: [], requests: [], failedRequests: [], webSockets: [] };
  page.on('console', (message) => {
    const type = message.type();
    const text = message.text();
    if (CSP_MESSAGE.test(text)) log.cspViolations.push(text);
    if (type === 'error' || type === 'warning') {
      const where = message.location()?.url ?? '';
      log.problems.push(`${type}: ${text}${where ? ` (${where})` : ''}`);
    }
  });
  page.on('pageerror', (error) => log.pageErrors.push(String(error?.stack ?? error)));
  page.on('request', (request) => log.requests.push(request.url()));
  page.on('requestfailed', (request) => log.failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`));
  page.on('websocket', (socket) => log.webSockets.push(socket.url()));
  return log;
}

/** The requested URLs that did not go to `origin` (data:/blob: URLs never leave the browser). */
export function foreignRequests(log, origin) {
  return log.requests.filter((url) => {
    if (url.startsWith('data:') || url.startsWith('blob:')) return false;
    return new URL(url).origin !== origin;
  }).concat(log.webSockets);
}

/** A readable dump of what was collected, for assertion messages. */
export function dump(log) {
  return JSON.stringify(log, null, 2);
}

const TEST_PAGES = fileURLToPath(new URL('./pages/', import.meta.url));
const TEST_PAGE_TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/**
 * Answers a routed request for `path` with the file of that name under tests/e2e/pages/ (200),
 * or 404 when there is none; `headers` go on either answer.
 */
export async function fulfillTestPage(route, path, headers) {
  try {
    const body = await readFile(join(TEST_PAGES, path.replace(/\.\./g, '')));
    return route.fulfill({ status: 200, headers, contentType: TEST_PAGE_TYPES[extname(path)], body });
  } catch {
    return route.fulfill({ status: 404, headers, contentType: 'text/plain', body: 'not found' });
  }
}
