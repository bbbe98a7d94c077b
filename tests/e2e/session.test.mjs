// Session intent leads the for-you shelf, through the public API in headless Chromium on the
// demo pack: a shopper who viewed four items of one category in the last ten minutes and carted
// one, with two month-old purchases in other categories, gets a for-you shelf of 8 with at least
// 5 items from the viewed category, the first explained by what they viewed. Every category of
// the demo shop is tried. (tests/session.rs checks the same natively.)
//
//   node --test tests/e2e/session.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dump, serverAndBrowser, watchPage } from './helpers.mjs';

const env = serverAndBrowser({ csp: true });

test('the current session leads for-you over month-old purchases', async () => {
  const page = await env.browser.newPage();
  const log = watchPage(page);
  try {
    await page.goto(`${env.server.origin}/demo/index.html`);
    const results = await page.evaluate(async () => {
      const { init } = await import('/shelfwise/index.js');
      const sw = await init({ pack: '/demo/data/shop.pack', consent: 'context-only' });
      const items = await sw.items(0, 10_000);
      const categories = [...new Set(items.map((i) => i.category))].sort();
      const byCategory = (c) => items.filter((i) => i.category === c);
      const now = Date.parse('2026-10-01T12:00:00Z');
      const [minute, day] = [60_000, 86_400_000];
      const out = [];
      for (const [n, viewed] of categories.entries()) {
        const others = categories.filter((c) => c !== viewed);
        await sw.clearEvents();
        await sw.track({ type: 'purchase', item: byCategory(others[n % others.length])[0].id, ts: now - 31 * day });
        await sw.track({ type: 'purchase', item: byCategory(others[(n + 1) % others.length])[0].id, ts: now - 30 * day });
        const session = byCategory(viewed).slice(3, 7);
        for (const [i, item] of session.entries()) await sw.track({ type: 'view', item: item.id, ts: now - (10 - 2 * i) * minute });
        await sw.track({ type: 'add_to_cart', item: session[3].id, ts: now - minute });
        const shelf = await sw.shelf('for-you', { k: 8, now });
        out.push({
          viewed,
          sessionTitles: session.map((i) => i.title),
          categories: shelf.items.map((i) => i.category),
          first: shelf.items[0]?.explanation,
        });
      }
      sw.close();
      return out;
    });
    assert.ok(results.length >= 3, `the demo shop has categories: ${JSON.stringify(results)}`);
    for (const r of results) {
      assert.equal(r.categories.length, 8, `${r.viewed}: a full shelf`);
      const inViewed = r.categories.filter((c) => c === r.viewed).length;
      assert.ok(inViewed >= 5, `${r.viewed}: ${inViewed} of 8 from the viewed category (${r.categories.join(', ')})`);
      assert.equal(r.first.reason, 'viewed', `${r.viewed}: ${JSON.stringify(r.first)}`);
      assert.ok(r.sessionTitles.some((t) => r.first.text === `Because you viewed ${t}`), `${r.viewed}: ${r.first.text}`);
    }
    assert.deepEqual(log.pageErrors, [], dump(log));
  } finally {
    await page.close();
  }
});
