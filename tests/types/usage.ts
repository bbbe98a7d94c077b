// Compiled with `tsc --noEmit` by scripts/test.sh: the README snippet must type-check.
import { DEFAULT_K, describeEvidence, init, priceFormatter, renderShelf, SHELF_KINDS, ShelfwiseError, type ConsentMode, type ExportedData, type Shelf } from '../../www/shelfwise/index.js';

export async function readmeSnippet(container: Element): Promise<void> {
  const shelfwise = await init({ pack: '/shop.pack', consent: 'on-device' });
  await shelfwise.track({ type: 'view', item: 'SW-00042' });
  const shelf: Shelf = await shelfwise.shelf('for-you', { k: 8 });
  renderShelf(container, shelf, { onItemClick: (item) => shelfwise.track({ type: 'click', item: item.id }) });
  renderShelf(container, shelf, { currency: 'EUR', locale: 'de-DE' });
  const euros: (price: number) => string = priceFormatter({ currency: 'EUR' });
  console.info(euros(DEFAULT_K));
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

// The components and the headless helper (docs/API.md).
import { autotrack, registerShelfwise, shelfStore, VIEW_THRESHOLD, type ShelfSnapshot } from '../../www/shelfwise/index.js';
import { defineShelfwiseShelf, SHELF_TAG, PRELOAD_MARGIN } from '../../www/shelfwise/element.js';
import { autotrack as autotrackEntry } from '../../www/shelfwise/autotrack.js';

export async function componentsSnippet(): Promise<void> {
  const ready = init({ pack: '/shop.pack' });
  registerShelfwise(ready);
  const shelfwise = await ready;
  const stop: () => void = autotrack(shelfwise, { root: document.body, onError: (error, event) => console.info(error.kind, event.type) });
  stop();
  autotrackEntry(shelfwise)();
  const threshold: number = VIEW_THRESHOLD;

  const element = document.querySelector('shelfwise-shelf');
  if (element) {
    element.formatPrice = (price) => `€${price.toFixed(2)}`;
    element.addEventListener('shelfwise-render', (event) => console.info(event.detail.shelf.items.length, threshold));
    element.shelfwise = shelfwise;
    element.cart = ['SW-00042'];
    element.exclude = null;
    element.filters = { maxPrice: 40, excludePurchased: true };
    document.addEventListener('shelfwise-error', (event) => console.info(event.detail.error.kind));
  }
  const ShelfElement = defineShelfwiseShelf(SHELF_TAG);
  const made = new ShelfElement();
  made.setAttribute('kind', 'for-you');
  console.info(made.kind, PRELOAD_MARGIN);

  const unsubscribeEvents = shelfwise.subscribe(() => console.info('events changed'));
  unsubscribeEvents();
  const store = shelfStore(shelfwise, 'for-you', { k: 4, item: 'SW-00042' });
  const unsubscribe = store.subscribe(() => {
    const snapshot: ShelfSnapshot = store.getSnapshot();
    if (snapshot.status === 'ready' && snapshot.shelf) console.info(snapshot.shelf.items.map((item) => item.title));
    if (snapshot.status === 'error' && snapshot.error) console.info(snapshot.error.kind);
  });
  await store.refresh();
  unsubscribe();
  store.close();
}

// The privacy API: consent at init and later, export, forget.
export async function privacyControls(shopperChoice: ConsentMode): Promise<string> {
  const shelfwise = await init({ pack: '/shop.pack', consent: shopperChoice, retentionDays: 30, maxEvents: 2000 });
  await shelfwise.track({ type: 'view', item: 'SW-00042' }); // resolves once stored (on-device)
  await shelfwise.setConsent('on-device');
  const data: ExportedData = await shelfwise.exportData();
  const ids: string[] = data.events.map((event) => event.id);
  await shelfwise.setConsent('context-only');
  await shelfwise.forget();
  return `${data.format} v${data.version}: ${ids.length} events, consent ${data.consent}, kept ${data.settings.retentionDays} days`;
}
