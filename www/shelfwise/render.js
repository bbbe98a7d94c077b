// Rendering shelves into the page. Item text always goes in as text (textContent), never as
// HTML, and only http(s) or relative URLs are ever put into href/src.

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

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Draws a titled row of product cards into `container`, replacing its content.
 * @param {Element} container
 * @param {{ kind: string, title: string, items: Array<object> }} shelf
 * @param {{ title?: string, formatPrice?: (price: number) => string, onItemClick?: (item: object, event: Event) => void }} [options]
 */
export function renderShelf(container, shelf, options = {}) {
  const formatPrice = options.formatPrice ?? ((p) => p.toFixed(2));
  const section = el('section', 'shelfwise-shelf');
  section.dataset.shelfwiseShelf = shelf.kind;
  section.setAttribute('aria-label', options.title ?? shelf.title);
  section.append(el('h2', 'shelfwise-shelf-title', options.title ?? shelf.title));
  const row = el('ol', 'shelfwise-shelf-items');
  for (const item of shelf.items) {
    const card = el('li', 'shelfwise-card');
    card.dataset.itemId = item.id;
    card.dataset.category = item.category;
    const href = safeUrl(item.url);
    const link = href ? el('a', 'shelfwise-card-link') : el('div', 'shelfwise-card-link');
    if (href) link.href = href;
    const src = safeUrl(item.image);
    if (src) {
      const img = el('img', 'shelfwise-card-image');
      img.src = src;
      img.alt = '';
      img.loading = 'lazy';
      link.append(img);
    }
    link.append(el('span', 'shelfwise-card-title', item.title));
    link.append(el('span', 'shelfwise-card-price', formatPrice(item.price)));
    if (item.reason) link.append(el('span', 'shelfwise-card-reason', item.reason));
    if (options.onItemClick) link.addEventListener('click', (event) => options.onItemClick(item, event));
    card.append(link);
    row.append(card);
  }
  section.append(row);
  container.replaceChildren(section);
  return section;
}
