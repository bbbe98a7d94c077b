// Rendering shelves into the page: the one product card (productCard) that renderShelf() and
// <shelfwise-shelf> both draw, and the price format. Item text always goes in as text
// (textContent), never as HTML, and only http(s) or relative URLs are ever put into href/src; a
// link only to the page's own origin unless `links: 'any'`.

import { ShelfwiseError } from './errors.js';

/**
 * The URL if it is http(s) or relative to the page, else null (javascript:, data: … are refused).
 * @param {string} url
 */
export function safeUrl(url) {
  if (typeof url !== 'string' || url.trim() === '') return null;
  const base = typeof document !== 'undefined' ? document.baseURI : 'http://localhost/';
  let parsed;
  try {
    parsed = new URL(url, base);
  } catch {
    return null;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
}

/** The values of init({ links }) and renderShelf(…, { links }): where an item's link may lead. */
export const LINK_POLICIES = Object.freeze(['same-origin', 'any']);

/**
 * The URL an item's link may use under `links` (LINK_POLICIES): safeUrl(url), and under
 * "same-origin" (the default) only when it stays on the page's origin (location.origin), so a
 * pack's `//host`, `\\host` or `https://elsewhere/` URL draws a card without a link. Images are
 * not links: they keep any http(s) origin (a CDN); the page's Content-Security-Policy `img-src`
 * says where they may load from.
 * @param {string} url
 * @param {'same-origin' | 'any'} [links]
 */
export function linkUrl(url, links = 'same-origin') {
  const safe = safeUrl(url);
  if (!safe || links === 'any') return safe;
  const origin = globalThis.location?.origin;
  return origin && new URL(safe).origin === origin ? safe : null;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * A price formatter: `Intl.NumberFormat` for `locale` (default: the page's `<html lang>`, else
 * the browser's language), as money in `currency` (an ISO 4217 code such as "EUR") when given,
 * else as a number with two decimals. Non-numbers format as ''. A bad currency or locale throws
 * a ShelfwiseError of kind `invalid_argument` naming it.
 * @param {{ currency?: string, locale?: string }} [options]
 */
export function priceFormatter({ currency, locale } = {}) {
  const lang = locale || (typeof document !== 'undefined' && document.documentElement?.lang) || undefined;
  let format;
  try {
    format = new Intl.NumberFormat(lang, currency
      ? { style: 'currency', currency }
      : { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  } catch (error) {
    throw new ShelfwiseError('invalid_argument',
      `price format: ${error.message} (currency ${JSON.stringify(currency ?? null)}, locale ${JSON.stringify(lang ?? null)})`);
  }
  return (price) => (typeof price === 'number' && Number.isFinite(price) ? format.format(price) : '');
}

/**
 * The inside of one product card, as renderShelf() and <shelfwise-shelf> draw it: a link (or,
 * without a safe URL, a div) `.shelfwise-card-link` holding the image (`img.shelfwise-card-image`,
 * or an empty `span.shelfwise-card-image.shelfwise-card-no-image` box when the item has no safe
 * image URL, so no broken-image icon ever shows), `.shelfwise-card-title`,
 * `.shelfwise-card-price` and `.shelfwise-card-reason` (the explanation's text, its machine
 * reason in `data-reason` and its evidence as a tooltip). `item` null draws the empty card of a
 * placeholder. Text goes in with textContent only, URLs only through safeUrl, the link's through
 * linkUrl under `links`. An item with no URL (`""`, the catalog's `none`) has no link or no image.
 * @param {object | null} item a ShelfItem (or ItemCard)
 * @param {(price: number) => string} formatPrice
 * @param {'same-origin' | 'any'} [links] where the link may lead (linkUrl)
 */
export function productCard(item, formatPrice, links = 'same-origin') {
  const href = item ? linkUrl(item.url, links) : null;
  const link = href ? el('a', 'shelfwise-card-link') : el('div', 'shelfwise-card-link');
  if (href) link.href = href;
  const src = item ? safeUrl(item.image) : null;
  if (src) {
    const image = el('img', 'shelfwise-card-image');
    image.src = src;
    image.alt = '';
    image.loading = 'lazy';
    link.append(image);
  } else {
    const box = el('span', 'shelfwise-card-image shelfwise-card-no-image');
    box.setAttribute('aria-hidden', 'true');
    link.append(box);
  }
  link.append(el('span', 'shelfwise-card-title', item ? String(item.title ?? '') : ''));
  link.append(el('span', 'shelfwise-card-price', item ? formatPrice(item.price) : ''));
  const why = item ? (item.explanation?.text ?? item.reason) : null;
  if (why) {
    const reason = el('span', 'shelfwise-card-reason', String(why));
    if (item.explanation?.reason) reason.dataset.reason = item.explanation.reason;
    const evidence = describeEvidence(item.explanation?.evidence);
    if (evidence) reason.title = evidence;
    link.append(reason);
  }
  return link;
}

/**
 * A card's list entry: `li.shelfwise-card` with `data-item-id` and `data-category` (what
 * autotrack and measurement read), holding `content`.
 */
export function cardItem(item, content) {
  const card = el('li', 'shelfwise-card');
  if (item) {
    card.dataset.itemId = item.id;
    card.dataset.category = item.category;
  }
  card.append(content);
  return card;
}

/** The evidence of an explanation in words ("Heart Candle · 3 times · 82% similar"), or ''. */
export function describeEvidence(evidence) {
  if (!evidence || typeof evidence !== 'object') return '';
  const parts = [];
  if (evidence.item?.title) parts.push(String(evidence.item.title));
  if (evidence.category) parts.push(String(evidence.category));
  if (evidence.query) parts.push(`“${String(evidence.query)}”`);
  if (Number.isFinite(evidence.count)) parts.push(evidence.count === 1 ? 'once' : `${evidence.count} times`);
  if (Number.isFinite(evidence.similarity)) parts.push(`${Math.round(evidence.similarity * 100)}% similar`);
  if (evidence.rule) parts.push(String(evidence.rule));
  return parts.join(' · ');
}

/**
 * Draws a titled row of product cards into `container`, replacing its content.
 * @param {Element} container
 * @param {{ kind: string, title: string, items: Array<object> }} shelf
 * @param {{ title?: string, formatPrice?: (price: number) => string, currency?: string, locale?: string,
 *   links?: 'same-origin' | 'any', onItemClick?: (item: object, event: Event) => void }} [options]
 */
export function renderShelf(container, shelf, options = {}) {
  const formatPrice = options.formatPrice ?? priceFormatter(options);
  const title = options.title ?? shelf.title;
  const section = el('section', 'shelfwise-shelf');
  section.dataset.shelfwiseShelf = shelf.kind;
  section.setAttribute('aria-label', title);
  section.append(el('h2', 'shelfwise-shelf-title', title));
  const row = el('ol', 'shelfwise-shelf-items');
  for (const item of shelf.items) {
    const link = productCard(item, formatPrice, options.links);
    if (options.onItemClick) link.addEventListener('click', (event) => options.onItemClick(item, event));
    row.append(cardItem(item, link));
  }
  section.append(row);
  container.replaceChildren(section);
  return section;
}
