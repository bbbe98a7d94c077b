// Type-checked by the consumer test with tsc against the installed package (exports "types").
import { init, shelfStore, autotrack, type Shelf, type ShelfSnapshot, ShelfwiseError } from 'shelfwise';
import { registerShelfwise, SHELF_TAG } from 'shelfwise/element';
import { VIEW_THRESHOLD } from 'shelfwise/autotrack';

export async function usage(): Promise<number> {
  const shelfwise = await init({ pack: '/shop.pack', wasm: new URL('/core.wasm', location.href) });
  registerShelfwise(shelfwise);
  autotrack(shelfwise, { root: document.body })();
  const shelf: Shelf = await shelfwise.shelf('for-you', { k: 4 });
  const snapshot: ShelfSnapshot = shelfStore(shelfwise, 'for-you').getSnapshot();
  const element = document.querySelector(SHELF_TAG);
  try {
    await shelfwise.item('nope');
  } catch (error) {
    if (error instanceof ShelfwiseError) return error.kind.length;
  }
  return shelf.items.length + snapshot.version + VIEW_THRESHOLD + (element ? 1 : 0);
}
