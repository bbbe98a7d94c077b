// Soak fixture (tests/e2e/soak.test.mjs): one page, the real shell inline ({ worker: false }),
// records N events and asks for a shelf every `shelfEvery` events, then reports what happened
// and how much memory the wasm core and the JS heap use after a warm-up and at the end.
//
// Wasm memory without touching the shell: the inline engine imports the wasm-bindgen glue
// `/shelfwise/wasm/shelfwise.js` (engine.js imports it statically; only copies made after a
// trap have a query string).
// Importing the same URL here yields the same module record, and its default init returns the
// already initialized exports (`wasm.memory`) without instantiating anything new. The test
// checks that the core (shelfwise_bg.wasm or shelfwise_relaxed_bg.wasm) was fetched exactly once, i.e. that this is the same instance.
import { init } from '/shelfwise/index.js';

const TYPES_ALL = ['view', 'view', 'view', 'view', 'click', 'click', 'add_to_cart', 'remove_from_cart', 'purchase'];

/** mulberry32: a small seeded PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function settle() {
  // Let pending microtasks/tasks finish before collecting.
  await new Promise((done) => setTimeout(done, 0));
}

async function measure(memory) {
  for (let i = 0; i < 3; i += 1) {
    globalThis.gc?.();
    await settle();
  }
  return {
    wasmBytes: memory.buffer.byteLength,
    jsHeapUsed: performance.memory?.usedJSHeapSize ?? null,
    jsHeapTotal: performance.memory?.totalJSHeapSize ?? null,
  };
}

const ids = (shelf) => shelf.items.map((item) => item.id);

/**
 * options: { events, shelfEvery, k, warmupFraction, seed, stepMs, tail }
 * Returns the figures and what the test asserts on.
 */
async function run(options) {
  const {
    events: total = 100_000,
    shelfEvery = 10,
    k = 20,
    warmupFraction = 0.1,
    seed = 20261123,
    stepMs = 600_000, // 10 minutes between events: the 10,000 kept span ~70 days (half-life 7 days)
    tail = 300, // the last `tail` events browse one category (the "final burst")
  } = options ?? {};
  const started = performance.now();
  const shelfwise = await init({ pack: '/demo/data/shop.pack', worker: false });
  const glue = await import('/shelfwise/wasm/shelfwise.js');
  const wasm = await glue.default(); // already initialized by the shell: returns its exports
  const { memory } = wasm;
  const eventCount = () => shelfwise.transport.call('eventCount'); // internal, inline transport

  // Catalog and in-stock set (an empty profile's shelf with k = 1000 lists every in-stock item).
  const catalog = await shelfwise.items(0, 1000);
  const byId = new Map(catalog.map((card) => [card.id, card]));
  const now0 = Date.now();
  const inStock = ids(await shelfwise.shelf('for-you', { k: 1000, now: now0 }));

  // Two reserved in-stock items that the random stream never touches:
  //   A: put in the cart by the very first event (evicted long before the end),
  //   B: put in the cart near the very end and viewed by the last event.
  // B's category is the category of the final burst.
  const reservedA = inStock[inStock.length - 1];
  const reservedB = inStock[inStock.length - 2];
  const burstCategory = byId.get(reservedB).category;
  const pool = catalog.map((card) => card.id).filter((id) => id !== reservedA && id !== reservedB);
  // Cart/purchase events only touch a small subset so that at least k items stay eligible.
  const cartPool = pool.slice(0, 60);
  const burstPool = pool.filter((id) => byId.get(id).category === burstCategory);

  const random = prng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const baseTs = now0 - (total + 10) * stepMs;
  const stream = (i) => {
    const ts = baseTs + i * stepMs;
    if (i === 0) return { type: 'add_to_cart', item: reservedA, ts };
    if (i === total - 2) return { type: 'add_to_cart', item: reservedB, ts };
    if (i === total - 1) return { type: 'view', item: reservedB, ts };
    if (i >= total - tail) return { type: random() < 0.7 ? 'view' : 'click', item: pick(burstPool), ts };
    const type = pick(TYPES_ALL);
    const item = type === 'view' || type === 'click' ? pick(pool) : pick(cartPool);
    return { type, item, ts };
  };

  const result = {
    totalEvents: total,
    tracked: 0,
    rejected: 0,
    rejections: [],
    shelves: 0,
    shelfRejected: 0,
    badShelves: [],
    personalizedShelves: 0,
    inStockCount: inStock.length,
    reservedA,
    reservedB,
    burstCategory,
  };

  // Sanity: the cart exclusion works at all (A excluded right after the first event).
  const first = stream(0);
  await shelfwise.track(first);
  result.tracked += 1;
  result.aExcludedAtStart = !ids(await shelfwise.shelf('for-you', { k: 1000, now: first.ts })).includes(reservedA);

  const warmupAt = Math.floor(total * warmupFraction);
  let beforeLast = null;
  for (let i = 1; i < total; i += 1) {
    const event = stream(i);
    if (i === total - 1) beforeLast = await shelfwise.profile();
    try {
      await shelfwise.track(event);
      result.tracked += 1;
    } catch (error) {
      result.rejected += 1;
      if (result.rejections.length < 10) result.rejections.push(`${i}: ${error.kind}: ${error.message}`);
    }
    if ((i + 1) % shelfEvery === 0) {
      try {
        const shelf = await shelfwise.shelf('for-you', { k, now: event.ts });
        result.shelves += 1;
        if (shelf.personalized) result.personalizedShelves += 1;
        if (shelf.items.length !== k && result.badShelves.length < 10) {
          result.badShelves.push(`after event ${i}: ${shelf.items.length} items`);
        }
      } catch (error) {
        result.shelfRejected += 1;
        if (result.rejections.length < 10) result.rejections.push(`shelf @${i}: ${error.kind}: ${error.message}`);
      }
    }
    if (i + 1 === warmupAt) {
      result.warmup = { ...(await measure(memory)), events: i + 1, shelves: result.shelves, ms: performance.now() - started };
    }
  }
  const lastTs = baseTs + (total - 1) * stepMs;
  result.end = { ...(await measure(memory)), events: total, shelves: result.shelves, ms: performance.now() - started };
  result.eventCount = await eventCount();
  result.profileBeforeLast = beforeLast;
  result.profileAfterLast = await shelfwise.profile();
  const all = ids(await shelfwise.shelf('for-you', { k: 1000, now: lastTs }));
  result.aOnShelfAtEnd = all.includes(reservedA);
  result.bOnShelfAtEnd = all.includes(reservedB);
  result.finalShelf = (await shelfwise.shelf('for-you', { k, now: lastTs })).items.map((item) => ({ id: item.id, category: item.category, reason: item.reason }));
  result.wallMs = performance.now() - started;
  shelfwise.close();
  return result;
}

globalThis.soak = { run };
document.getElementById('status').textContent = 'ready';
document.documentElement.dataset.ready = 'true';
