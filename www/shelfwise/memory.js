// What the engine remembers about the shopper, under the shopper's consent mode.
//
//   "context-only"  nothing is stored: the engine keeps this page's events in memory only, and
//                   they are gone with the page.
//   "on-device"     every accepted event is also written to the IndexedDB event store
//                   (storage.js) before track() resolves, and the events stored by earlier visits
//                   are replayed into the engine when it opens.
//
// Tabs. Every engine of the origin joins the BroadcastChannel CHANNEL_NAME. In "on-device" mode
// a stored event is announced there, and the other tabs' engines replay it (by id, so never
// twice); clearEvents()/forget() and consent switches are announced too, so every open tab
// follows them and no tab writes into a store another tab just erased.
//
// Failures never reach the host page. If IndexedDB cannot be used (missing, refuses to open,
// quota exhausted, a write fails), the engine keeps working from memory for the rest of the
// page's life and logs one console.warn saying so; a store with another schema or format, or
// with records that are not events, is reset (or cleaned) with one console.warn.

import { MAX_EVENTS, MAX_QUERY_CHARS, MAX_SEARCHES } from './contract.js';
import {
  DB_NAME, DEFAULT_MAX_EVENTS, DEFAULT_RETENTION_DAYS, EventStore, byTime, eraseDatabases, withEventsLock,
} from './storage.js';

/** The consent modes. */
export const CONSENT_MODES = ['context-only', 'on-device'];
/** The default consent mode when init() is given none: store nothing. */
export const DEFAULT_CONSENT = 'context-only';
/** BroadcastChannel joined by every Shelfwise engine of the origin. */
export const CHANNEL_NAME = 'shelfwise-v1';
/** `format` and `version` of exportData()'s result. */
export const EXPORT_FORMAT = 'shelfwise-export';
export const EXPORT_VERSION = 1;


/**
 * The page's clock, read from this realm's: `calledAt` is the page's Date.now() when it made
 * the call (a worker's clock may differ from a page's whose clock a test fakes); erase times
 * are compared with track() call times, which are the page's.
 */
function pageClock(calledAt) {
  const offset = calledAt - Date.now();
  return () => Date.now() + offset;
}

/** How many of its latest stored records a tab remembers, to erase late writes (receive()). */
const MAX_WRITTEN = 1000;

/** Search text as the core keeps it: trimmed, cut to MAX_QUERY_CHARS characters, trimmed. */
export function keptQuery(query) {
  let out = '';
  let chars = 0;
  for (const ch of query.trim()) {
    if (chars === MAX_QUERY_CHARS) break;
    out += ch;
    chars += 1;
  }
  return out.trimEnd();
}

/**
 * The records the core keeps of `records`, oldest first: the newest MAX_EVENTS events on items
 * and the newest MAX_SEARCHES searches with text (a search without text keeps nothing).
 */
export function keptRecords(records) {
  const sorted = [...records].sort(byTime);
  const kept = [];
  let events = 0;
  let searches = 0;
  for (let i = sorted.length - 1; i >= 0; i -= 1) {
    const record = sorted[i];
    if (record.type === 'search') {
      if (!record.query || searches === MAX_SEARCHES) continue;
      searches += 1;
    } else {
      if (events === MAX_EVENTS) continue;
      events += 1;
    }
    kept.push(record);
  }
  return kept.reverse();
}

/** The event fields exported and passed to the core (the record's `id` is kept apart). */
export function eventOf(record) {
  const event = { type: record.type, ts: record.ts };
  if (record.item !== undefined) event.item = record.item;
  if (record.qty !== undefined) event.qty = record.qty;
  if (record.query !== undefined) event.query = record.query;
  return event;
}

/** A stored record: the event plus its id, without undefined fields. */
export function recordOf(id, event) {
  return { id, ...eventOf(event) };
}

export class ShopperMemory {
  /**
   * @param {{ consent: string, retentionDays: number, maxEvents: number, packCache: string }} settings
   *   validated; packCache: the Cache API cache forget() deletes
   * @param {{ apply(records: object[]): void, keepLocalOnly(): void, clear(): void, localRecords(): object[], records(): object[] }} engine
   *   apply: replay records not seen yet; keepLocalOnly: drop every event this page did not
   *   track itself; clear: drop every event; localRecords/records: the page's own / all events.
   */
  constructor(settings, engine) {
    this.mode = settings.consent;
    this.policy = { retentionDays: settings.retentionDays, maxEvents: settings.maxEvents };
    this.packCache = settings.packCache;
    this.engine = engine;
    this.store = null;
    this.erasedAt = -Infinity; // the latest forget()/clearEvents() of any tab this one saw
    this.written = []; // { id, trackedAt } of this tab's latest stored records (MAX_WRITTEN)
    this.opening = null;
    this.storage = 'memory'; // 'indexeddb' once the store is open
    this.unusable = false; // IndexedDB failed: memory only for the rest of this engine's life
    this.warned = false;
    this.writes = 0;
    this.compactEvery = Math.max(1, Math.min(100, Math.floor(this.policy.maxEvents / 10)));
    this.channel = null;
    if (typeof BroadcastChannel === 'function') {
      this.channel = new BroadcastChannel(CHANNEL_NAME);
      this.channel.onmessage = ({ data }) => this.receive(data);
    }
  }

  /** Opens the store in "on-device" mode; resolves to the stored records to replay. */
  async start() {
    return this.mode === 'on-device' ? this.openStore() : [];
  }

  warn(message) {
    if (this.warned) return;
    this.warned = true;
    console.warn(`Shelfwise: ${message}`);
  }

  /** Falls back to memory only, with the one warning. */
  degrade(problem) {
    this.store?.close();
    this.store = null;
    this.storage = 'memory';
    this.unusable = true;
    const what = problem.reason === 'quota'
      ? 'the browser\'s storage quota for this site is exhausted'
      : problem.reason === 'unavailable' ? 'IndexedDB is not available here' : 'the on-device store failed';
    this.warn(`${what} (${problem.message}); from now on the shopper's events are kept in memory for this page only, and are not stored.`);
  }

  /** Opens the store (once, however many callers wait); resolves to the stored records. */
  openStore() {
    if (this.unusable) return Promise.resolve([]);
    this.opening ??= this.openStoreOnce().finally(() => { this.opening = null; });
    return this.opening;
  }

  async openStoreOnce() {
    let store = null;
    try {
      let reset;
      ({ store, reset } = await EventStore.open(this.policy));
      if (reset) {
        this.warn(`the on-device store (IndexedDB database "${DB_NAME}") could not be read (${reset.message}); it was erased and created afresh, so earlier events are gone.`);
      }
      const { events, invalid } = await store.load();
      if (invalid > 0) {
        this.warn(`${invalid} unreadable record${invalid === 1 ? ' was' : 's were'} found in the on-device store (IndexedDB database "${DB_NAME}") and deleted; the other events were kept.`);
      }
      if (this.mode !== 'on-device') { // consent withdrawn while opening
        store.close();
        return [];
      }
      this.store = store;
      this.storage = 'indexeddb';
      return events;
    } catch (problem) {
      store?.close();
      this.degrade(problem);
      return [];
    }
  }

  broadcast(message) {
    try {
      this.channel?.postMessage(message);
    } catch {
      // a closed channel: nobody to tell
    }
  }

  /**
   * Stores an accepted record (on-device mode); resolves once it is durable or was not stored.
   * The write holds the events lock (shared), so a forget() or clearEvents() in any tab waits
   * for it and then erases it; `trackedAt` tells the other tabs when it was tracked, and they
   * ignore it if they erased after that (see receive()).
   */
  async persist(record, trackedAt = Date.now()) {
    if (this.mode !== 'on-device' || this.unusable) return;
    await withEventsLock(true, () => this.storeRecord(record, trackedAt));
  }

  /** persist() under the events lock. */
  async storeRecord(record, trackedAt) {
    if (trackedAt < this.erasedAt) return; // this tab erased everything since it was tracked
    if (this.mode !== 'on-device' || this.unusable) return;
    if (!this.store) {
      this.engine.apply(await this.openStore()); // reopened after forget()
      if (!this.store) return;
    }
    const store = this.store;
    try {
      await store.add(record);
    } catch (problem) {
      if (store !== this.store) return; // the store was closed on purpose (forget, consent)
      this.degrade(problem);
      return;
    }
    this.broadcast({ type: 'event', record, trackedAt });
    this.written.push({ id: record.id, trackedAt });
    if (this.written.length > 2 * MAX_WRITTEN) this.written.splice(0, this.written.length - MAX_WRITTEN);
    this.writes += 1;
    if (this.writes % this.compactEvery === 0) store.compact().catch(() => {});
  }

  /** Messages from the engines of other tabs. */
  async receive(message) {
    try {
      if (message?.type === 'event' && this.mode === 'on-device') {
        // An event tracked before an erase this tab saw stays erased.
        if (!(message.trackedAt >= this.erasedAt)) return;
        this.engine.apply([message.record]);
      } else if (message?.type === 'clear') {
        const at = Number(message.at) || Date.now();
        this.erasedAt = Math.max(this.erasedAt, at);
        this.engine.clear();
        // Records this tab stored after that erase although they were tracked before it (the
        // erase's message came late) are deleted too.
        const late = this.written.filter((w) => w.trackedAt < at).map((w) => w.id);
        this.written = this.written.filter((w) => w.trackedAt >= at);
        if (late.length > 0) await this.store?.remove(late);
      } else if (message?.type === 'consent' && CONSENT_MODES.includes(message.mode)) {
        await this.switchTo(message.mode, false);
      }
    } catch {
      // a message from another tab never breaks this one
    }
  }

  /** Switches consent mode (see index.d.ts: setConsent). `announce`: tell the other tabs. */
  async switchTo(mode, announce = true) {
    if (mode === this.mode) return;
    this.mode = mode;
    if (announce) this.broadcast({ type: 'consent', mode });
    if (mode === 'context-only') {
      this.store?.close();
      this.store = null;
      this.storage = 'memory';
      this.engine.keepLocalOnly();
      if (announce) await this.erase();
      return;
    }
    const stored = await this.openStore();
    const store = this.store;
    if (store) {
      await Promise.all(this.engine.localRecords().map((record) => store.add(record))).catch((problem) => this.degrade(problem));
    }
    this.engine.apply(stored);
  }

  async erase() {
    try {
      await eraseDatabases();
    } catch (error) {
      this.warn(`could not delete the on-device store (IndexedDB database "${DB_NAME}"): ${error?.message ?? error}`);
    }
  }

  /**
   * Drops this tab's events and tells every other tab to (`at`: events tracked until now are
   * erased). Called under the exclusive events lock, so no tab is storing one meanwhile.
   */
  eraseEverywhere(clock) {
    const at = clock();
    this.erasedAt = Math.max(this.erasedAt, at);
    this.engine.clear();
    this.broadcast({ type: 'clear', at });
  }

  /** Every engine of the origin drops its events; the stored events are deleted. */
  async clearEvents(calledAt = Date.now()) {
    const clock = pageClock(calledAt);
    await withEventsLock(false, async () => {
      this.eraseEverywhere(clock);
      try {
        await this.store?.clear();
      } catch (problem) {
        this.degrade(problem);
      }
      this.eraseEverywhere(clock); // again: what the tabs accepted meanwhile was tracked before now
    });
  }

  /**
   * clearEvents(), then delete the databases and the pack cache; the mode stays. Every tab's
   * writes in flight finish first (events lock), and are erased with the rest.
   */
  async forget(calledAt = Date.now()) {
    const clock = pageClock(calledAt);
    await withEventsLock(false, () => this.forgetLocked(clock));
  }

  async forgetLocked(clock) {
    this.eraseEverywhere(clock);
    this.store?.close();
    this.store = null;
    await this.erase();
    this.eraseEverywhere(clock); // again: what the tabs accepted meanwhile was tracked before now
    try {
      if (typeof caches !== 'undefined') await caches.delete(this.packCache);
    } catch {
      // no Cache API here: nothing was cached
    }
  }

  /** See index.d.ts: exportData. */
  async exportData() {
    let events = null;
    if (this.store) {
      try {
        events = await this.store.readAll();
      } catch (problem) {
        this.degrade(problem);
      }
    }
    events = keptRecords(events ?? this.engine.records());
    return {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: new Date().toISOString(),
      consent: this.mode,
      storage: this.storage,
      settings: { ...this.policy },
      events: events.map((record) => ({ id: record.id, ...eventOf(record) })),
    };
  }

  close() {
    this.store?.close();
    this.store = null;
    this.channel?.close();
    this.channel = null;
  }
}

export { DEFAULT_MAX_EVENTS, DEFAULT_RETENTION_DAYS };
