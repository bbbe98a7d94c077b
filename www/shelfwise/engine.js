// The engine host: loads the wasm core and the pack, and answers calls by name.
// It runs inside the worker (worker.js) or, with { worker: false }, on the page itself;
// either way the shopper's events stay in this JS realm's memory and are never sent anywhere.
//
// Trust boundary. Every call goes through one guard that
//   - turns every failure into a ShelfwiseError (the core's errors are plain Errors named
//     "ShelfwiseError"; they are rebuilt so that `instanceof ShelfwiseError` holds);
//   - catches a WebAssembly trap (`WebAssembly.RuntimeError`: what a Rust panic becomes in a
//     panic=abort release build). The call rejects with kind "internal", the first trap of an
//     engine is reported with one console.error, and the core is re-created in a fresh wasm
//     instance from the same pack bytes, replaying the shopper's accepted events from a JS-side
//     copy (the newest MAX_REPLAY_EVENTS), so the following calls work and stay personalized.
//
// Last good pack. After a pack opens, its bytes are stored with the Cache API in the cache
// PACK_CACHE under the pack URL. If a later load of that URL gets a pack the core refuses
// (corrupt, or a format version this runtime cannot read), the cached copy is opened instead,
// with one console.warn naming the error kind. Without a cached copy the load rejects with
// the core's error. Without the Cache API (e.g. an insecure context) nothing is cached.
// The core checks the pack's magic, format version and CRC-32 checksum when it opens it.
//
// Sharded packs. When the pack URL names a sharded pack's bootstrap (shards.js), the core
// ranks from the working set: the bootstrap plus the chunks loaded so far, assembled into an
// ordinary pack. Before track(), shelf(), page() and item(), the chunks the call needs are
// loaded (at most LATE_MS); when chunks were added, a new Recommender opens the re-assembled
// pack and the accepted events and removed interests are replayed into it (as after a trap).
// An event on an item whose chunk could not be loaded is kept (and stored) and counts once the
// chunk loads. The JS API is the same for both layouts.
//
// The shopper's events. Each accepted event gets a random id (storage.js: newEventId) and is
// kept as a record in `accepted`; under consent "on-device" it is also stored in IndexedDB
// before track() resolves, and the stored events are replayed into the core when the engine
// opens (memory.js). Records from other tabs arrive over a BroadcastChannel and are replayed
// once each (by id).

import { ShelfwiseError, isWasmTrap, toShelfwiseError } from './errors.js';
import { ShopperMemory, eventOf, keptQuery, recordOf } from './memory.js';
import { byTime, newEventId } from './storage.js';
import { openMeasurement } from './measurement-store.js';
import { compileWasm, mark, span } from './loader.js';
import { CHUNK_CACHE, ShardedPack, isBootstrap } from './shards.js';
import { MAX_EVENTS } from './contract.js';
// The glue's first copy is a static import, so that it loads with the engine's other modules
// (in the worker: at start-up, in parallel with the pack's fetch on the page).
import * as firstGlue from './wasm/shelfwise.js';

/** Name of the Cache API cache holding the last good copy of each pack, by pack URL. */
export const PACK_CACHE = 'shelfwise-packs-v1';
/** How many accepted events the JS side keeps to replay after a crash (as the core keeps). */
export const MAX_REPLAY_EVENTS = MAX_EVENTS;

/**
 * Response header of the cached pack copy naming the pack: format version, builder version,
 * checksum (CRC-32 of the whole pack but the checksum field) and byte length.
 */
const CACHED_PACK_HEADER = 'x-shelfwise-pack';

const GLUE_URL = new URL('./wasm/shelfwise.js', import.meta.url).href;
let glueCopies = 0;

/**
 * The wasm-bindgen glue bound to an instance of `module`. `fresh` loads a new copy of the glue
 * (its own instance, memory and tables): after a trap the old instance cannot be trusted.
 */
async function instantiateCore(module, fresh) {
  const glue = fresh ? await import(`${GLUE_URL}?instance=${++glueCopies}`) : firstGlue;
  await glue.default({ module_or_path: module });
  mark('wasm-instantiated');
  return glue;
}

async function packCache() {
  try {
    if (typeof caches === 'undefined') return null;
    return await caches.open(PACK_CACHE);
  } catch {
    return null; // no Cache API here (insecure context, storage disabled …): skip caching
  }
}

/** Keeps `bytes` as the last good copy of packUrl, unless the cached copy is that same pack. */
async function rememberGoodPack(packUrl, bytes, info) {
  try {
    const cache = await packCache();
    if (!cache) return;
    const tag = `v${info.formatVersion} ${info.builderVersion} crc ${info.checksum} ${bytes.byteLength} B`;
    if ((await cache.match(packUrl))?.headers.get(CACHED_PACK_HEADER) === tag) return;
    await cache.put(packUrl, new Response(bytes, {
      headers: { 'content-type': 'application/octet-stream', [CACHED_PACK_HEADER]: tag },
    }));
  } catch {
    // Caching is best effort (quota, non-http URL …): the pack is open either way.
  }
}

async function lastGoodPack(packUrl) {
  try {
    const response = await (await packCache())?.match(packUrl);
    return response ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch {
    return null;
  }
}

/**
 * Opens `pack` (fetched from packUrl: its bytes, or `{ refusal }` when loader.js refused them by
 * their header), falling back to the last good copy if it is refused.
 */
async function openPack(glue, packUrl, pack) {
  let failure;
  try {
    if (pack.refusal) throw new ShelfwiseError(pack.refusal.kind, pack.refusal.message);
    const bytes = new Uint8Array(pack);
    const recommender = new glue.Recommender(bytes);
    mark('pack-opened');
    // Written in the background: the first shelf does not wait for the Cache API (about 100 ms
    // at 100k items, docs/PERFORMANCE.md); forget() and close() wait for it. Skipped when the
    // cached copy is the same pack (CACHED_PACK_HEADER; the usual case after the first visit).
    return { recommender, bytes, remembered: rememberGoodPack(packUrl, bytes, recommender.info()) };
  } catch (error) {
    failure = toShelfwiseError(error);
    if (isWasmTrap(error)) throw failure;
  }
  const cached = await lastGoodPack(packUrl);
  if (!cached) throw failure;
  let recommender;
  try {
    recommender = new glue.Recommender(cached);
  } catch {
    throw failure;
  }
  console.warn(`Shelfwise: the pack ${packUrl} was refused (${failure.kind}: ${failure.message}); `
    + 'using the last good copy of it cached in this browser instead');
  return { recommender, bytes: cached, remembered: Promise.resolve() };
}

/** "Now" for replaying an accepted record: never before its own time (clocks of tabs differ). */
function replayNow(record) {
  return Math.max(Date.now(), record.ts);
}

/** Drops a Recommender of a trapped instance without calling into that instance again. */
function abandon(recommender) {
  try {
    recommender?.__destroy_into_raw?.();
  } catch {
    // nothing to do: the instance is discarded anyway
  }
}

/**
 * Instantiates the compiled core and opens the pack (fetched by index.js: loader.js), then
 * replays the stored events (consent "on-device").
 * Every method of the returned engine returns a promise and rejects with a ShelfwiseError.
 * @param {{ packUrl: string, pack: ArrayBuffer, module: WebAssembly.Module | null, wasm: { variant: string, url: string },
 *   privacy: { consent: string, retentionDays: number, maxEvents: number } }} options
 *   packUrl: absolute, where `pack` came from; module: the compiled core, or null to compile
 *   wasm.url here (the page's CSP did not allow it there); wasm: the core's build (loader.js:
 *   chooseWasm); privacy settings validated by index.js
 */
export async function openEngine({ packUrl, pack, module: compiled, wasm, privacy, measurement: measuring, prefetchBytes }) {
  const module = compiled ?? await compileWasm(wasm.url);
  let glue;
  try {
    glue = await instantiateCore(module, false);
  } catch (error) {
    throw toShelfwiseError(error);
  }
  let shards = null; // shards.js, for a sharded pack
  let opened;
  if (pack instanceof ArrayBuffer && isBootstrap(pack)) {
    try {
      shards = new ShardedPack({ glue, bootstrap: pack, baseUrl: packUrl, prefetchBytes });
      opened = { recommender: shards.openRecommender(), bytes: null, remembered: Promise.resolve() };
      mark('pack-opened');
    } catch (error) {
      throw toShelfwiseError(error);
    }
  } else {
    opened = await openPack(glue, packUrl, pack);
  }
  const packBytes = opened.bytes; // null for a sharded pack (its working set reopens instead)
  let recommender = opened.recommender;
  let currentGlue = glue; // the glue of the instance `recommender` lives in
  let measurement = null; // measurement-store.js, opened below
  const accepted = []; // records the core accepted, in arrival order, for replay after a trap
  const seen = new Set(); // ids of the records in `accepted`
  const removedInterests = []; // removeInterest calls the core accepted, replayed after a trap
  let trapReported = false;
  let recovering = null;
  let broken = null;

  /** Replays the accepted events and removed interests into a fresh Recommender. */
  function replayInto(fresh) {
    for (const { record } of accepted.slice(-MAX_REPLAY_EVENTS)) {
      try {
        fresh.track(eventOf(record), replayNow(record));
      } catch {
        // it was accepted before; a refusal now would only drop that one event (or, in a
        // sharded pack, its item's chunk is not loaded yet)
      }
    }
    for (const interest of removedInterests) {
      try {
        fresh.removeInterest(interest);
      } catch {
        // it was accepted before
      }
    }
  }

  /** Sharded pack: opens the re-assembled working pack when chunks were added. */
  function syncWorkingPack() {
    if (!shards?.dirty) return;
    const fresh = shards.openRecommender();
    const replayed = performance.now();
    replayInto(fresh);
    span('events replayed', replayed);
    const old = recommender;
    recommender = fresh;
    measurement?.applyTo();
    old.free();
  }

  /** The distinct items of the newest accepted events, newest first (at most `count`). */
  function recentItems(count) {
    const items = [];
    for (let i = accepted.length - 1; i >= 0 && items.length < count; i -= 1) {
      const { item } = accepted[i].record;
      if (item && !items.includes(item)) items.push(item);
    }
    return items;
  }

  /** Sharded pack: loads what calls for `requests` need (shards.js), then syncs. */
  async function prepareShelves(requests, nowMs) {
    if (!shards) return;
    await guard('sync', syncWorkingPack);
    try {
      await shards.prepare(recommender, requests, nowMs, recentItems(10));
    } catch (error) {
      if (isWasmTrap(error)) await guard('prepare', () => { throw error; }).catch(() => {});
    }
    await guard('sync', syncWorkingPack);
  }

  async function prepareItems(ids) {
    if (!shards) return;
    await shards.ensureItems(ids);
    await guard('sync', syncWorkingPack);
  }

  /** Sharded pack: whether `id` may be an item whose chunk is not loaded yet. */
  const mayBeLoaded = (id) => shards !== null && typeof id === 'string' && Object.keys(shards.set.locate(id)).length > 0;

  async function restart() {
    try {
      const freshGlue = await instantiateCore(module, true);
      shards?.rebind(freshGlue);
      const fresh = shards ? shards.openRecommender() : new freshGlue.Recommender(packBytes);
      replayInto(fresh);
      abandon(recommender);
      recommender = fresh;
      currentGlue = freshGlue;
      measurement?.applyTo();
    } catch (error) {
      broken = new ShelfwiseError('internal',
        `the Shelfwise core crashed and could not be restarted: ${toShelfwiseError(error).message}`);
    }
  }

  /** The guard every call goes through (see the top of this file). */
  async function guard(name, body) {
    if (recovering) await recovering;
    if (broken) throw broken;
    try {
      return body();
    } catch (error) {
      if (!isWasmTrap(error)) throw toShelfwiseError(error);
      const failure = new ShelfwiseError('internal',
        `the Shelfwise core crashed in ${name} (${error.message || 'wasm trap'}); it was restarted from the same pack`);
      if (!trapReported) {
        trapReported = true;
        console.error(`Shelfwise: ${failure.message} and the shopper's events. Later crashes of this instance are not logged.`);
      }
      recovering = restart().finally(() => { recovering = null; });
      await recovering;
      throw failure;
    }
  }

  /** Keeps a record the core accepted. `local`: tracked on this page (not stored or another tab's). */
  function keep(record, local) {
    // Trimmed in batches (amortized O(1) per event); replay uses the newest MAX_REPLAY_EVENTS.
    if (accepted.length >= MAX_REPLAY_EVENTS + 1024) {
      for (const old of accepted.splice(0, accepted.length - MAX_REPLAY_EVENTS)) seen.delete(old.record.id);
    }
    accepted.push({ record, local });
    seen.add(record.id);
  }

  /** Replays records from the store or another tab into the core, each id once. */
  function replay(records) {
    for (const record of [...records].sort(byTime)) {
      if (seen.has(record.id) || recovering || broken) continue;
      try {
        recommender.track(eventOf(record), replayNow(record));
        keep(record, false);
      } catch {
        // e.g. an item no longer in this pack: that event does not count here; in a sharded
        // pack it is kept when its item's chunk is not loaded yet
        if (mayBeLoaded(record.item)) keep(record, false);
      }
    }
  }

  /**
   * Drops every event and removed interest, or (localOnly) every event this page did not track
   * itself (the page's removed interests stay).
   */
  function rebuild(localOnly) {
    const locals = localOnly ? accepted.filter((entry) => entry.local) : [];
    accepted.length = 0;
    seen.clear();
    if (!localOnly) removedInterests.length = 0;
    try {
      recommender.clearEvents();
      for (const { record } of locals) {
        recommender.track(eventOf(record), replayNow(record));
        keep(record, true);
      }
      for (const interest of removedInterests) recommender.removeInterest(interest);
    } catch {
      // a trap here is handled by the next guarded call
    }
  }

  const memory = new ShopperMemory({ ...privacy, packCache: PACK_CACHE }, {
    apply: replay,
    keepLocalOnly: () => rebuild(true),
    clear: () => rebuild(false),
    localRecords: () => accepted.filter((entry) => entry.local).map((entry) => entry.record),
    records: () => accepted.map((entry) => entry.record).sort(byTime),
  });
  const stored = await memory.start();
  if (shards) {
    // The newest items the shopper touched, so that their profile is there from the start.
    const newest = [...new Set([...stored].sort(byTime).reverse().map((r) => r.item).filter(Boolean))].slice(0, 20);
    await prepareItems(newest);
  }
  replay(stored);
  measurement = await openMeasurement({
    glue: () => currentGlue,
    recommender: () => recommender,
    consent: () => memory.mode,
    settings: measuring ?? { record: false, windowDays: 7, experiment: null, reporting: null },
  });
  mark('engine-ready');

  const engine = {
    info: () => guard('info', () => ({
      ...recommender.info(),
      wasm: { variant: wasm.variant, url: wasm.url },
      ...(shards ? { sharded: shards.info() } : {}),
    })),
    /** Resolves once the event is in the engine and, under consent "on-device", stored durably. */
    /** `calledAt`: when the page called track() (an erase in any tab since then drops it). */
    track: async (event, calledAt = Date.now()) => {
      await prepareItems([event?.item]);
      const record = await guard('track', () => {
        if (calledAt < memory.erasedAt) return null; // forgotten while it was on its way
        const fresh = recordOf(newEventId(), event);
        // Kept and stored as the core uses it: the search text cut (before it is copied into
        // the core), the time no later than the call's (the page's clock, which the core
        // refuses to be more than a day behind the event).
        if (typeof fresh.query === 'string') fresh.query = keptQuery(fresh.query);
        try {
          recommender.track(eventOf(fresh), calledAt);
        } catch (error) {
          // Sharded pack: the item's chunk did not load (shards.js warned); keep the event.
          if (!(mayBeLoaded(fresh.item) && toShelfwiseError(error).kind === 'unknown_item')) throw error;
        }
        fresh.ts = Math.min(fresh.ts, calledAt);
        if (fresh.type === 'search' && !fresh.query) return null; // the core keeps nothing of it
        keep(fresh, true);
        return fresh;
      });
      if (!record) return;
      await memory.persist(record, calledAt);
      await measurement.tracked(record).catch(() => {}); // a purchase's value: measurement only
    },
    recordShelf: (record) => measurement.recordShelf(record),
    measurement: (nowMs) => measurement.summary(nowMs),
    prepareReport: (nowMs) => measurement.prepareReport(nowMs),
    shelf: async (request, nowMs) => {
      await prepareShelves([request], nowMs);
      return guard('shelf', () => recommender.shelf(request, nowMs));
    },
    page: async (requests, nowMs) => {
      await prepareShelves(Array.isArray(requests) ? requests : [], nowMs);
      return guard('page', () => recommender.page(requests, nowMs));
    },
    removeInterest: (interest) => guard('removeInterest', () => {
      recommender.removeInterest(interest);
      removedInterests.push({ ...interest });
    }),
    restoreInterest: (interest) => guard('restoreInterest', () => {
      recommender.restoreInterest(interest);
      const same = (r) => r.category === interest.category && r.brand === interest.brand;
      for (let i = removedInterests.length - 1; i >= 0; i -= 1) if (same(removedInterests[i])) removedInterests.splice(i, 1);
    }),
    item: async (id) => {
      await prepareItems([id]);
      return guard('item', () => recommender.item(id));
    },
    items: (start, count) => guard('items', () => recommender.items(start, count)),
    profile: (nowMs) => guard('profile', () => recommender.profile(nowMs)),
    eventCount: () => guard('eventCount', () => recommender.eventCount()),
    /** `calledAt`: the page's clock at the call (erase times compare with track()'s). */
    clearEvents: async (calledAt = Date.now()) => {
      await guard('clearEvents', () => rebuild(false));
      await memory.clearEvents(calledAt);
      await measurement.clear();
    },
    setConsent: async (mode) => {
      await memory.switchTo(mode);
      await measurement.consentChanged();
    },
    forget: async (calledAt = Date.now()) => {
      await guard('forget', () => rebuild(false));
      await opened.remembered; // so that the pack copy cannot reappear after forget()
      measurement.forget();
      await memory.forget(calledAt);
      // Which chunks were fetched says what the shopper looked at.
      if (typeof caches !== 'undefined') await caches.delete(CHUNK_CACHE).catch(() => {});
    },
    exportData: async (nowMs) => {
      const data = await memory.exportData();
      data.profile = await guard('exportData', () => recommender.profile(nowMs));
      data.measurement = await measurement.exportData(nowMs);
      return data;
    },
    close: async () => {
      await Promise.allSettled([...inflight]); // accepted calls finish with their real outcome
      measurement.close();
      await opened.remembered;
      await memory.close();
    },
  };
  // Every call but close() is counted in flight until it settles, so that close() waits for it.
  const inflight = new Set();
  for (const [name, method] of Object.entries(engine)) {
    if (name === 'close') continue;
    engine[name] = (...args) => {
      const call = (async () => method(...args))();
      inflight.add(call);
      call.then(() => inflight.delete(call), () => inflight.delete(call));
      return call;
    };
  }
  return engine;
}
