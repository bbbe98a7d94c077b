// Example (React 18+): a personalized shelf rendered by React with `useShelf` from
// `shelfwise/react`. Built and run by tests/consumer/ (Vite, React 19).
//
//   import { init } from 'shelfwise';
//   const shelfwise = init({ pack: '/shop.pack', consent });  // one instance (a promise is fine);
//   // consent: 'on-device' once the shopper agreed (events kept across pages), else 'context-only'
//   <ShelfwiseShelf shelfwise={shelfwise} kind="for-you" count={8} item={productId} />
import { safeUrl } from 'shelfwise';
import { useShelf } from 'shelfwise/react';   // the hook: useSyncExternalStore over shelfStore

export function ShelfwiseShelf({ shelfwise, kind = 'for-you', count = 8, item = null, onTrack }) {
  const { status, shelf } = useShelf(shelfwise, kind, { k: count, item });
  if (status === 'error') {
    // e.g. error.kind === 'unknown_shelf': render nothing rather than break the page.
    return null;
  }
  if (status !== 'ready') {
    return (
      <ol className="shelf" aria-busy="true">
        {Array.from({ length: count }, (_, i) => <li key={i} className="card placeholder" aria-hidden="true" />)}
      </ol>
    );
  }
  return (
    <ol className="shelf" aria-label={shelf.title}>
      {shelf.items.map((card) => (
        <li key={card.id} className="card">
          {/* React escapes text; URLs still go through safeUrl (javascript: is refused). */}
          <a href={safeUrl(card.url) ?? undefined} onClick={() => onTrack?.({ type: 'click', item: card.id })}>
            {safeUrl(card.image) && <img src={safeUrl(card.image)} alt="" loading="lazy" />}
            <span className="title">{card.title}</span>
            <span className="price">{card.price.toFixed(2)}</span>
            <small>{card.reason}</small>
          </a>
        </li>
      ))}
    </ol>
  );
}

// The element works in React too (React 19 passes properties to custom elements):
//   useEffect(() => { registerShelfwise(shelfwise); }, [shelfwise]);
//   <shelfwise-shelf kind="for-you" count="8" item={productId} />
// and autotrack needs only markup: <div data-shelfwise-item={id} data-shelfwise-event="view click">.
