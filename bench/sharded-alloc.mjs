// JS heap allocated per steady for-you shelf (a benchmark, not a test): after the visit of
// bench/sharded.js with the engine on the page (?worker=0), 5 × 10 calls between gc()s of the
// public shelf(), of the engine call under it (transport.call('shelf')) and of eventCount (a
// call that does nothing in the core), in bytes per call (Chromium's precise memory info).
//   node bench/sharded-alloc.mjs --sharded build/shard-bench/n1000000-sharded --views SKU-…,…
import { launchBrowser } from '../tests/e2e/helpers.mjs';
import { serveRepository } from './first-shelf.mjs';

const argv = process.argv.slice(2);
const arg = (name) => argv[argv.indexOf(name) + 1];
const pack = `/${arg('--sharded').replace(/\/$/, '')}/bootstrap.shard`;
const { server, origin } = await serveRepository({ gzip: true });
const browser = await launchBrowser(['--js-flags=--expose-gc', '--enable-precise-memory-info']);
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${origin}/bench/sharded.html?pack=${encodeURIComponent(pack)}&views=${arg('--views')}&now=1780000000000&worker=0`);
  await page.waitForFunction(() => window.visit !== undefined, null, { timeout: 600_000, polling: 200 });
  const bytes = await page.evaluate(async () => {
    const now = 1780000000000;
    const s = window.shelfwise;
    const perCall = async (call) => {
      const v = [];
      for (let rep = 0; rep < 5; rep++) {
        globalThis.gc();
        const before = performance.memory.usedJSHeapSize;
        for (let i = 0; i < 10; i++) await call();
        v.push(Math.round((performance.memory.usedJSHeapSize - before) / 10));
      }
      return v;
    };
    return {
      shelf: await perCall(() => s.shelf('for-you', { k: 20, now })),
      engine: await perCall(() => s.transport.call('shelf', { kind: 'for-you', k: 20 }, now)),
      eventCount: await perCall(() => s.transport.call('eventCount')),
      resultJsonChars: JSON.stringify(await s.shelf('for-you', { k: 20, now })).length,
    };
  });
  console.log(`bench: sharded-alloc bytes per call ${JSON.stringify(bytes)}`);
} finally {
  await browser.close();
  server.close();
}
