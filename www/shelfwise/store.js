// Headless shelves: a shelf as plain data that follows the shopper's events, for frameworks
// (React, Vue, Svelte …) that render it themselves. No DOM here.
//
//   const store = shelfStore(shelfwise, 'for-you', { k: 8 });
//   const stop = store.subscribe(() => draw(store.getSnapshot()));
//
// The store ranks the shelf when its first subscriber arrives and again after every change to
// the shopper's events (Shelfwise#subscribe), at most one ranking at a time: events that
// arrive during a ranking cause one more ranking after it, not one per event. The snapshot is
// a frozen object replaced on every change, so `getSnapshot()` can be compared by identity
// (React's useSyncExternalStore, Vue's shallowRef).

import { ShelfwiseError, toShelfwiseError } from './errors.js';
import { DEFAULT_K } from './contract.js';

const IDLE = Object.freeze({ status: 'idle', shelf: null, error: null, version: 0 });

/**
 * A shelf of `kind` ranked by `shelfwise` (an instance or a promise of one, e.g. `init(…)`).
 * `item` is the context item (the product on the page): it is left out of the shelf and, when
 * given, passed on to `shelf()` as `item` for kinds that rank around an item.
 * @param {import('./index.js').Shelfwise | Promise<import('./index.js').Shelfwise>} shelfwise
 * @param {string} kind
 * @param {{ k?: number, item?: string | null, exclude?: string[] }} [options] and any other
 *   option of shelf() (category, query, cart, filters, rules …), passed on as given
 */
export function shelfStore(shelfwise, kind, options = {}) {
  const listeners = new Set();
  let snapshot = IDLE;
  let instance = null;
  let stopListening = null;
  let running = false;
  let again = false;
  let closed = false;

  function publish(next) {
    snapshot = Object.freeze({ ...snapshot, ...next });
    for (const listener of [...listeners]) listener();
  }

  function shelfOptions() {
    const { k, item, exclude: excluded, ...context } = options; // context: category, query, cart, filters …
    const exclude = [...(excluded ?? [])];
    const request = { ...context, k: k ?? DEFAULT_K, exclude };
    if (item !== undefined && item !== null && item !== '') {
      exclude.push(String(item));
      request.item = String(item);
    }
    return request;
  }

  async function rank() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        try {
          instance ??= await shelfwise;
          if (closed) return;
          if (!stopListening && listeners.size > 0 && typeof instance.subscribe === 'function') stopListening = instance.subscribe(() => { rank(); });
          const shelf = await instance.shelf(kind, shelfOptions());
          if (closed) return;
          publish({ status: 'ready', shelf, error: null, version: snapshot.version + 1 });
        } catch (error) {
          if (closed) return;
          const failure = error instanceof ShelfwiseError ? error : toShelfwiseError(error);
          publish({ status: 'error', shelf: null, error: failure, version: snapshot.version + 1 });
        }
      } while (again && !closed);
    } finally {
      running = false;
    }
  }

  return {
    /** The current state: `{ status: 'idle' | 'loading' | 'ready' | 'error', shelf, error, version }`. */
    getSnapshot: () => snapshot,
    /**
     * Calls `listener()` whenever the snapshot changes; the first subscriber starts the ranking.
     * Returns a function that unsubscribes (the last one stops following the events).
     */
    subscribe(listener) {
      if (typeof listener !== 'function') {
        throw new ShelfwiseError('invalid_argument', 'shelfStore.subscribe: the listener must be a function');
      }
      const wrapped = () => listener(); // its own entry, so one function may subscribe twice
      listeners.add(wrapped);
      const first = listeners.size === 1;
      if (first && !closed) {
        if (snapshot.status === 'idle') publish({ status: 'loading' });
        rank();
      }
      return () => {
        listeners.delete(wrapped);
        if (listeners.size === 0 && stopListening) {
          stopListening();
          stopListening = null;
        }
      };
    },
    /** Ranks the shelf again now (e.g. after the page changed what it excludes). */
    refresh: () => rank(),
    /** Stops for good: no more rankings, no more notifications. */
    close() {
      closed = true;
      listeners.clear();
      stopListening?.();
      stopListening = null;
    },
  };
}
