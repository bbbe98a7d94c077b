// Test fixture for tests/e2e/measurement.test.mjs: the Shelfwise shell on a page with a shelf
// at the top (#shelf) and one 3000 px below the fold (#far-shelf; measurement.css).
//   window.fx.init, renderShelf …   the real module's exports
//   window.fx.snapshot()            this origin's IndexedDB databases with every record
import * as shelfwise from '/shelfwise/index.js';

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function snapshot() {
  const databases = {};
  for (const { name } of await indexedDB.databases()) {
    const db = await done(indexedDB.open(name));
    databases[name] = {};
    for (const store of db.objectStoreNames) databases[name][store] = await done(db.transaction(store).objectStore(store).getAll());
    db.close();
  }
  return databases;
}

window.fx = { ...shelfwise, snapshot };
document.body.dataset.ready = 'true';
