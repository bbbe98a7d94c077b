// Compiled with `tsc --noEmit` by scripts/test.sh: the README snippet must type-check.
import { init, renderShelf, ShelfwiseError, type Shelf } from '../../www/shelfwise/index.js';

export async function readmeSnippet(container: Element): Promise<void> {
  const shelfwise = await init({ pack: '/shop.pack' });
  await shelfwise.track({ type: 'view', item: 'SW-00042' });
  const shelf: Shelf = await shelfwise.shelf('for-you', { k: 8 });
  renderShelf(container, shelf, { onItemClick: (item) => shelfwise.track({ type: 'click', item: item.id }) });
  try {
    await shelfwise.item('nope');
  } catch (error) {
    if (error instanceof ShelfwiseError && error.kind === 'unknown_item') console.info(error.message);
  }
}
