// Test fixture for tests/e2e/privacy.test.mjs: the Shelfwise shell plus small tools to look at,
// damage or disable this origin's storage from page.evaluate().
//   window.fx.init, renderShelf, ShelfwiseError …  the real module's exports
//   window.fx.outcome(promiseOrFn)   { ok, value } or { ok: false, error: { name, kind, message } }
//   window.fx.snapshot()             what this origin stores: IndexedDB databases (with the
//                                    records of every object store), Cache API caches,
//                                    localStorage/sessionStorage keys, cookies
//   window.fx.plantDatabase(spec)    creates the database "shelfwise" with the given stores and
//                                    records (to fake a corrupt or foreign store)
//   window.fx.breakIndexedDB()       makes indexedDB.open throw, as in some private modes (this
//                                    realm only: use it with { worker: false })
//   window.fx.failWrites()           makes every later IndexedDB put() fail with a
//                                    QuotaExceededError (this realm only)
import * as shelfwise from '/shelfwise/index.js';

async function outcome(work) {
  try {
    const value = await (typeof work === 'function' ? work() : work);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: { name: error?.name, kind: error?.kind, message: error?.message, instance: error instanceof shelfwise.ShelfwiseError } };
  }
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function readDatabase(name) {
  const db = await done(indexedDB.open(name));
  const stores = {};
  for (const store of db.objectStoreNames) {
    const tx = db.transaction(store, 'readonly');
    stores[store] = await done(tx.objectStore(store).getAll());
  }
  db.close();
  return stores;
}

async function snapshot() {
  const databases = {};
  for (const { name } of await indexedDB.databases()) databases[name] = await readDatabase(name);
  return {
    databases,
    caches: await caches.keys(),
    localStorage: Object.keys(localStorage),
    sessionStorage: Object.keys(sessionStorage),
    cookie: document.cookie,
  };
}

/** spec: { version?, stores: { name: { keyPath?, records: [] } } } */
async function plantDatabase(spec) {
  const request = indexedDB.open('shelfwise', spec.version ?? 1);
  request.onupgradeneeded = () => {
    for (const [name, store] of Object.entries(spec.stores)) {
      request.result.createObjectStore(name, store.keyPath ? { keyPath: store.keyPath } : { autoIncrement: true });
    }
  };
  const db = await done(request);
  for (const [name, store] of Object.entries(spec.stores)) {
    const tx = db.transaction(name, 'readwrite');
    for (const record of store.records ?? []) tx.objectStore(name).put(record);
    await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
  }
  db.close();
}

function breakIndexedDB() {
  IDBFactory.prototype.open = function open() {
    throw new DOMException('The user denied permission to access the database.', 'InvalidStateError');
  };
}

function failWrites() {
  IDBObjectStore.prototype.put = function put() {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  };
}

window.fx = { ...shelfwise, outcome, snapshot, plantDatabase, breakIndexedDB, failWrites };
document.body.dataset.ready = 'true';
