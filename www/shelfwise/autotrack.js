// Auto-tracking: the shop marks its markup, Shelfwise records the events. No shop code per event.
//
//   <article data-shelfwise-item="SW-00042" data-shelfwise-event="view click">
//     …
//     <button data-shelfwise-event="add_to_cart">Add to cart</button>
//   </article>
//
//   import { init, autotrack } from 'shelfwise';
//   const stop = autotrack(await init({ pack: '/shop.pack' }));   // later: stop()
//
// `data-shelfwise-event` lists the events an element records (space-separated):
// - `view`: once the element is at least VIEW_THRESHOLD visible (IntersectionObserver), one
//   `view` of its item, at most once per item per page (per Shelfwise instance, for the life
//   of the page, across autotrack() calls and re-rendered elements);
// - `click`: a click on the element (or inside it) records a `click`;
// - `add_to_cart`: a click records an `add_to_cart`; `data-shelfwise-qty` gives the quantity
//   (default 1);
// - `purchase`, `remove_from_cart`: like `add_to_cart`.
// The item is the element's own `data-shelfwise-item` or, if it has none, the nearest ancestor's
// (so a button inside a marked product card needs only `data-shelfwise-event`). A click inside
// nested marked elements records the innermost element's click events only.
//
// Elements added, removed or re-marked later are picked up (MutationObserver). Events go only
// to the Shelfwise instance (the device); a refused event (e.g. an id the pack does not know)
// is reported once per item and event type with console.warn, or to `options.onError`.

import { ShelfwiseError } from './errors.js';

/** Fraction of an element that must be visible to count as a view (IntersectionObserver threshold). */
export const VIEW_THRESHOLD = 0.5;
const CLICK_EVENTS = new Set(['click', 'add_to_cart', 'remove_from_cart', 'purchase']);
const KNOWN_EVENTS = new Set(['view', ...CLICK_EVENTS]);
const MARKED = '[data-shelfwise-event]';
const viewedByInstance = new WeakMap(); // Shelfwise instance -> Set of item ids viewed on this page

function eventTypes(element) {
  return (element.getAttribute('data-shelfwise-event') ?? '').split(/\s+/).filter(Boolean);
}

function itemOf(element) {
  const holder = element.closest('[data-shelfwise-item]');
  const id = holder?.getAttribute('data-shelfwise-item')?.trim();
  return id ? id : null;
}

/**
 * Records views, clicks and cart events of the marked elements under `root` (default: the
 * document) with `shelfwise.track`. Returns a function that stops all of it.
 * @param {{ track: (event: object) => Promise<unknown> }} shelfwise a Shelfwise instance
 * @param {{ root?: Element | Document, onError?: (error: ShelfwiseError, event: object) => void }} [options]
 */
export function autotrack(shelfwise, options = {}) {
  if (!shelfwise || typeof shelfwise.track !== 'function') {
    throw new ShelfwiseError('invalid_argument', 'autotrack: the first argument must be a Shelfwise instance (from init())');
  }
  const root = options.root ?? document;
  if (!root || typeof root.querySelectorAll !== 'function' || typeof root.addEventListener !== 'function') {
    throw new ShelfwiseError('invalid_argument', 'autotrack: options.root must be an element or a document');
  }
  const onError = options.onError;
  let viewed = viewedByInstance.get(shelfwise);
  if (!viewed) {
    viewed = new Set();
    viewedByInstance.set(shelfwise, viewed);
  }
  const reported = new Set();
  let stopped = false;

  function record(event) {
    shelfwise.track(event).catch((error) => {
      if (stopped && error?.kind === 'closed') return;
      if (onError) {
        onError(error, event);
        return;
      }
      const key = `${event.type} ${event.item}`;
      if (reported.has(key)) return;
      reported.add(key);
      console.warn(`Shelfwise autotrack: the ${event.type} of item ${JSON.stringify(event.item)} was not recorded: ${error?.kind}: ${error?.message}`);
    });
  }

  const views = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting || entry.intersectionRatio < VIEW_THRESHOLD) continue;
      const item = itemOf(entry.target);
      if (!item || viewed.has(item)) continue;
      viewed.add(item);
      record({ type: 'view', item });
    }
  }, { threshold: VIEW_THRESHOLD });

  const watched = new Set();
  const unknownReported = new Set();
  function scan(element) {
    const types = eventTypes(element);
    for (const type of types) {
      if (KNOWN_EVENTS.has(type) || unknownReported.has(type)) continue;
      unknownReported.add(type);
      console.warn(`Shelfwise autotrack: unknown data-shelfwise-event ${JSON.stringify(type)}; expected ${[...KNOWN_EVENTS].join(', ')}`);
    }
    const wantsView = types.includes('view');
    if (wantsView && !watched.has(element)) {
      watched.add(element);
      views.observe(element);
    } else if (!wantsView && watched.has(element)) {
      watched.delete(element);
      views.unobserve(element);
    }
  }
  function scanTree(node) {
    if (node.nodeType !== 1 && node.nodeType !== 9 && node.nodeType !== 11) return;
    if (node.nodeType === 1 && node.matches(MARKED)) scan(node);
    for (const element of node.querySelectorAll(MARKED)) scan(element);
  }
  function forgetTree(node) {
    if (node.nodeType !== 1) return;
    for (const element of [node, ...node.querySelectorAll(MARKED)]) {
      if (watched.delete(element)) views.unobserve(element);
    }
  }

  const mutations = new MutationObserver((records) => {
    for (const change of records) {
      if (change.type === 'attributes') {
        const target = change.target;
        // A changed item id on an observed element: observe it afresh so that the new item's
        // view is seen even though the element is already on screen.
        if (watched.delete(target)) views.unobserve(target);
        if (target.matches(MARKED)) scan(target);
        for (const element of target.querySelectorAll(MARKED)) {
          if (watched.delete(element)) views.unobserve(element);
          scan(element);
        }
        continue;
      }
      for (const removed of change.removedNodes) forgetTree(removed);
      for (const added of change.addedNodes) if (added.isConnected) scanTree(added);
    }
  });

  function onClick(event) {
    const target = event.target instanceof Element ? event.target : event.target?.parentElement;
    const marked = target?.closest(MARKED);
    if (!marked || (root !== document && !root.contains(marked))) return;
    const item = itemOf(marked);
    if (!item) return;
    for (const type of eventTypes(marked)) {
      if (!CLICK_EVENTS.has(type)) continue;
      const tracked = { type, item };
      if (type !== 'click') {
        const qty = marked.getAttribute('data-shelfwise-qty');
        if (qty !== null) tracked.qty = Number(qty);
      }
      record(tracked);
    }
  }

  scanTree(root);
  mutations.observe(root, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['data-shelfwise-event', 'data-shelfwise-item'],
  });
  root.addEventListener('click', onClick, { capture: true });

  return function stop() {
    if (stopped) return;
    stopped = true;
    views.disconnect();
    mutations.disconnect();
    watched.clear();
    root.removeEventListener('click', onClick, { capture: true });
  };
}
