// Page load to the first personalized shelf, the way a shop page does it: init() (worker, wasm
// and pack fetched in parallel), one view, the for-you shelf rendered. performance.now() counts
// from navigation start. The pack URL comes from the query string (?pack=…). The phases are
// User Timing marks ("shelfwise:…", here and in the worker); bench/first-shelf.mjs reads them.
import { init, renderShelf } from '/www/shelfwise/index.js';

performance.mark('shelfwise:page-modules-loaded');
const pack = new URLSearchParams(location.search).get('pack');
const shelfwise = await init({ pack });
const initMs = performance.now();
performance.mark('shelfwise:init-resolved');
await shelfwise.track({ type: 'view', item: '00000' });
performance.mark('shelfwise:tracked');
const shelf = await shelfwise.shelf('for-you', { k: 20 });
performance.mark('shelfwise:shelf-received');
renderShelf(document.querySelector('#shelf'), shelf);
window.firstShelf = { initMs, shelfMs: performance.now(), personalized: shelf.personalized, items: shelf.items.length };
