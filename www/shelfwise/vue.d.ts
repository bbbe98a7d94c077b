// Types for the `shelfwise/vue` entry (www/shelfwise/vue.js). Needs Vue 3.3 or later.
import type { MaybeRefOrGetter, ShallowRef } from 'vue';
import type { ShelfSnapshot, ShelfSource, ShelfStoreOptions } from './index.js';

/**
 * The shelf of `kind` as a shallowRef of `shelfStore`'s snapshot, replaced on every change;
 * `kind` and `options` may be refs or getters (a change ranks anew). Stops with the component.
 */
export function useShelf(
  shelfwise: MaybeRefOrGetter<ShelfSource | Promise<ShelfSource>>,
  kind: MaybeRefOrGetter<string>,
  options?: MaybeRefOrGetter<ShelfStoreOptions>,
): ShallowRef<ShelfSnapshot>;
