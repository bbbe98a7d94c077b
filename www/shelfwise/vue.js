// shelfwise/vue: a Vue 3 composable over the headless shelfStore (store.js).
//
//   import { useShelf } from 'shelfwise/vue';
//   const snapshot = useShelf(shelfwise, 'for-you', () => ({ k: 8, item: props.item }));
//   // in the template: snapshot.status, snapshot.shelf.items …  (snapshot is a shallowRef)
//
// `shelfwise` is an instance or a promise of one (init(…)); `kind` and `options` may be plain
// values, refs or getters: when what they give changes, the shelf is ranked anew. The returned
// shallowRef holds shelfStore's snapshot ({ status, shelf, error, version }), replaced on every
// change. The store stops with the component (onScopeDispose). Needs Vue 3.3 or later (an
// optional peer dependency).

import { onScopeDispose, shallowRef, toValue, watchEffect } from 'vue';
import { shelfStore } from './store.js';

/**
 * The shelf of `kind` as a shallowRef of shelfStore's snapshot.
 * @param {object | Promise<object>} shelfwise
 * @param {string | (() => string) | { value: string }} kind
 * @param {object | (() => object) | { value: object }} [options] shelfStore's: `{ k, item, exclude }`
 *   and shelf()'s context (`category`, `query`, `cart`, `filters` …)
 */
export function useShelf(shelfwise, kind, options = {}) {
  const snapshot = shallowRef(Object.freeze({ status: 'idle', shelf: null, error: null, version: 0 }));
  let stop = () => {};
  watchEffect(() => {
    stop();
    const store = shelfStore(toValue(shelfwise), toValue(kind), { ...(toValue(options) ?? {}) });
    const unsubscribe = store.subscribe(() => { snapshot.value = store.getSnapshot(); });
    stop = () => {
      unsubscribe();
      store.close();
    };
  });
  onScopeDispose(() => stop());
  return snapshot;
}
