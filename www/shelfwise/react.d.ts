// Types for the `shelfwise/react` entry (www/shelfwise/react.js). Needs React 18 or later.
import type { ShelfSnapshot, ShelfSource, ShelfStoreOptions } from './index.js';

/**
 * The shelf of `kind` as React state (useSyncExternalStore over `shelfStore`): re-renders on
 * every change; a new ranking when `shelfwise`, `kind`, `k`, `item` or `exclude`'s ids change.
 */
export function useShelf(
  shelfwise: ShelfSource | Promise<ShelfSource>,
  kind: string,
  options?: ShelfStoreOptions,
): ShelfSnapshot;
