// A 20-view visit, the way a shop page does it (bench/sharded.mjs loads it): init() with the
// pack URL from ?pack= (a .pack or a sharded folder's bootstrap.shard), the first view and the
// first personalized for-you shelf (timed from navigation start), then 19 more views each
// followed by a for-you shelf (timed per shelf: chunk loading included), then 50 for-you
// shelves with nothing new (chunks cached: the steady per-shelf time), each followed by a call
// that does nothing in the core, eventCount (the worker round trip alone), and the final top 100.
import { init, renderShelf } from '/www/shelfwise/index.js';

performance.mark('shelfwise:page-modules-loaded');

const params = new URLSearchParams(location.search);
const views = params.get('views').split(',');
const now = Number(params.get('now'));
// ?worker=0: the engine on the page (init({ worker: false })), to tell the worker's share of a time.
const shelfwise = await init({ pack: params.get('pack'), ...(params.get('worker') === '0' ? { worker: false } : {}) });
const initMs = performance.now();
performance.mark('shelfwise:init-resolved');
const at = (n) => now - (views.length - n) * 60_000;
await shelfwise.track({ type: 'view', item: views[0], ts: at(0) });
performance.mark('shelfwise:tracked');
const first = await shelfwise.shelf('for-you', { k: 20, now });
const firstShelfMs = performance.now();
performance.mark('shelfwise:shelf-received');
renderShelf(document.querySelector('#shelf'), first);
const visitShelfMs = [];
for (let n = 1; n < views.length; n++) {
  await shelfwise.track({ type: 'view', item: views[n], ts: at(n) });
  const t = performance.now();
  await shelfwise.shelf('for-you', { k: 20, now });
  visitShelfMs.push(performance.now() - t);
}
await new Promise((resolve) => { setTimeout(resolve, 500); }); // idle: prefetches land
await shelfwise.shelf('for-you', { k: 20, now }); // picks up what the prefetch added
const steadyMs = [];
const pingMs = []; // a call that does nothing in the core (eventCount): the worker round trip
const collect = params.get('gc') === '1' && typeof globalThis.gc === 'function' ? globalThis.gc : () => {};
performance.mark('shelfwise:steady-start'); // bench/sharded.mjs --trace-gc counts collections from here
for (let i = 0; i < 50; i++) {
  collect(); // ?gc=1 (bench/sharded.mjs --gc): garbage collected before, outside the time
  const t = performance.now();
  await shelfwise.shelf('for-you', { k: 20, now });
  steadyMs.push(performance.now() - t);
  const p = performance.now();
  await shelfwise.transport.call('eventCount');
  pingMs.push(performance.now() - p);
}
performance.mark('shelfwise:steady-end');
const top100 = (await shelfwise.shelf('for-you', { k: 100, now })).items.map((it) => it.id);
const top20 = top100.slice(0, 20);
const info = await shelfwise.transport.call('info');
window.shelfwise = shelfwise; // for scripts that measure more after the visit
window.visit = { initMs, firstShelfMs, personalized: first.personalized, visitShelfMs, steadyMs, pingMs, top20, top100, info };
