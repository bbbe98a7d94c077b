// Compiled with `tsc --noEmit` by scripts/test.sh: the README snippet must type-check.
import { init, renderShelf, ShelfwiseError, type ConsentMode, type ExportedData, type Shelf } from '../../www/shelfwise/index.js';

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
