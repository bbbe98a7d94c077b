// The on-device event store: one IndexedDB database per origin (the shop), plain IndexedDB.
//
//   database "shelfwise" (version 1)
//     object store "events"  key path "id", index "ts"   one record per shopper event
//     object store "meta"    key path "key"              { key: "format", value: 1 }
//
// An event record is { id, type, ts, item?, qty?, query? }: the fields the shop passed to
// track(), plus `id`, 128 random bits in hex made on the device (it only tells records apart;
// it is never sent anywhere and names nobody). Nothing else is stored: the profile is rebuilt
// from the events each time the engine opens.
//
// Writes. add() queues a record and resolves once the transaction that holds it has committed
// with durability "strict" (flushed to disk, so it survives a reload, a browser crash and a
// restart). Records queued while a transaction is in flight go together into the next one
// (group commit). Records are written with put(): the same id twice is one record, so a
// replayed or re-sent event is never doubled. IndexedDB runs read-write transactions on the
// same store one after another, across tabs too, so concurrent writers never lose a record.
//
// Retention. load() and compact() keep only records that are valid, newer than
// `retentionDays` and among the newest `maxEvents` (by ts, then id); the rest are deleted in
// the same transaction. compact() runs under the Web Lock LOCK_NAME (when Web Locks exist), so
// only one tab compacts at a time.
//
// Problems are thrown as StorageProblem with a `reason`: "unavailable" (no IndexedDB, or it
// refuses to open, e.g. in some private modes), "corrupt" (the database exists with another
// schema, a newer version or another format), "quota" (QuotaExceededError) or "failed".

import { MAX_EVENTS } from './contract.js';

/** Name of the IndexedDB database (one per origin). */
export const DB_NAME = 'shelfwise';
/** Names of the object stores in DB_NAME. */
export const EVENTS_STORE = 'events';
export const META_STORE = 'meta';
/** Version of the record format, kept in the meta store under the key "format". */
export const STORE_FORMAT = 1;
/** Web Lock held while compacting or erasing. */
export const LOCK_NAME = 'shelfwise-store';
/** Retention defaults (init options `retentionDays`, `maxEvents`). */
export const DEFAULT_RETENTION_DAYS = 90;
export const DEFAULT_MAX_EVENTS = MAX_EVENTS;

const DB_VERSION = 1;
const DAY_MS = 86_400_000;
const EVENT_FIELDS = new Set(['id', 'type', 'ts', 'item', 'qty', 'query']);

/** A storage failure with a reason: "unavailable" | "corrupt" | "quota" | "failed". */
export class StorageProblem extends Error {
  constructor(reason, message) {
    super(message);
    this.name = 'StorageProblem';
    this.reason = reason;
  }
}

function describe(error) {
  if (!error) return 'unknown error';
  return error.name && error.message ? `${error.name}: ${error.message}` : String(error.message ?? error);
}

function asProblem(error, fallback = 'failed') {
  if (error instanceof StorageProblem) return error;
  const reason = error?.name === 'QuotaExceededError' ? 'quota' : fallback;
  return new StorageProblem(reason, describe(error));
}

function requestDone(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function transactionDone(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('the transaction was aborted', 'AbortError'));
  });
}

/** Runs `body` under the Web Lock LOCK_NAME when Web Locks exist, else directly. */
export function withLock(body) {
  const locks = globalThis.navigator?.locks;
  if (!locks?.request) return body();
  return locks.request(LOCK_NAME, body);
}

/** Web Lock over the shopper's events: shared while a tab stores one, exclusive to erase them. */
export const EVENTS_LOCK_NAME = 'shelfwise-events';

/**
 * Runs `body` under the Web Lock EVENTS_LOCK_NAME, `shared` (storing an event) or exclusive
 * (forget, clearEvents: they wait for every tab's writes in flight), when Web Locks exist.
 */
export function withEventsLock(shared, body) {
  const locks = globalThis.navigator?.locks;
  if (!locks?.request) return body();
  return locks.request(EVENTS_LOCK_NAME, { mode: shared ? 'shared' : 'exclusive' }, body);
}

/** A fresh event id: 128 random bits as 32 hex digits. */
export function newEventId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** True if `record` has the shape of a stored event (and nothing else). */
export function isEventRecord(record) {
  if (!record || typeof record !== 'object' || Array.isArray(record)) return false;
  if (!Object.keys(record).every((key) => EVENT_FIELDS.has(key))) return false;
  if (typeof record.id !== 'string' || !/^[0-9a-f]{32}$/.test(record.id)) return false;
  if (typeof record.type !== 'string' || record.type === '') return false;
  if (typeof record.ts !== 'number' || !Number.isFinite(record.ts)) return false;
  if (record.item !== undefined && typeof record.item !== 'string') return false;
  if (record.qty !== undefined && typeof record.qty !== 'number') return false;
  if (record.query !== undefined && typeof record.query !== 'string') return false;
  return true;
}

/** Orders records oldest first (ts, then id). */
export function byTime(a, b) {
  return a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Splits valid records into those the policy keeps (oldest first) and the keys to delete:
 * invalid records, records older than the retention window, and all but the newest maxEvents.
 */
function applyPolicy(records, keys, policy, nowMs) {
  const cutoff = nowMs - policy.retentionDays * DAY_MS;
  const valid = [];
  const doomed = [];
  let invalid = 0;
  records.forEach((record, i) => {
    if (!isEventRecord(record) || record.id !== keys[i]) {
      invalid += 1;
      doomed.push(keys[i]);
    } else if (record.ts < cutoff) {
      doomed.push(keys[i]);
    } else {
      valid.push(record);
    }
  });
  valid.sort(byTime);
  const excess = Math.max(0, valid.length - policy.maxEvents);
  for (const record of valid.slice(0, excess)) doomed.push(record.id);
  return { kept: valid.slice(excess), doomed, invalid };
}

/** Opens DB_NAME, creating the schema if it does not exist; checks the schema and format. */
async function openDatabase() {
  const factory = globalThis.indexedDB;
  if (!factory || typeof factory.open !== 'function') {
    throw new StorageProblem('unavailable', 'IndexedDB does not exist in this browser context');
  }
  let request;
  try {
    request = factory.open(DB_NAME, DB_VERSION);
  } catch (error) {
    throw new StorageProblem('unavailable', describe(error));
  }
  request.onupgradeneeded = (event) => {
    if (event.oldVersion !== 0) return; // only version 1 exists; anything else is checked below
    const db = request.result;
    const events = db.createObjectStore(EVENTS_STORE, { keyPath: 'id' });
    events.createIndex('ts', 'ts');
    const meta = db.createObjectStore(META_STORE, { keyPath: 'key' });
    meta.put({ key: 'format', value: STORE_FORMAT });
  };
  let db;
  try {
    db = await requestDone(request);
  } catch (error) {
    // VersionError: the database exists with a newer version than this code knows.
    throw new StorageProblem(error?.name === 'VersionError' ? 'corrupt' : 'unavailable', describe(error));
  }
  try {
    const names = db.objectStoreNames;
    if (!names.contains(EVENTS_STORE) || !names.contains(META_STORE)) {
      throw new StorageProblem('corrupt', `the database "${DB_NAME}" lacks the object stores "${EVENTS_STORE}" and "${META_STORE}"`);
    }
    const tx = db.transaction([EVENTS_STORE, META_STORE], 'readonly');
    const events = tx.objectStore(EVENTS_STORE);
    if (events.keyPath !== 'id' || !events.indexNames.contains('ts')) {
      throw new StorageProblem('corrupt', `the object store "${EVENTS_STORE}" has another schema`);
    }
    const format = await requestDone(tx.objectStore(META_STORE).get('format')).catch(() => undefined);
    if (format?.value !== STORE_FORMAT) {
      throw new StorageProblem('corrupt', `the store format is ${JSON.stringify(format?.value ?? null)}, expected ${STORE_FORMAT}`);
    }
  } catch (error) {
    db.close();
    throw asProblem(error, 'corrupt');
  }
  return db;
}

/** Deletes one database, waiting for other connections (which close on "versionchange"). */
function deleteDatabase(name) {
  return new Promise((resolve, reject) => {
    let request;
    try {
      request = globalThis.indexedDB.deleteDatabase(name);
    } catch (error) {
      reject(error);
      return;
    }
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

/**
 * Deletes every IndexedDB database Shelfwise created on this origin (DB_NAME, and any other
 * database whose name starts with "shelfwise"). Resolves to the names deleted; without
 * IndexedDB there is nothing to delete.
 */
export async function eraseDatabases() {
  const factory = globalThis.indexedDB;
  if (!factory || typeof factory.deleteDatabase !== 'function') return [];
  const names = new Set([DB_NAME]);
  try {
    for (const info of (await factory.databases?.()) ?? []) {
      if (typeof info.name === 'string' && info.name.startsWith('shelfwise')) names.add(info.name);
    }
  } catch {
    // databases() is optional; DB_NAME is deleted either way
  }
  await withLock(() => Promise.all([...names].map(deleteDatabase)));
  return [...names];
}

/** The open event store. Create it with EventStore.open(). */
export class EventStore {
  /**
   * Opens (creating if needed) the store. A database with another schema or format is deleted
   * and created afresh; the returned `reset` then says why. Rejects with a StorageProblem when
   * IndexedDB cannot be used at all.
   * @param {{ retentionDays: number, maxEvents: number }} policy
   * @returns {Promise<{ store: EventStore, reset: StorageProblem | null }>}
   */
  static async open(policy) {
    try {
      return { store: new EventStore(await openDatabase(), policy), reset: null };
    } catch (error) {
      const problem = asProblem(error, 'unavailable');
      if (problem.reason !== 'corrupt') throw problem;
      try {
        await eraseDatabases();
        return { store: new EventStore(await openDatabase(), policy), reset: problem };
      } catch (again) {
        throw asProblem(again, 'unavailable');
      }
    }
  }

  constructor(db, policy) {
    this.policy = policy;
    this.queue = []; // { record, resolve, reject } waiting for the next transaction
    this.writing = false;
    this.closed = false;
    this.attach(db);
  }

  /** Uses `db`; when another tab deletes the database, the connection closes and reopens lazily. */
  attach(db) {
    this.db = db;
    db.onversionchange = () => {
      db.close();
      if (this.db === db) this.db = null;
    };
    db.onclose = () => {
      if (this.db === db) this.db = null;
    };
  }

  async database() {
    if (this.closed) throw new StorageProblem('failed', 'the event store is closed');
    if (!this.db) this.attach(await openDatabase());
    return this.db;
  }

  /**
   * Applies the retention policy (deleting what it drops, and records that are not events) and
   * resolves to { events: kept records oldest first, invalid: how many invalid records were
   * deleted }.
   */
  async load(nowMs = Date.now()) {
    try {
      const db = await this.database();
      const tx = db.transaction([EVENTS_STORE], 'readwrite', { durability: 'strict' });
      const store = tx.objectStore(EVENTS_STORE);
      const [records, keys] = await Promise.all([requestDone(store.getAll()), requestDone(store.getAllKeys())]);
      const { kept, doomed, invalid } = applyPolicy(records, keys, this.policy, nowMs);
      for (const key of doomed) store.delete(key);
      await transactionDone(tx);
      return { events: kept, invalid };
    } catch (error) {
      throw asProblem(error);
    }
  }

  /** Deletes what the retention policy drops; only one tab compacts at a time. */
  compact(nowMs = Date.now()) {
    return withLock(() => this.load(nowMs)).then(({ events }) => events.length);
  }

  /** The stored records that the policy keeps, oldest first, without deleting anything. */
  async readAll(nowMs = Date.now()) {
    try {
      const db = await this.database();
      const tx = db.transaction([EVENTS_STORE], 'readonly');
      const store = tx.objectStore(EVENTS_STORE);
      const [records, keys] = await Promise.all([requestDone(store.getAll()), requestDone(store.getAllKeys())]);
      return applyPolicy(records, keys, this.policy, nowMs).kept;
    } catch (error) {
      throw asProblem(error);
    }
  }

  /** Stores `record`; resolves once its transaction has committed (see the top of this file). */
  add(record) {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.flush();
    });
  }

  flush() {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    const batch = this.queue.splice(0);
    this.writeBatch(batch)
      .then(() => batch.forEach((entry) => entry.resolve()), (error) => batch.forEach((entry) => entry.reject(error)))
      .finally(() => {
        this.writing = false;
        this.flush();
      });
  }

  async writeBatch(batch) {
    let lastError;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const db = await this.database();
        const tx = db.transaction([EVENTS_STORE], 'readwrite', { durability: 'strict' });
        const store = tx.objectStore(EVENTS_STORE);
        for (const { record } of batch) store.put(record);
        await transactionDone(tx);
        return;
      } catch (error) {
        lastError = asProblem(error);
        // A connection closed under us (another tab deleted the database): reopen once.
        if (lastError.reason === 'quota' || error?.name !== 'InvalidStateError') break;
        this.db = null;
      }
    }
    throw lastError;
  }

  /** Deletes the records with these ids (those that exist). */
  async remove(ids) {
    try {
      const db = await this.database();
      const tx = db.transaction([EVENTS_STORE], 'readwrite', { durability: 'strict' });
      const store = tx.objectStore(EVENTS_STORE);
      for (const id of ids) store.delete(id);
      await transactionDone(tx);
    } catch (error) {
      throw asProblem(error);
    }
  }

  /** Deletes every event record (the database stays). */
  async clear() {
    try {
      const db = await this.database();
      const tx = db.transaction([EVENTS_STORE], 'readwrite', { durability: 'strict' });
      tx.objectStore(EVENTS_STORE).clear();
      await transactionDone(tx);
    } catch (error) {
      throw asProblem(error);
    }
  }

  /** Closes the connection; later calls reject. */
  close() {
    this.closed = true;
    this.db?.close();
    this.db = null;
    for (const entry of this.queue.splice(0)) entry.reject(new StorageProblem('failed', 'the event store is closed'));
  }
}
