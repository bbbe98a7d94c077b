// Example: <shelfwise-shelf> and autotrack on a plain page (no build step).
// In a shop that installed the package: import { init, autotrack, registerShelfwise } from 'shelfwise';
import { autotrack, init, registerShelfwise, safeUrl } from '../shelfwise/index.js';

// Every <shelfwise-shelf> uses this instance; they show placeholders while it loads.
// Consent "context-only" (the default, said here to be explicit): one page, nothing stored; the
// events live as long as this page. A multi-page shop passes "on-device" once the shopper agrees.
const ready = init({ pack: 'data/shop.pack', consent: 'context-only' }); // relative to the page's <base href="../demo/">
registerShelfwise(ready);
const shelfwise = await ready;

// Records views, clicks and add-to-cart of everything marked with data-shelfwise-* below.
autotrack(shelfwise);

// Product cards as a shop's server would render them (here built from the pack's catalog).
const products = (await shelfwise.items(0, 1000)).filter((item) => item.category === 'Christmas').slice(0, 8);
document.getElementById('products').replaceChildren(...products.map((item) => {
  const card = document.createElement('article');
  card.className = 'product';
  card.dataset.shelfwiseItem = item.id;       // which product this is
  card.dataset.shelfwiseEvent = 'view';       // a view once half of it is visible
  const link = document.createElement('a');
  link.href = safeUrl(item.url) ?? '#'; // only http(s) or relative URLs
  link.dataset.shelfwiseEvent = 'click';      // a click on the link
  link.textContent = item.title;
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.shelfwiseEvent = 'add_to_cart'; // add_to_cart of the card's item
  button.textContent = 'Add to cart';
  card.append(link, button);
  return card;
}));
document.body.dataset.ready = 'true';
