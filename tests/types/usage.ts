// Compiled with `tsc --noEmit` by scripts/test.sh: the README snippet must type-check.
import { describeEvidence, init, renderShelf, SHELF_KINDS, ShelfwiseError, type Shelf } from '../../www/shelfwise/index.js';

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

// Shelves, pages, explanations and the profile (issue 4).
export async function shelvesAndProfile(container: Element): Promise<string[]> {
  const shelfwise = await init({ pack: '/shop.pack' });
  await shelfwise.track({ type: 'search', query: 'heart' });
  const similar: Shelf = await shelfwise.shelf('similar', {
    item: 'SW-00042',
    k: 6,
    filters: { inStock: true, maxPrice: 40, excludeCategories: ['Gifts'] },
    rules: [{ action: 'pin', item: 'SW-00007', position: 1 }, { action: 'bury', category: 'Kitchen' }],
    maxPerCategory: 3,
    explore: { seed: 7 },
  });
  const page: Shelf[] = await shelfwise.page([
    { kind: 'because-you-viewed', k: 8 },
    { kind: 'trending-in-categories', k: 8, diversity: 0.3 },
    { kind: SHELF_KINDS[0] },
  ]);
  renderShelf(container, page[0]);
  const profile = await shelfwise.profile();
  await shelfwise.removeInterest({ category: profile.topCategories[0]?.category ?? 'Candles' });
  await shelfwise.restoreInterest({ brand: 'Acme' });
  const first = similar.items[0];
  return [first.explanation.text, first.explanation.reason, describeEvidence(first.explanation.evidence), ...profile.segments];
}
