// The sharded layout on the engine's side (docs/PACK_FORMAT.md, "Sharded layout"): init({ pack })
// given a bootstrap.shard URL instead of a .pack loads only the bootstrap, then fetches the
// chunks each call needs next to it, by their content-hashed names:
//   - the partition of every item the shopper tracks (found through its directory chunk);
//   - the `nprobe` partitions nearest the shopper's profile (and the nprobe / 4 nearest the
//     session's), before a shelf (computed again when the events or the minute change);
//   - the partitions holding the most neighbours and bought-together items of the shopper's
//     latest items (at least 2 of them each, at most `nprobe` partitions), which the for-you
//     blend takes candidates from; asked once per list of latest items;
//   - the partition of the shelf's context item (similar, bought together …).
// Chunks are kept in the Cache API (CHUNK_CACHE; their names never change meaning, so a cached
// copy is good for ever) and checked by the core (manifest length and hash, header, CRC-32)
// before use. After a shelf, the next PREFETCH_NEXT partitions in line for the profile are
// prefetched when the worker is idle, while the page's byte budget lasts (init({ prefetchBytes }),
// default PREFETCH_BYTES in loader.js).
//
// A missing, late (LATE_MS) or corrupt chunk never breaks the page: the call goes on with what
// is loaded (at worst the bootstrap's popular and trending items), one console.warn says so for
// the first such chunk, and a late chunk joins the working set when it arrives. The working set
// is assembled by the core into an ordinary pack that a Recommender opens inside wasm memory
// (WorkingSet.openRecommender: the pack's bytes never cross into JS), so ranking is the same
// Engine::shelf as for a single file.

import { PREFETCH_BYTES, span } from './loader.js';

/** Name of the Cache API cache holding sharded-pack chunks, by URL. */
export const CHUNK_CACHE = 'shelfwise-chunks-v1';
/** Partitions probed around the profile before a shelf (measured: docs/PERFORMANCE.md). */
export const NPROBE = 8;
/** How long a call waits for its chunks before it goes on with what is loaded. */
export const LATE_MS = 1500;
/** Partitions next in line for the profile (after the probed ones) that an idle prefetch may load. */
const PREFETCH_NEXT = NPROBE / 2;
/** A chunk that failed is not asked for again for this long. */
const RETRY_MS = 60_000;

const BOOTSTRAP_MAGIC = 'SHLFBOOT';
const now = () => globalThis.performance?.now() ?? Date.now();

/** True if `bytes` start like a sharded pack's bootstrap file. */
export function isBootstrap(bytes) {
  const head = new Uint8Array(bytes, 0, Math.min(8, bytes.byteLength));
  return String.fromCharCode(...head) === BOOTSTRAP_MAGIC;
}

async function chunkCache() {
  try {
    return typeof caches === 'undefined' ? null : await caches.open(CHUNK_CACHE);
  } catch {
    return null;
  }
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/**
 * The bootstrap and the chunks loaded so far. `glue` is the wasm-bindgen glue of the instance
 * the working set lives in; after a trap the engine calls rebind(freshGlue).
 */
export class ShardedPack {
  constructor({ glue, bootstrap, baseUrl, nprobe = NPROBE, lateMs = LATE_MS, prefetchBytes = PREFETCH_BYTES }) {
    this.bootstrap = new Uint8Array(bootstrap);
    this.prefetchLeft = prefetchBytes; // what prefetch() may still fetch
    this.baseUrl = baseUrl;
    this.nprobe = nprobe;
    this.lateMs = lateMs;
    this.loaded = new Map(); // chunk index -> bytes (to rebuild the set in a fresh instance)
    this.loading = new Map(); // chunk index -> Promise<boolean>
    this.failedAt = new Map(); // chunk index -> time of the last failure
    this.warned = false;
    this.neighboursOf = null; // the recent items whose neighbour chunks were last asked for
    this.probed = null; // what wantedFor() computed last, and for which recommender, events and time
    this.lastProbe = []; // file names of the partitions probed for the last shelf (nearest first)
    this.dirty = false; // chunks were added since the last openRecommender()
    this.stats = { fetchedBytes: 0, cachedBytes: 0, chunksFetched: 0, chunksFromCache: 0, failures: 0 };
    // Why each chunk was first asked for ('item', 'directory', 'nearest', 'neighbour',
    // 'neighbour-directory', 'prefetch'): chunks and bytes per reason, and the reason of each
    // file (bench/sharded.mjs splits the visit's bytes by it).
    this.reasons = {};
    this.fileReasons = {};
    this.rebind(glue);
  }

  /** Re-creates the working set in `glue`'s instance (after a trap), with every loaded chunk. */
  rebind(glue) {
    this.set = new glue.WorkingSet(this.bootstrap);
    for (const [index, bytes] of this.loaded) this.set.addChunk(index, bytes);
  }

  /** A Recommender (of the working set's instance) over the assembled working pack. */
  openRecommender() {
    this.dirty = false;
    const start = now();
    const recommender = this.set.openRecommender();
    span('working pack opened', start);
    return recommender;
  }

  info() {
    return {
      layout: 'sharded', chunkCount: this.set.chunkCount(), chunksLoaded: this.set.loadedChunks(), nprobe: this.nprobe,
      ...this.stats, prefetchLeft: this.prefetchLeft, reasons: this.reasons, fileReasons: this.fileReasons,
      lastProbe: this.lastProbe,
    };
  }

  warnOnce(index, error) {
    this.stats.failures += 1;
    if (this.warned) return;
    this.warned = true;
    console.warn(`Shelfwise: chunk ${index} of the sharded pack could not be used (${error.kind ?? 'fetch_failed'}: ${error.message}); `
      + 'shelves use what is already loaded. Later chunk failures are not logged.');
  }

  /**
   * Fetches (or takes from the Cache API), checks and adds chunk `index`; false on failure.
   * `reason`: why it is wanted (counted in info().sharded.reasons).
   */
  load(index, reason) {
    if (this.set.hasChunk(index)) return Promise.resolve(true);
    const failed = this.failedAt.get(index);
    if (failed !== undefined && Date.now() - failed < RETRY_MS) return Promise.resolve(false);
    let pending = this.loading.get(index);
    if (!pending) {
      pending = this.fetchAndAdd(index, reason).finally(() => this.loading.delete(index));
      this.loading.set(index, pending);
    }
    return pending;
  }

  async fetchAndAdd(index, reason) {
    const name = this.set.chunkFile(index);
    if (name === undefined) return false;
    this.fileReasons[name] = reason;
    const url = new URL(name, this.baseUrl).href;
    const start = now();
    try {
      const cache = await chunkCache();
      let bytes;
      const cached = await cache?.match(url).catch(() => undefined);
      if (cached) {
        bytes = new Uint8Array(await cached.arrayBuffer());
        this.stats.cachedBytes += bytes.byteLength;
        this.stats.chunksFromCache += 1;
      } else {
        const response = await fetch(url);
        if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status} for ${url}`), { kind: 'fetch_failed' });
        bytes = new Uint8Array(await response.arrayBuffer());
        this.stats.fetchedBytes += bytes.byteLength;
        this.stats.chunksFetched += 1;
      }
      const counted = (this.reasons[reason] ??= { chunks: 0, bytes: 0 });
      counted.chunks += 1;
      counted.bytes += bytes.byteLength;
      span(`chunk ${index} ${cached ? 'cached' : 'fetched'}`, start);
      const added = now();
      this.set.addChunk(index, bytes); // throws a named ShelfwiseError for a bad chunk
      span(`chunk ${index} checked`, added);
      this.loaded.set(index, bytes);
      this.dirty = true;
      if (!cached) cache?.put(url, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } })).catch(() => {});
      return true;
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) throw error;
      this.failedAt.set(index, Date.now());
      this.warnOnce(index, error);
      return false;
    }
  }

  /** Waits for `loads` at most lateMs; late ones keep loading and count from a later call. */
  async within(loads) {
    if (loads.length === 0) return;
    await Promise.race([Promise.all(loads), sleep(this.lateMs)]);
  }

  /** The partition chunk of each id (through its directory chunk), in parallel. */
  itemLoads(ids) {
    return ids.filter((id) => typeof id === 'string').map(async (id) => {
      let where = this.set.locate(id);
      if (where.directory !== undefined) {
        if (!(await this.load(where.directory, 'directory'))) return false;
        where = this.set.locate(id);
      }
      return where.partition === undefined ? false : this.load(where.partition, 'item');
    });
  }

  /** Loads the partitions of `ids` (the items of events), waiting at most lateMs. */
  async ensureItems(ids) {
    const start = now();
    await this.within(this.itemLoads(ids));
    span('tracked items\' chunks', start);
  }

  /**
   * The partitions of the neighbours of `recent` (item ids), through their directory chunks;
   * asked once per list of recent items (nothing new to find until the shopper moves on).
   */
  async neighbourLoads(recent) {
    const key = recent.join('\n');
    if (key === this.neighboursOf) return [];
    this.neighboursOf = key;
    let wants = this.set.neighbourChunks(recent, this.nprobe);
    if (wants.directories.length > 0) {
      await this.within(wants.directories.map((d) => this.load(d, 'neighbour-directory')));
      wants = this.set.neighbourChunks(recent, this.nprobe);
    }
    return wants.partitions.map((p) => this.load(p, 'neighbour'));
  }

  /**
   * Loads what shelves for `requests` need: the context items' partitions, the partitions of
   * the neighbours of `recent` (the shopper's latest items) and those nearest the profile of
   * `recommender` as of nowMs. Then prefetches the next nearest ones when idle.
   */
  async prepare(recommender, requests, nowMs, recent = []) {
    const ids = requests.flatMap((r) => [r?.item, ...(Array.isArray(r?.cart) ? r.cart : [])]);
    const start = now();
    const wanted = this.wantedFor(recommender, nowMs);
    // All at once: the profile's partitions do not depend on the others.
    const nearest = wanted.probe.filter((p) => !this.set.hasChunk(p)).map((p) => this.load(p, 'nearest'));
    const loads = [...nearest, ...this.itemLoads(ids), ...(await this.neighbourLoads(recent.filter((id) => typeof id === 'string')))];
    if (loads.length > 0) {
      await this.within(loads);
      span('chunks for a shelf', start);
    }
    this.prefetch(wanted.next);
  }

  /**
   * The partitions `recommender`'s profile probes and those next in line ({ probe, next }),
   * computed again only when its events, the recommender (chunks joined) or the minute change.
   */
  wantedFor(recommender, nowMs) {
    const events = recommender.eventCount();
    const last = this.probed;
    if (last?.recommender === recommender && last.events === events && Math.abs(last.nowMs - nowMs) < 60_000) return last.wanted;
    let wanted;
    try {
      wanted = this.set.partitionsFor(recommender, nowMs, this.nprobe, PREFETCH_NEXT);
    } catch {
      return { probe: [], next: [] }; // a bad nowMs: the shelf call itself reports it
    }
    this.probed = { recommender, events, nowMs, wanted };
    this.lastProbe = wanted.probe.map((p) => this.set.chunkFile(p));
    return wanted;
  }

  /**
   * Loads `partitions` (nearest first) one after the other when the worker is idle, while the
   * page's prefetch budget (init({ prefetchBytes })) lasts: a chunk is prefetched only if its
   * manifest size still fits, and the first that does not fit ends the prefetch for good.
   */
  prefetch(partitions) {
    const rest = partitions.filter((p) => !this.set.hasChunk(p) && !this.loading.has(p));
    if (rest.length === 0 || this.prefetchLeft <= 0) return;
    setTimeout(async () => {
      for (const p of rest) {
        if (this.set.hasChunk(p) || this.loading.has(p)) continue;
        const size = this.set.chunkBytes(p) ?? Infinity;
        if (size > this.prefetchLeft) {
          this.prefetchLeft = 0;
          return;
        }
        this.prefetchLeft -= size;
        await this.load(p, 'prefetch');
      }
    }, 0);
  }
}
