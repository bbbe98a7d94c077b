// The engine side of private measurement (docs/MEASUREMENT.md): the device's measurement
// records, its secret and arm, and the daily report. It runs next to the engine (in the worker,
// or on the page with { worker: false }); the randomization, the attribution and the arm draw are
// the wasm core's (src/measurement), with coins from crypto.getRandomValues.
//
// What is kept, and where. Under consent "on-device" everything below lives in the IndexedDB
// database MEASUREMENT_DB (its name starts with "shelfwise", so forget() and a switch to
// "context-only" delete it with the event store); under "context-only" only in this engine's
// memory, for the life of the page.
//   records  impressions { type, ts, item, shelf, position }, shelf clicks (same fields) and
//            purchases { type, ts, item, qty, value }, each with a random id; kept
//            RECORD_RETENTION_DAYS (the attribution window and the day being reported), at most
//            MAX_RECORDS
//   device   "secret": 128 random bits (only when the shop runs an experiment: the arm is drawn
//            from it); "ledger": { lastSentDay, lastReportedDay, activeDays } (the report budget)
//
// The budget. A report spends the day's whole ε on one question. prepareReport() sends at most
// one report per device per UTC day: under the Web Lock REPORT_LOCK it reads the ledger, picks
// the latest earlier active day not reported yet (within the attribution window), writes the
// ledger and only then hands the report to the page (which sends it with navigator.sendBeacon):
// a report that is lost is not sent again, a second one that day is never made.

import { ShelfwiseError } from './errors.js';
import { SHELF_KINDS } from './contract.js';
import { newEventId } from './storage.js';

/** The IndexedDB database of the measurement records and the device secret. */
export const MEASUREMENT_DB = 'shelfwise-measurement';
/** Web Lock held while a report is prepared, so that two tabs never both send one. */
export const REPORT_LOCK = 'shelfwise-report';
/** Days records are kept: the 7-day attribution window and the day being reported. */
export const RECORD_RETENTION_DAYS = 8;
/** Most records kept (the oldest go first). */
export const MAX_RECORDS = 5000;

const DAY_MS = 86_400_000;
const RECORDS = 'records';
const DEVICE = 'device';
const dayOf = (ms) => Math.floor(ms / DAY_MS);

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('aborted', 'AbortError'));
  });
}

/**
 * Opens MEASUREMENT_DB, creating it only with `create` (reading never brings it back after
 * forget()); null where it does not exist or IndexedDB cannot be used.
 */
async function openDatabase(create) {
  if (!globalThis.indexedDB) return null;
  try {
    const req = indexedDB.open(MEASUREMENT_DB, 1);
    req.onupgradeneeded = () => {
      if (!create) {
        req.transaction.abort(); // it did not exist: leave it so
        return;
      }
      const db = req.result;
      db.createObjectStore(RECORDS, { keyPath: 'id' }).createIndex('ts', 'ts');
      db.createObjectStore(DEVICE, { keyPath: 'key' });
    };
    const db = await request(req);
    if (!db.objectStoreNames.contains(RECORDS) || !db.objectStoreNames.contains(DEVICE)) {
      db.close();
      return null;
    }
    // forget() or a consent switch deletes the database: let it, and reopen on the next write.
    db.onversionchange = () => db.close();
    return db;
  } catch {
    return null;
  }
}

/** Two tabs' ledgers as one: every active day, the latest day sent and reported. */
function mergeLedger(stored, mine) {
  if (!stored) return mine;
  const max = (a, b) => (a === null ? b : b === null ? a : Math.max(a, b));
  return {
    lastSentDay: max(stored.lastSentDay ?? null, mine.lastSentDay),
    lastReportedDay: max(stored.lastReportedDay ?? null, mine.lastReportedDay),
    activeDays: [...new Set([...(stored.activeDays ?? []), ...mine.activeDays])].sort((a, b) => a - b).slice(-RECORD_RETENTION_DAYS),
  };
}

/** A record's fields as the core reads them (without the id). */
function coreRecord({ id, ...fields }) {
  return fields;
}

/** Checks a shelf record from the page; returns it with its id, or throws a ShelfwiseError. */
function checkShelfRecord(record) {
  const bad = (message) => new ShelfwiseError('invalid_argument', `measurement record: ${message}`);
  if (!record || typeof record !== 'object') throw bad('not an object');
  const { type, item, shelf, position, ts } = record;
  if (type !== 'impression' && type !== 'shelf_click') throw bad(`type ${JSON.stringify(type)} is not impression or shelf_click`);
  if (typeof item !== 'string' || item === '' || item.length > 200) throw bad('item must be an item id');
  if (!SHELF_KINDS.includes(shelf)) throw bad(`shelf ${JSON.stringify(shelf)} is not a shelf kind`);
  if (!Number.isInteger(position) || position < 1 || position > 1000) throw bad('position must be a whole number from 1 to 1000');
  if (typeof ts !== 'number' || !Number.isFinite(ts)) throw bad('ts must be a time in ms');
  return { id: newEventId(), type, ts, item, shelf, position };
}

/**
 * Opens the measurement side of an engine.
 * @param {{ glue: () => object, recommender: () => object, consent: () => string,
 *   settings: { record: boolean, windowDays: number, experiment: object | null, reporting: object | null } }} options
 *   glue(), recommender(): the current wasm-bindgen module and Recommender (both change after a
 *   trap); consent(): the current consent mode; settings: validated by measurement.js
 */
export async function openMeasurement({ glue, recommender, consent, settings }) {
  let db = null;
  let records = []; // this page's records, and under "on-device" the stored ones loaded at open
  let secret = null;
  let ledger = { lastSentDay: null, lastReportedDay: null, activeDays: [] };
  const onDevice = () => consent() === 'on-device';
  const wantsSecret = settings.experiment !== null;

  /** The open database under "on-device" (created for writes, `create`), else null. */
  async function database(create = false) {
    if (!onDevice()) return null;
    if (db) {
      try {
        db.transaction([DEVICE], 'readonly'); // throws once the connection closed (versionchange)
        return db;
      } catch {
        db = null;
      }
    }
    db = await openDatabase(create);
    return db;
  }

  /** Reads the secret (creating it in the same transaction if absent) and the ledger. */
  async function loadDevice(store) {
    const tx = store.transaction([DEVICE, RECORDS], 'readwrite');
    const device = tx.objectStore(DEVICE);
    const [storedSecret, storedLedger, stored] = await Promise.all([
      request(device.get('secret')), request(device.get('ledger')), request(tx.objectStore(RECORDS).getAll()),
    ]);
    if (wantsSecret && typeof storedSecret?.value !== 'string') device.put({ key: 'secret', value: secret });
    ledger = mergeLedger(storedLedger?.value, ledger);
    await done(tx);
    if (typeof storedSecret?.value === 'string') secret = storedSecret.value;
    return stored;
  }

  /** Keeps what the retention keeps, oldest first. */
  function retained(list, nowMs) {
    const cutoff = nowMs - RECORD_RETENTION_DAYS * DAY_MS;
    return list.filter((r) => r && typeof r.ts === 'number' && r.ts >= cutoff).sort((a, b) => a.ts - b.ts).slice(-MAX_RECORDS);
  }

  function applyArm() {
    const personalized = arm() !== 'control';
    try {
      recommender().setPersonalized(personalized);
    } catch {
      // a trapped instance: the engine's restart applies the arm to the fresh one
    }
  }

  function arm() {
    if (!settings.experiment) return null;
    const { name, arms } = settings.experiment;
    return glue().experimentArm(secret, name, arms.map(([arm]) => arm), Float64Array.from(arms, ([, weight]) => weight));
  }

  async function start() {
    secret = wantsSecret ? glue().newDeviceSecret() : null;
    // Created at open only when there is a secret to keep (an experiment) or a budget to
    // enforce (reporting); else with the first record.
    const store = await database(wantsSecret || settings.reporting !== null);
    if (store) {
      try {
        records = retained(await loadDevice(store), Date.now());
      } catch {
        records = [];
      }
    }
    applyArm();
  }

  /**
   * Writes `list` of records and merges the ledger with the stored one (another tab may have
   * sent today's report); with `withSecret`, stores the secret unless one is stored already (then
   * that one is used). Storage failures only cost persistence.
   */
  async function persist(list, { withSecret = false } = {}) {
    const store = await database(true);
    if (!store) return;
    try {
      const tx = store.transaction([RECORDS, DEVICE], 'readwrite');
      const device = tx.objectStore(DEVICE);
      for (const r of list) tx.objectStore(RECORDS).put(r);
      const [storedSecret, storedLedger] = await Promise.all([request(device.get('secret')), request(device.get('ledger'))]);
      if (withSecret && secret && typeof storedSecret?.value !== 'string') device.put({ key: 'secret', value: secret });
      ledger = mergeLedger(storedLedger?.value, ledger);
      device.put({ key: 'ledger', value: ledger });
      await done(tx);
      if (typeof storedSecret?.value === 'string' && storedSecret.value !== secret && wantsSecret) {
        secret = storedSecret.value;
        applyArm();
      }
    } catch {
      // quota or a closed connection: the records stay in memory for this page
    }
  }

  /** Today counts as an active day (the days a report may later be about). */
  async function markActive(nowMs) {
    if (!settings.reporting || !onDevice()) return;
    const today = dayOf(nowMs);
    if (ledger.activeDays.includes(today)) return;
    ledger.activeDays = [...ledger.activeDays.filter((d) => d > today - RECORD_RETENTION_DAYS), today];
    await persist([], { withSecret: true });
  }

  async function add(record) {
    if (!settings.record) return;
    records.push(record);
    if (records.length > MAX_RECORDS + 500) records = retained(records, Date.now());
    await persist([record], { withSecret: true });
    await markActive(record.ts);
  }

  /** Every record: the stored ones of every tab under "on-device", else this page's. */
  async function allRecords(nowMs) {
    const store = await database();
    if (!store) return retained(records, nowMs);
    try {
      return retained(await request(store.transaction([RECORDS], 'readonly').objectStore(RECORDS).getAll()), nowMs);
    } catch {
      return retained(records, nowMs);
    }
  }

  /** The report of the latest unreported active day before today, or null; spends the day's budget. */
  async function reportOnce(nowMs) {
    const store = await database();
    if (!store) return null;
    const saved = await request(store.transaction([DEVICE], 'readonly').objectStore(DEVICE).get('ledger'));
    ledger = mergeLedger(saved?.value, ledger);
    const today = dayOf(nowMs);
    if (ledger.lastSentDay !== null && ledger.lastSentDay >= today) return null;
    await markActive(nowMs); // visited today: a later report may be about today
    const oldest = today - settings.windowDays;
    const candidates = ledger.activeDays.filter((d) => d < today && d >= oldest && (ledger.lastReportedDay === null || d > ledger.lastReportedDay));
    if (candidates.length === 0) return null;
    const day = Math.max(...candidates);
    const { endpoint, ...reportSettings } = settings.reporting;
    const report = glue().dailyReport((await allRecords(nowMs)).map(coreRecord), day * DAY_MS, {
      ...reportSettings, arm: arm() ?? 'all', experiment: settings.experiment?.name, windowDays: settings.windowDays,
    });
    ledger = { ...ledger, lastSentDay: today, lastReportedDay: day };
    await persist([]);
    return JSON.stringify(report);
  }

  await start();

  return {
    /** Re-applies the arm to a fresh Recommender (after a trap). */
    applyTo: () => applyArm(),
    /** A shelf impression or click from the page. */
    recordShelf: async (record) => add(checkShelfRecord(record)),
    /** An accepted track() event: purchases are recorded with their value (price × quantity). */
    tracked: async (event) => {
      if (event.type !== 'purchase') return;
      const price = recommender().item(event.item).price;
      const qty = event.qty ?? 1;
      await add({ id: newEventId(), type: 'purchase', ts: event.ts, item: event.item, qty, value: Math.round(price * qty * 100) / 100 });
    },
    /** What shelfwise.measurement() returns. */
    summary: async (nowMs) => {
      const summary = glue().measurementSummary((await allRecords(nowMs)).map(coreRecord), settings.windowDays);
      return {
        ...summary,
        storage: (await database()) ? 'indexeddb' : 'memory',
        experiment: settings.experiment ? { name: settings.experiment.name, arm: arm() } : null,
        reporting: settings.reporting ? {
          endpoint: settings.reporting.endpoint,
          epsilonPerDay: settings.reporting.epsilon,
          active: onDevice(),
          lastSentDay: ledger.lastSentDay === null ? null : new Date(ledger.lastSentDay * DAY_MS).toISOString().slice(0, 10),
        } : null,
      };
    },
    /** The day's report as a JSON string, or null (see the top of this file). */
    prepareReport: async (nowMs) => {
      if (!settings.reporting || !onDevice()) return null;
      return withReportLock(() => reportOnce(nowMs));
    },
    /** Everything held, for exportData(). */
    exportData: async (nowMs) => ({
      records: await allRecords(nowMs),
      secret,
      arm: arm(),
      ledger: { ...ledger },
    }),
    /** clearEvents(): the records go; the secret, the arm and the ledger stay. */
    clear: async () => {
      records = [];
      const store = await database();
      if (!store) return;
      try {
        const tx = store.transaction([RECORDS], 'readwrite');
        tx.objectStore(RECORDS).clear();
        await done(tx);
      } catch {
        // nothing stored to clear
      }
    },
    /** forget(): the records, the secret, the arm and the ledger go (the database is deleted by the event store's erase). */
    forget: () => {
      db?.close();
      db = null;
      records = [];
      ledger = { lastSentDay: null, lastReportedDay: null, activeDays: [] };
      // A fresh secret for the rest of this page, stored only with the next record.
      secret = wantsSecret ? glue().newDeviceSecret() : null;
      applyArm();
    },
    /** After a consent switch to "on-device": store what this page recorded so far. */
    consentChanged: async () => {
      if (onDevice()) await persist(records, { withSecret: true });
      else {
        db?.close();
        db = null;
      }
    },
    close: () => {
      db?.close();
      db = null;
    },
  };
}

/** Runs `body` under the Web Lock REPORT_LOCK where Web Locks exist (every current browser). */
function withReportLock(body) {
  const locks = globalThis.navigator?.locks;
  return locks?.request ? locks.request(REPORT_LOCK, body) : body();
}
