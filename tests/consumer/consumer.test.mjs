// The package as a shop's developer gets it: `npm pack` this repository, install the tarball
// into a fresh Vite app in a temporary folder (the app's files are tests/consumer/app/, copied
// there; no template download), type-check the app against the installed declarations,
// `vite build` it, serve dist/ under the strict CSP and open it in headless Chromium. The page
// uses <shelfwise-shelf> from `shelfwise/element`, autotrack markup and shelfStore; the test
// clicks a category, a product link and two add-to-cart buttons, and the shelf must become
// personalized towards that category without the cart items, with a clean console and no
// request leaving the server. A second load overrides the wasm URL with init({ wasm }). A third
// page mounts the React and Vue examples of www/examples/ (built by Vite with
// @vitejs/plugin-vue) and checks that both show what the engine ranks, before and after an event.
// Last, the first hour of issue 19: the three-page shop of tests/e2e/pages/shop/ (home, product,
// cart; only <shelfwise-shelf>, autotrack and shelfwise/style.css; consent on-device), built in
// the same app: the home page's for-you changes after browsing product pages, the cart page's
// bought-together shows items, no item repeats on a page, the stylesheet applies, the console
// stays clean.
//
// Needs the built wasm (scripts/build-wasm.sh), the demo pack (scripts/demo-pack.sh) and the npm
// registry (or npm's cache: installs use --prefer-offline). Vite's major version is pinned.
//   node --test tests/consumer/
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serve } from '../../scripts/serve.mjs';
import { ROOT, WWW, dump, foreignRequests, launchBrowser, watchPage } from '../e2e/helpers.mjs';

const run = promisify(execFile);
const APP = fileURLToPath(new URL('./app/', import.meta.url));
const VITE = 'vite@8';
const FRAMEWORKS = ['react@19', 'react-dom@19', 'vue@3', '@vitejs/plugin-vue@6'];
const EXAMPLES = fileURLToPath(new URL('../../www/examples/', import.meta.url));
const WAIT = { timeout: 15_000 };
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

/** Files a consumer needs; the tarball must hold exactly these (plus package.json, README and the licences). */
const EXPECTED_FILES = [
  'LICENSE-APACHE', 'LICENSE-MIT', 'README.md', 'package.json',
  'www/shelfwise/autotrack.d.ts', 'www/shelfwise/autotrack.js',
  'www/shelfwise/element.d.ts', 'www/shelfwise/element.js',
  'www/shelfwise/engine.js', 'www/shelfwise/errors.js',
  'www/shelfwise/index.d.ts', 'www/shelfwise/index.js', 'www/shelfwise/loader.js',
  'www/shelfwise/measurement-store.js', 'www/shelfwise/measurement.js', 'www/shelfwise/memory.js',
  'www/shelfwise/contract.js', 'www/shelfwise/render.js', 'www/shelfwise/shards.js', 'www/shelfwise/storage.js', 'www/shelfwise/store.js', 'www/shelfwise/style.css',
  'www/shelfwise/worker.js', 'www/shelfwise/react.js', 'www/shelfwise/react.d.ts', 'www/shelfwise/vue.js', 'www/shelfwise/vue.d.ts',
  'www/shelfwise/wasm/shelfwise.js', 'www/shelfwise/wasm/shelfwise_bg.wasm', 'www/shelfwise/wasm/shelfwise_relaxed_bg.wasm',
];

const SHOP = fileURLToPath(new URL('../e2e/pages/shop/', import.meta.url));
const SHOP_PAGES = ['home.html', 'product.html', 'cart.html'];

let work;
let browser;

/**
 * The three-page shop of tests/e2e/shop.test.mjs (home, product, cart: only <shelfwise-shelf>,
 * autotrack and the stylesheet, consent on-device), as a shop's Vite app has it: imports from
 * the installed package instead of the repository's files, in app/shop/ (vite.config.js builds
 * the three pages), with the item images next to them.
 */
async function copyShop(app) {
  const dir = join(app, 'shop');
  await mkdir(dir, { recursive: true });
  for (const name of [...SHOP_PAGES, 'shop.css']) {
    const text = await readFile(join(SHOP, name), 'utf8');
    await writeFile(join(dir, name), text
      .replace('  <link rel="stylesheet" href="/shelfwise/style.css">\n', '')
      .replace('<meta charset="utf-8">', '<meta charset="utf-8">\n  <link rel="icon" href="/favicon.svg" type="image/svg+xml">'));
  }
  const script = (await readFile(join(SHOP, 'shop.js'), 'utf8'))
    .replace("from '/shelfwise/index.js';", "from 'shelfwise';\nimport 'shelfwise/style.css';")
    .replace("from '/shelfwise/element.js';", "from 'shelfwise/element';")
    .replace("'/demo/data/shop.pack'", "'/shop.pack'");
  assert.match(script, /from 'shelfwise';\nimport 'shelfwise\/style.css';/);
  assert.doesNotMatch(script, /\/shelfwise\/|\/demo\//, 'shop.js imports only from the package');
  await writeFile(join(dir, 'shop.js'), script);
  await cp(join(WWW, 'demo/img'), join(app, 'public/shop/img'), { recursive: true });
}

/** Opens one page of the built shop, waits for its shelves; returns { id: item ids }, no repeats. */
async function visitShop(page, url, ids) {
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  const shelves = {};
  for (const id of ids) {
    await page.waitForSelector(`#${id}[data-state="ready"]`, { state: 'attached', ...WAIT });
    shelves[id] = await page.$$eval(`#${id} .shelfwise-card`, (cards) => cards.map((card) => card.dataset.itemId));
    assert.ok(shelves[id].length > 0, `${url} #${id} shows items`);
  }
  const all = Object.values(shelves).flat();
  assert.equal(new Set(all).size, all.length, `${url}: no item on two shelves ${JSON.stringify(shelves)}`);
  return shelves;
}

/** The first hour's proof (issue 19): home → three product pages → cart → home, in the built app. */
async function firstHour(t, origin) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
  const page = await context.newPage();
  const log = watchPage(page);
  const home = await visitShop(page, `${origin}/shop/home.html`, ['for-you', 'trending']);
  assert.equal(await page.$eval('#for-you .shelfwise-shelf-items', (list) => getComputedStyle(list).scrollSnapType), 'x mandatory',
    'shelfwise/style.css applied');
  assert.ok((await page.textContent('#for-you .shelfwise-shelf-title')).length > 0, 'a shelf title');
  const catalog = await page.evaluate(() => window.shop.shelfwise.items(0, 1000));
  const category = (id) => catalog.find((item) => item.id === id).category;
  const shown = (cat) => home['for-you'].filter((id) => category(id) === cat).length;
  const counts = new Map();
  for (const item of catalog) if (item.inStock) counts.set(item.category, (counts.get(item.category) ?? 0) + 1);
  const target = [...counts].filter(([, n]) => n >= 8).map(([c]) => c).sort().sort((a, b) => shown(a) - shown(b))[0];
  const picks = catalog.filter((i) => i.inStock && i.category === target && !home['for-you'].includes(i.id)).slice(0, 3).map((i) => i.id);
  for (const id of picks) {
    await visitShop(page, `${origin}/shop/product.html?id=${encodeURIComponent(id)}`, ['similar', 'because']);
    await page.waitForFunction((i) => window.shop.tracked.some((e) => e.type === 'view' && e.item === i), id, WAIT);
    if (id === picks.at(-1)) await page.click('#add');
    await page.evaluate(() => window.shop.settle());
  }
  const cart = await visitShop(page, `${origin}/shop/cart.html`, ['together', 'more']);
  assert.ok(!cart.together.includes(picks.at(-1)), 'the cart item is not recommended with itself');
  const again = await visitShop(page, `${origin}/shop/home.html`, ['for-you', 'trending']);
  t.diagnostic(`first hour: for-you ${shown(target)} → ${again['for-you'].filter((id) => category(id) === target).length} of 8 ${target}; `
    + `cart page bought-together ${cart.together.join(' ')}`);
  assert.notDeepEqual(again['for-you'], home['for-you'], 'the home page\'s for-you changed after browsing other pages');
  assert.deepEqual(log.problems, [], `a clean console\n${dump(log)}`);
  assert.deepEqual(log.pageErrors, []);
  assert.deepEqual(log.cspViolations, []);
  assert.deepEqual(foreignRequests(log, origin), []);
  await context.close();
}
const timings = [];

async function timed(name, body) {
  const start = performance.now();
  try {
    return await body();
  } finally {
    timings.push(`${name} ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'shelfwise-consumer-'));
});

after(async () => {
  await browser?.close();
  if (work && !process.env.KEEP_CONSUMER_APP) await rm(work, { recursive: true, force: true });
});

test('a fresh Vite app installs the packed tarball, builds, and shows a personalized shelf', async (t) => {
  const started = performance.now();

  // 1. npm pack: exactly the files a consumer needs.
  const [packed] = await timed('npm pack', async () => {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work, '--loglevel=error'], { cwd: ROOT });
    return JSON.parse(stdout.slice(stdout.indexOf('[')));
  });
  const files = packed.files.map((file) => file.path).sort();
  // The docs ship too, so that the README's links work on the registry.
  const docs = (await readdir(join(ROOT, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
  assert.ok(docs.includes('docs/API.md'));
  assert.deepEqual(files, [...EXPECTED_FILES, ...docs].sort(), 'tarball contents');
  const tarball = join(work, packed.filename);
  t.diagnostic(`tarball ${packed.filename}: ${packed.size} bytes, ${packed.unpackedSize} unpacked, ${packed.entryCount} files`);

  // 2. A fresh app: the test's own files, the demo pack in public/, the tarball and Vite.
  const app = join(work, 'app');
  await cp(APP, app, { recursive: true });
  await mkdir(join(app, 'public', 'custom'), { recursive: true });
  await cp(join(WWW, 'demo/data/shop.pack'), join(app, 'public/shop.pack'));
  await cp(join(WWW, 'demo/img'), join(app, 'public/img'), { recursive: true });
  await cp(join(EXAMPLES, 'react/ShelfwiseShelf.jsx'), join(app, 'frameworks/ShelfwiseShelf.jsx'));
  await cp(join(EXAMPLES, 'vue/ShelfwiseShelf.vue'), join(app, 'frameworks/ShelfwiseShelf.vue'));
  await copyShop(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'shelfwise-consumer', private: true, type: 'module' }, null, 2));
  await timed('npm install', () => run('npm', ['install', ...NPM_FLAGS, tarball, VITE, ...FRAMEWORKS], { cwd: app }));
  const installed = JSON.parse(await readFile(join(app, 'node_modules/shelfwise/package.json'), 'utf8'));
  for (const field of ['dependencies', 'optionalDependencies']) {
    assert.equal(installed[field], undefined, `the package has no ${field}`);
  }
  // React and Vue are peers only for shelfwise/react and shelfwise/vue, and optional.
  for (const peer of Object.keys(installed.peerDependencies ?? {})) {
    assert.equal(installed.peerDependenciesMeta?.[peer]?.optional, true, `the peer ${peer} is optional`);
  }
  // The wasm override (second load below) points at a copy outside the bundle.
  await cp(join(app, 'node_modules/shelfwise/www/shelfwise/wasm/shelfwise_bg.wasm'), join(app, 'public/custom/core.wasm'));

  // 3. The declarations resolve through the exports map and type-check the app's usage.
  await timed('tsc', () => run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app }));

  // 4. vite build, without warnings.
  const built = await timed('vite build', () => run(process.execPath, ['node_modules/vite/bin/vite.js', 'build'], { cwd: app }));
  const buildLog = `${built.stdout}\n${built.stderr}`;
  assert.doesNotMatch(buildLog, /\bwarn(ing)?\b|\(!\)|\berror\b/i, `vite build is clean:\n${buildLog}`);
  const viteVersion = JSON.parse(await readFile(join(app, 'node_modules/vite/package.json'), 'utf8')).version;
  t.diagnostic(`vite ${viteVersion}: ${buildLog.split('\n').filter((line) => /dist\//.test(line)).map((l) => l.trim()).join(' | ')}`);

  // 5. dist/ under the strict CSP in headless Chromium.
  const { server, url } = await serve({ root: join(app, 'dist'), port: 0, host: '127.0.0.1', csp: true });
  const origin = new URL(url).origin;
  try {
    browser = await launchBrowser();
    await timed('browser', async () => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const log = watchPage(page);
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]', WAIT);
      await page.waitForSelector('#recs[data-state="ready"]', WAIT);
      const read = () => page.$$eval('#recs .shelfwise-card', (cards) => cards.map((card) => ({
        id: card.dataset.itemId,
        category: card.querySelector('.card-category').textContent,
        title: card.querySelector('.card-title').textContent,
      })));
      const initial = await read();
      assert.equal(initial.length, 8);
      // shelfwise/style.css, imported by main.js, survived the bundler (package.json sideEffects).
      assert.equal(await page.$eval('#recs .shelfwise-shelf-items', (list) => getComputedStyle(list).scrollSnapType), 'x mandatory',
        'the default stylesheet is applied');
      await page.waitForFunction(() => document.querySelectorAll('#headless li').length === 3, null, WAIT);
      assert.deepEqual(await page.$$eval('#headless li', (li) => li.map((x) => x.dataset.itemId)),
        initial.slice(0, 3).map((item) => item.id), 'the headless top three match the element');

      // The category the popular shelf shows least (with enough products), ties by name.
      const counts = await page.evaluate(() => {
        const byCategory = {};
        for (const item of window.app.catalog) if (item.inStock) byCategory[item.category] = (byCategory[item.category] ?? 0) + 1;
        return byCategory;
      });
      const countIn = (shelf, category) => shelf.filter((item) => item.category === category).length;
      const target = Object.keys(counts).filter((c) => counts[c] >= 6).sort()
        .sort((a, b) => countIn(initial, a) - countIn(initial, b))[0];
      await page.click(`#categories button[data-category="${target}"]`);
      await page.waitForSelector('#products article', WAIT);
      const products = await page.$$eval('#products article', (cards) => cards.map((card) => card.dataset.shelfwiseItem));
      const cart = products.slice(1, 3);
      await page.click(`#products article[data-shelfwise-item="${products[0]}"] a`);
      for (const id of cart) await page.click(`#products article[data-shelfwise-item="${id}"] button`);

      // The shelf follows: at least half of it is the target category, none of the cart.
      let final;
      await page.waitForFunction(([cat, ids]) => {
        const cards = [...document.querySelectorAll('#recs .shelfwise-card')];
        const inCart = cards.some((card) => ids.includes(card.dataset.itemId));
        const hits = cards.filter((card) => card.querySelector('.card-category').textContent === cat).length;
        return cards.length === 8 && !inCart && hits >= 4;
      }, [target, cart], WAIT).catch(async (error) => {
        final = await read();
        throw new Error(`the shelf did not follow ${target}: ${JSON.stringify(final)} (${error.message})`);
      });
      final = await read();
      const events = await page.evaluate(() => window.app.shelfwise.profile());
      t.diagnostic(`target ${target}: ${countIn(initial, target)} → ${countIn(final, target)} of 8; ${events.eventCount} events recorded`);
      assert.ok(events.eventCount >= 4, 'views, a click and two add-to-carts were recorded');
      assert.notDeepEqual(final.map((i) => i.id), initial.map((i) => i.id));
      const engine = await page.evaluate(() => window.app.shelfwise.shelf('for-you', { k: 8 }));
      await page.waitForFunction((ids) => JSON.stringify([...document.querySelectorAll('#recs .shelfwise-card')]
        .map((card) => card.dataset.itemId)) === JSON.stringify(ids), engine.items.map((i) => i.id), WAIT);
      for (const item of engine.items) {
        assert.equal(final.find((card) => card.id === item.id)?.title ?? item.title, item.title, 'titles as in the pack');
      }

      assert.deepEqual(log.problems, [], 'no console errors or warnings');
      assert.deepEqual(log.pageErrors, [], 'no page errors');
      assert.deepEqual(log.cspViolations, [], 'no CSP violations');
      assert.deepEqual(log.failedRequests, [], 'no failed requests');
      assert.ok(log.requests.some((u) => /\/assets\/shelfwise_relaxed_bg-[\w-]+\.wasm$/.test(u)), `the bundled relaxed-SIMD wasm was fetched\n${dump(log)}`);
      assert.deepEqual(foreignRequests(log, origin), [], `every request went to ${origin}`);

      // init({ wasm }) overrides where the core comes from.
      const second = await browser.newPage();
      const secondLog = watchPage(second);
      await second.goto(`${url}?wasm=/custom/core.wasm`);
      await second.waitForSelector('#recs[data-state="ready"]', WAIT);
      const wasmRequests = secondLog.requests.filter((u) => new URL(u).pathname.endsWith('.wasm'));
      assert.deepEqual(wasmRequests, [`${origin}/custom/core.wasm`], 'only the overriding wasm URL was fetched');
      assert.deepEqual(secondLog.problems, []);
      await second.close();

      // The React and Vue examples: both show what the engine ranks, and follow an event.
      const third = await browser.newPage();
      const thirdLog = watchPage(third);
      await third.goto(`${url}frameworks.html`);
      const rendered = (root) => third.$$eval(`#${root} li.card`, (cards) => cards.map((card) => card.querySelector('.title').textContent));
      const engineTitles = () => third.evaluate(async () => (await (await window.app.shelfwise).shelf('for-you', { k: 4 })).items.map((item) => item.title));
      const bothShow = async (titles) => {
        await third.waitForFunction((expected) => ['react', 'vue'].every((root) => JSON.stringify(
          [...document.querySelectorAll(`#${root} li.card .title`)].map((node) => node.textContent)) === JSON.stringify(expected)), titles, WAIT);
      };
      await third.waitForFunction(() => window.app, null, WAIT);
      const popular = await engineTitles();
      assert.equal(popular.length, 4);
      await bothShow(popular);
      const pick = await third.evaluate(async (cat) => {
        const shelfwise = await window.app.shelfwise;
        const item = (await shelfwise.items(0, 1000)).find((i) => i.category === cat && i.inStock);
        await shelfwise.track({ type: 'add_to_cart', item: item.id });
        return item.id;
      }, target);
      const personalized = await engineTitles();
      assert.notDeepEqual(personalized, popular, `an add_to_cart of ${pick} changes the shelf`);
      await bothShow(personalized);
      assert.deepEqual(await rendered('react'), personalized);
      assert.deepEqual(await rendered('vue'), personalized);
      assert.deepEqual(thirdLog.problems, [], 'no console errors or warnings in the framework page');
      assert.deepEqual(thirdLog.pageErrors, []);
      assert.deepEqual(thirdLog.cspViolations, [], 'React and Vue builds run under the strict CSP');

      await firstHour(t, origin);
    });
  } finally {
    server.closeAllConnections?.();
    await new Promise((done) => server.close(done));
  }
  const total = (performance.now() - started) / 1000;
  t.diagnostic(`timings: ${timings.join(', ')}; total ${total.toFixed(1)} s`);
  assert.ok((await stat(tarball)).size === packed.size);
});
