// shelfwise/react: a React hook over the headless shelfStore (store.js).
//
//   import { useShelf } from 'shelfwise/react';
//   const { status, shelf, error } = useShelf(shelfwise, 'for-you', { k: 8, item: productId });
//
// `shelfwise` is an instance or a promise of one (init(…)); the snapshot is shelfStore's
// ({ status: 'idle' | 'loading' | 'ready' | 'error', shelf, error, version }) and the component
// re-renders on every change (useSyncExternalStore). `options` are shelfStore's (`k`, `item`,
// `exclude` and shelf()'s context: `category`, `query`, `cart`, `filters` …); a new store is made
// only when `shelfwise`, `kind` or the options' values change (compared as JSON). No cleanup is needed: a store without
// subscribers stops following the shopper's events (React's StrictMode unsubscribes and
// subscribes again). Needs React 18 or later (an optional peer dependency).

import { useMemo, useSyncExternalStore } from 'react';
import { shelfStore } from './store.js';

/**
 * The shelf of `kind` as React state.
 * @param {object | Promise<object>} shelfwise
 * @param {string} kind
 * @param {{ k?: number, item?: string | null, exclude?: string[] }} [options] and shelf()'s context options
 */
export function useShelf(shelfwise, kind, options = {}) {
  const key = JSON.stringify(options ?? {}); // a new ranking only when the options' values change
  const store = useMemo(() => shelfStore(shelfwise, kind, JSON.parse(key)), [shelfwise, kind, key]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
