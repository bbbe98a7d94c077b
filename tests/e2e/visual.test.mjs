// End to end: the demo shop's product page shows "Looks like X" (the visually-similar shelf)
// from the demo pack's synthetic image vectors (scripts/demo-pack.sh builds it with
// `--image-vectors`), in headless Chromium under the strict CSP.
//
//   node --test tests/e2e/visual.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, watchPage } from './helpers.mjs';

const WAIT = { timeout: 10_000 };
const env = serverAndBrowser({ csp: true });

test('a product page shows the items that look like it, explained "Looks like X"', async () => {
  const page = await env.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const log = watchPage(page);
  await page.goto(`${env.server.url}demo/`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  const product = await page.$eval('#grid .product-card', (card) => ({ id: card.dataset.itemId, category: card.dataset.category }));
  await page.click(`#grid .product-card[data-item-id="${product.id}"] a`);
  await page.waitForSelector(`.product-detail[data-item-id="${product.id}"]`, WAIT);
  const title = (await page.textContent('.product-detail .page-title')).trim();
  const slot = '#more-shelves .shelf-slot[data-shelf-kind="visually-similar"]';
  await page.waitForSelector(`${slot} .shelfwise-card`, WAIT);
  const cards = await page.$$eval(`${slot} .shelfwise-card`, (nodes) => nodes.map((card) => ({
    id: card.dataset.itemId,
    category: card.dataset.category,
    reason: card.querySelector('.shelfwise-card-reason')?.textContent.trim() ?? '',
  })));
  assert.equal(cards.length, 6, 'k = 6 look-alikes');
  const heading = await page.textContent(`${slot} .shelfwise-shelf-title`);
  assert.match(heading, new RegExp(`Looks like ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  for (const card of cards) {
    assert.notEqual(card.id, product.id, 'the product on the page is not on its shelf');
    assert.equal(card.reason, `Looks like ${title}`, card.id);
    // The demo's synthetic look is mostly its category's picture (synth::image_vectors).
    assert.equal(card.category, product.category, `${card.id} looks like a ${product.category} product`);
  }
  // No item on two shelves of the page (one page() call).
  const similar = await page.$$eval('#more-shelves .shelf-slot[data-shelf-kind="similar"] .shelfwise-card', (n) => n.map((c) => c.dataset.itemId));
  assert.ok(cards.every((card) => !similar.includes(card.id)), 'similar and visually-similar do not repeat items');
  assert.deepEqual(log.problems, [], 'no console errors or warnings');
  assert.deepEqual(log.pageErrors, [], 'no page errors');
  await page.close();
});
