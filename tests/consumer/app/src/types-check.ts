// Type-checked by the consumer test with tsc against the installed package (exports "types").
import { init, shelfStore, autotrack, relaxedSimdSupported, WASM_VARIANTS, type Shelf, type ShelfSnapshot, type WasmVariant, ShelfwiseError } from 'shelfwise';
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
  const variant: WasmVariant | 'custom' = shelfwise.info.wasm.variant;
  const url: string = variant === 'custom' ? shelfwise.info.wasm.url : WASM_VARIANTS[variant];
  return shelf.items.length + snapshot.version + VIEW_THRESHOLD + (element ? 1 : 0) + (relaxedSimdSupported() ? url.length : 0);
}
