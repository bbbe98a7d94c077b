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
    // The explanation's text (the same as `reason`), with what it is based on as a tooltip.
    const why = item.explanation?.text ?? item.reason;
    if (why) {
      const reason = el('span', 'shelfwise-card-reason', why);
      if (item.explanation?.reason) reason.dataset.reason = item.explanation.reason;
      const evidence = describeEvidence(item.explanation?.evidence);
      if (evidence) reason.title = evidence;
      link.append(reason);
    }
    if (options.onItemClick) link.addEventListener('click', (event) => options.onItemClick(item, event));
    card.append(link);
    row.append(card);
  }
  section.append(row);
  container.replaceChildren(section);
  return section;
}
