// Which build of the wasm core a browser runs (www/shelfwise/loader.js), on the demo shop under
// the strict CSP:
//   1. Chromium validates relaxed SIMD: the shell loads shelfwise_relaxed_bg.wasm (and only it);
//   2. with WebAssembly.validate made to refuse relaxed-SIMD instructions (an init script, as in a
//      browser without relaxed SIMD), it loads shelfwise_bg.wasm (SIMD128) instead, the shelves
//      work and the console stays clean;
//   3. init({ wasm }) wins over the choice.
//
//   node --test tests/e2e/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dump, serverAndBrowser, watchPage } from './helpers.mjs';

const WAIT = { timeout: 10_000 };
const PACK = '/demo/data/shop.pack';

const env = serverAndBrowser();

/**
 * Stands in for a browser without relaxed SIMD: WebAssembly.validate refuses any module holding
 * a relaxed-SIMD opcode (prefix 0xfd, then 0x100–0x113 as LEB128: 0x80–0x93, 0x02).
 */
function refuseRelaxedSimd() {
  const validate = WebAssembly.validate;
  WebAssembly.validate = function validateWithoutRelaxedSimd(bytes, ...rest) {
    const b = new Uint8Array(ArrayBuffer.isView(bytes) ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) : bytes);
    for (let i = 0; i + 2 < b.length; i++) {
      if (b[i] === 0xfd && b[i + 1] >= 0x80 && b[i + 1] <= 0x93 && b[i + 2] === 0x02) return false;
    }
    return validate.call(this, bytes, ...rest);
  };
}

/** The demo's home page in a fresh context; resolves once its shelf is rendered. */
async function openDemo(initScript) {
  const context = await env.browser.newContext();
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  const log = watchPage(page);
  await page.goto(`${env.server.url}demo/`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  await page.waitForSelector('#recs .shelfwise-card', WAIT);
  return { page, log, close: () => context.close() };
}

/** A second instance on the same page (the demo's own is not exposed): its wasm info and a shelf. */
function probe(page, options = {}) {
  return page.evaluate(async ({ pack, options }) => {
    const shelfwise = await import('/shelfwise/index.js');
    const sw = await shelfwise.init({ pack, ...options });
    const [{ id }] = await sw.items(0, 1);
    await sw.track({ type: 'view', item: id });
    const shelf = await sw.shelf('for-you', { k: 8 });
    sw.close();
    return { relaxed: shelfwise.relaxedSimdSupported(), wasm: sw.info.wasm, items: shelf.items.length, personalized: shelf.personalized };
  }, { pack: PACK, options });
}

const wasmRequests = (log) => log.requests.filter((url) => new URL(url).pathname.endsWith('.wasm')).map((url) => new URL(url).pathname);

function assertClean(log) {
  assert.deepEqual(log.problems, [], 'no console errors or warnings');
  assert.deepEqual(log.pageErrors, [], 'no page errors');
  assert.deepEqual(log.cspViolations, [], 'no CSP violations');
  assert.deepEqual(log.failedRequests, [], 'no failed requests');
}

test('Chromium runs the relaxed-SIMD build', async () => {
  const { page, log, close } = await openDemo();
  const got = await probe(page);
  assert.equal(got.relaxed, true, 'Chromium validates relaxed SIMD');
  assert.deepEqual(got.wasm, { variant: 'relaxed-simd', url: `${env.server.origin}/shelfwise/wasm/shelfwise_relaxed_bg.wasm` });
  assert.equal(got.items, 8);
  assert.equal(got.personalized, true);
  assert.deepEqual([...new Set(wasmRequests(log))], ['/shelfwise/wasm/shelfwise_relaxed_bg.wasm'], dump(log.requests));
  assertClean(log);
  await close();
});

test('without relaxed SIMD the SIMD128 build loads and the shelves work', async () => {
  const { page, log, close } = await openDemo(refuseRelaxedSimd);
  const got = await probe(page);
  assert.equal(got.relaxed, false, 'the init script hides relaxed SIMD');
  assert.deepEqual(got.wasm, { variant: 'simd128', url: `${env.server.origin}/shelfwise/wasm/shelfwise_bg.wasm` });
  assert.equal(got.items, 8);
  assert.equal(got.personalized, true);
  assert.equal((await page.$$('#recs .shelfwise-card')).length, 8, 'the demo shelf is rendered');
  assert.deepEqual([...new Set(wasmRequests(log))], ['/shelfwise/wasm/shelfwise_bg.wasm'], dump(log.requests));
  assertClean(log);
  await close();
});

test('init({ wasm }) wins over the choice', async () => {
  const { page, log, close } = await openDemo();
  const got = await probe(page, { wasm: '/shelfwise/wasm/shelfwise_bg.wasm' });
  assert.deepEqual(got.wasm, { variant: 'custom', url: `${env.server.origin}/shelfwise/wasm/shelfwise_bg.wasm` });
  assert.equal(got.personalized, true);
  assert.ok(wasmRequests(log).includes('/shelfwise/wasm/shelfwise_bg.wasm'), dump(log.requests));
  assertClean(log);
  await close();
});
