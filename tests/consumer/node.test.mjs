// The package under Node (server-side rendering, tests): every entry imports without a DOM, and
// init() rejects with a ShelfwiseError of kind "unsupported_environment" instead of a
// ReferenceError.
//   node --test tests/consumer/node.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShelfwiseError, init, priceFormatter } from '../../www/shelfwise/index.js';

test('init() under Node rejects with a named ShelfwiseError', async () => {
  await assert.rejects(init({ pack: '/shop.pack' }), (error) => {
    assert.ok(error instanceof ShelfwiseError, String(error));
    assert.equal(error.kind, 'unsupported_environment');
    assert.match(error.message, /needs a browser/);
    return true;
  });
});

test('priceFormatter formats with Intl and names a bad currency', () => {
  assert.equal(priceFormatter({ currency: 'EUR', locale: 'en-US' })(73.4), '€73.40');
  assert.equal(priceFormatter({ locale: 'en-US' })(1234.5), '1,234.50');
  assert.equal(priceFormatter({ currency: 'EUR', locale: 'de-DE' })(73.4), '73,40\u00a0€');
  assert.equal(priceFormatter()(Number.NaN), '');
  assert.throws(() => priceFormatter({ currency: 'EURO' }), (error) => error instanceof ShelfwiseError && error.kind === 'invalid_argument' && /EURO/.test(error.message));
});
