// <shelfwise-shelf>: a shelf as a custom element.
//
//   <shelfwise-shelf kind="bought-together" count="8" currency="EUR">
//     <h2 slot="title"></h2>                        <!-- optional: where the shelf's title goes -->
//     <template>                                   <!-- optional: the card, as the shop wants it -->
//       <a data-shelfwise-href="url" data-shelfwise-event="click">
//         <img data-shelfwise-src="image" alt="">
//         <span data-shelfwise-text="title"></span> <span data-shelfwise-text="price"></span>
//       </a>
//     </template>
//   </shelfwise-shelf>
//
//   import { init, registerShelfwise } from 'shelfwise';
//   registerShelfwise(init({ pack: '/shop.pack', consent }));   // defines the element; instance or promise
//   // or, per element: defineShelfwiseShelf(); element.shelfwise = instance;
//
// Behaviour
// - Attributes: `kind` (any string, passed to `shelfwise.shelf(kind, …)`), `count` (shelf size,
//   default DEFAULT_K; a value that is not a whole number from 1 to MAX_K falls back to the
//   default with one console.warn), the page's context `item`, `category`, `query`, `cart`
//   (ids, space- or comma-separated; without it the core reads the cart from the tracked
//   events), `exclude` (ids), `filters` (JSON, as `shelf()`'s filters), `heading` (replaces the
//   shelf's title), `currency` and `locale` (the price format, render.js priceFormatter). The
//   properties `cart`, `exclude` (arrays) and `filters` (an object) win over the attributes.
//   Changing any of them, or the `shelfwise` property, ranks the shelf again.
// - One page() call per page: the visible elements that share an instance are ranked together,
//   in document order, by one `shelfwise.page([...])` call (ShelfGroup), so no item shows on two
//   of them (earlier elements win). If that call fails, they are ranked one by one, each
//   leaving out what the earlier ones show, so that one bad element fails alone.
// - The element first shows `count` placeholders (`li.shelfwise-card.shelfwise-placeholder`,
//   inert) and ranks the shelf only once it comes within PRELOAD_MARGIN of the viewport
//   (IntersectionObserver). After that its group ranks again after every change to the
//   shopper's events (coalesced); an element redraws only when its shelf changed.
// - Title: the shelf's title goes into a child marked `slot="title"`, else into an
//   `h2.shelfwise-shelf-title` the element adds before its list.
// - Cards come from the `<template>` child (cloned for each item) or render.js's productCard
//   (the same card renderShelf() draws). Item data only ever goes in as text
//   (`data-shelfwise-text="title|price|category|brand|reason|id"` sets textContent) or as a URL
//   that passed `safeUrl` (`data-shelfwise-href`, `data-shelfwise-src`; an unsafe URL removes
//   the attribute, and hides an image). Elements of the card carrying `data-shelfwise-event`
//   get `data-shelfwise-item="<id>"`, for autotrack(); the default card's link is marked
//   `data-shelfwise-event="click"`.
// - A failure to rank (a ShelfwiseError, e.g. `unknown_shelf` for a kind this version does not
//   have, `missing_context` for bought-together with neither item nor cart) leaves the shelf
//   empty (`data-state="error"`) and logs one console.warn for that configuration; it never
//   throws into the page.
// - Server-rendered cards (static shelves from `shelfwise build --static-shelves`) inside a child
//   `<ol data-shelfwise-list>` are kept, with `data-state="static"`, until the personalized shelf
//   replaces them (if ranking fails they stay, with the one warning); without such a list the
//   element starts with placeholders.
// - State for styling and tests: `data-state` = static | placeholder | ready | empty | error; events
//   `shelfwise-render` (detail: { shelf }) and `shelfwise-error` (detail: { error }) bubble and
//   are composed, so a listener on `document` hears every shelf.
//
// The class is created by defineShelfwiseShelf(), not at import, so importing this module has no
// side effects and works where there is no DOM (server-side rendering).

import { ShelfwiseError, toShelfwiseError } from './errors.js';
import { DEFAULT_K, MAX_K } from './contract.js';
import { cardItem, priceFormatter, productCard, safeUrl } from './render.js';

/** The tag name defineShelfwiseShelf() uses by default. */
export const SHELF_TAG = 'shelfwise-shelf';
/** How close to the viewport a shelf must come before it is ranked (IntersectionObserver rootMargin). */
export const PRELOAD_MARGIN = '200px';
const MAX_PLACEHOLDERS = 50;
const TEXT_FIELDS = new Set(['id', 'title', 'category', 'brand', 'price', 'reason']);
const URL_FIELDS = new Set(['url', 'image']);
const OBSERVED = ['kind', 'count', 'item', 'category', 'query', 'cart', 'exclude', 'filters', 'heading', 'currency', 'locale'];

let defaultShelfwise = null;
const waiting = new Set(); // connected, visible elements with no instance yet
const groups = new WeakMap(); // instance or promise → its ShelfGroup

/**
 * Sets the Shelfwise instance (or a promise of one) that every <shelfwise-shelf> without its
 * own `shelfwise` property uses, and defines the element. Returns the element class.
 * @param {object | Promise<object>} shelfwise
 */
export function registerShelfwise(shelfwise) {
  if (!shelfwise || (typeof shelfwise !== 'object' && typeof shelfwise !== 'function')) {
    throw new ShelfwiseError('invalid_argument', 'registerShelfwise: expected a Shelfwise instance or a promise of one (init(…))');
  }
  defaultShelfwise = shelfwise;
  const element = defineShelfwiseShelf();
  for (const shelf of [...waiting]) shelf.restart();
  return element;
}

/**
 * Defines the custom element (once per tag name) and returns its class.
 * @param {string} [tagName]
 */
export function defineShelfwiseShelf(tagName = SHELF_TAG) {
  if (typeof customElements === 'undefined' || typeof HTMLElement === 'undefined') {
    throw new ShelfwiseError('invalid_argument', 'defineShelfwiseShelf: custom elements need a browser page');
  }
  const existing = customElements.get(tagName);
  if (existing) return existing;
  const element = createElementClass();
  customElements.define(tagName, element);
  return element;
}

/** The `count` attribute as a shelf size, or null if it is not a whole number from 1 to MAX_K. */
function parseCount(value) {
  if (value === null) return DEFAULT_K;
  const count = value.trim() === '' ? Number.NaN : Number(value);
  return Number.isInteger(count) && count >= 1 && count <= MAX_K ? count : null;
}

/** Ids from an attribute: space- or comma-separated. */
function parseIds(value) {
  return value === null ? [] : value.split(/[\s,]+/).filter(Boolean);
}

function byDocumentOrder(a, b) {
  return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
}

/** What a card shows for a text field; `reason` is the explanation's text. */
function formatField(item, field, formatPrice) {
  if (!TEXT_FIELDS.has(field)) return '';
  if (field === 'price') return typeof item.price === 'number' ? formatPrice(item.price) : '';
  const value = field === 'reason' ? (item.explanation?.text ?? item.reason) : item[field];
  return value === undefined || value === null ? '' : String(value);
}

/** Fills a clone of the template with `item`, as text and safe URLs only. */
function fillTemplate(fragment, item, formatPrice) {
  for (const target of fragment.querySelectorAll('[data-shelfwise-text]')) {
    target.textContent = formatField(item, target.dataset.shelfwiseText, formatPrice);
  }
  for (const [attribute, selector, key] of [['href', '[data-shelfwise-href]', 'shelfwiseHref'], ['src', '[data-shelfwise-src]', 'shelfwiseSrc']]) {
    for (const target of fragment.querySelectorAll(selector)) {
      const field = target.dataset[key];
      const url = URL_FIELDS.has(field) ? safeUrl(item[field]) : null;
      if (url) {
        target.setAttribute(attribute, url);
      } else {
        target.removeAttribute(attribute);
        if (attribute === 'src') target.hidden = true;
      }
    }
  }
  for (const target of fragment.querySelectorAll('[data-shelfwise-event]')) {
    target.dataset.shelfwiseItem = item.id;
  }
}

/**
 * The visible elements that share one instance (or promise): ranked together by one page()
 * call, in document order, at most one call at a time (changes meanwhile cause one more).
 */
class ShelfGroup {
  constructor(source) {
    this.source = source;
    this.members = new Set();
    this.stopListening = null;
    this.timer = null;
    this.running = false;
    this.again = false;
  }

  join(element) {
    this.members.add(element);
    this.schedule();
  }

  leave(element) {
    if (this.members.delete(element) && this.members.size === 0) {
      this.stopListening?.();
      this.stopListening = null;
    }
  }

  /** Ranks soon: elements that become visible together (one layout pass) share the call. */
  schedule() {
    if (this.running) {
      this.again = true;
    } else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.run();
      }, 0);
    }
  }

  async run() {
    this.running = true;
    try {
      do {
        this.again = false;
        await this.rankOnce();
      } while (this.again && this.members.size > 0);
    } finally {
      this.running = false;
    }
  }

  async rankOnce() {
    let instance;
    try {
      instance = await this.source;
    } catch (error) {
      for (const member of this.members) member.showError(toShelfwiseError(error));
      return;
    }
    if (!this.stopListening && this.members.size > 0 && typeof instance?.subscribe === 'function') {
      this.stopListening = instance.subscribe(() => this.schedule());
    }
    const asked = [];
    for (const member of [...this.members].filter((m) => m.isConnected).sort(byDocumentOrder)) {
      const { request, error } = member.shelfRequest();
      if (error) member.showError(error);
      else asked.push({ member, request });
    }
    if (asked.length === 0) return;
    if (typeof instance.page === 'function') {
      try {
        const shelves = await instance.page(asked.map(({ request }) => request));
        asked.forEach(({ member }, i) => this.show(member, shelves[i]));
        return;
      } catch {
        // One request was refused: rank them one by one below, so that it fails alone.
      }
    }
    const shown = [];
    for (const { member, request: { kind, ...options } } of asked) {
      try {
        const exclude = shown.length > 0 ? [...options.exclude, ...shown] : options.exclude;
        const shelf = await instance.shelf(kind, { ...options, exclude });
        shown.push(...shelf.items.map((item) => item.id));
        this.show(member, shelf);
      } catch (error) {
        if (this.members.has(member)) member.showError(toShelfwiseError(error));
      }
    }
  }

  show(member, shelf) {
    if (this.members.has(member)) member.showShelf(shelf);
  }
}

function groupOf(source) {
  let group = groups.get(source);
  if (!group) {
    group = new ShelfGroup(source);
    groups.set(source, group);
  }
  return group;
}

function createElementClass() {
  return class ShelfwiseShelfElement extends HTMLElement {
    static observedAttributes = OBSERVED;

    #shelfwise = null;
    #list = null;
    #observer = null;
    #visible = false;
    #group = null;
    #warned = new Set(); // warnings given since the last restart
    #drawn = null; // what the list shows now (a signature), to skip identical redraws
    #keepStatic = false; // server-rendered cards stay until the first ranked shelf
    #formatPrice = null;
    #cart = null;
    #exclude = null;
    #filters = null;

    constructor() {
      super();
      // Properties the page set before the element was defined are own properties of the
      // element that hide the accessors: move them onto the accessors.
      for (const name of ['shelfwise', 'formatPrice', 'cart', 'exclude', 'filters']) {
        if (Object.hasOwn(this, name)) {
          const value = this[name];
          delete this[name];
          this[name] = value;
        }
      }
    }

    /** Formats prices (default: priceFormatter with the `currency` and `locale` attributes). */
    get formatPrice() {
      return this.#formatPrice ?? priceFormatter({ currency: this.#attribute('currency'), locale: this.#attribute('locale') });
    }

    set formatPrice(format) {
      if (format !== null && typeof format !== 'function') {
        throw new ShelfwiseError('invalid_argument', '<shelfwise-shelf>.formatPrice must be a function (price: number) => string');
      }
      this.#formatPrice = format;
    }

    /** The cart's ids (else the `cart` attribute, else the cart the tracked events describe). */
    get cart() { return this.#cart; }
    set cart(ids) { this.#cart = this.#idList('cart', ids); this.#changed(); }

    /** Ids to leave out (else the `exclude` attribute). */
    get exclude() { return this.#exclude; }
    set exclude(ids) { this.#exclude = this.#idList('exclude', ids); this.#changed(); }

    /** Filters, as shelf()'s `filters` (else the `filters` attribute, JSON). */
    get filters() { return this.#filters; }
    set filters(value) {
      if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
        throw new ShelfwiseError('invalid_argument', '<shelfwise-shelf>.filters must be an object like { maxPrice: 40 }');
      }
      this.#filters = value ?? null;
      this.#changed();
    }

    /** The Shelfwise instance (or promise) of this element; falls back to registerShelfwise(). */
    get shelfwise() {
      return this.#shelfwise ?? defaultShelfwise;
    }

    set shelfwise(value) {
      this.#shelfwise = value ?? null;
      this.#changed();
    }

    /** The shelf kind (the `kind` attribute), "for-you" when absent. */
    get kind() {
      return this.getAttribute('kind') ?? 'for-you';
    }

    connectedCallback() {
      if (!this.#list) {
        const rendered = this.querySelector(':scope > ol[data-shelfwise-list]');
        this.#list = rendered ?? this.#ownList();
        if (rendered && rendered.children.length > 0) {
          this.#keepStatic = true;
          this.dataset.state = 'static';
        }
      }
      if (!this.#visible && !this.#keepStatic) this.#placeholders();
      this.#observer = new IntersectionObserver((entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        this.#observer?.disconnect();
        this.#observer = null;
        this.#visible = true;
        this.restart();
      }, { rootMargin: PRELOAD_MARGIN });
      if (this.#visible) this.restart();
      else this.#observer.observe(this);
    }

    disconnectedCallback() {
      this.#observer?.disconnect();
      this.#observer = null;
      this.#leave();
      waiting.delete(this);
    }

    attributeChangedCallback(name, previous, value) {
      if (previous === value) return;
      this.#changed();
    }

    /** Ranks the shelf again from scratch (placeholders first). Called on every change. */
    restart() {
      this.#leave();
      this.#warned.clear();
      this.#drawn = null;
      if (!this.isConnected) return;
      this.#list ??= this.#ownList();
      if (!this.#keepStatic) this.#placeholders();
      if (!this.#visible) return;
      const shelfwise = this.shelfwise;
      if (!shelfwise) {
        waiting.add(this);
        return;
      }
      waiting.delete(this);
      this.#group = groupOf(shelfwise);
      this.#group.join(this);
    }

    /**
     * @internal This element's request for its group's page() call: `{ request }`, or
     * `{ error }` when an attribute cannot be used (e.g. `filters` that are not JSON).
     */
    shelfRequest() {
      try {
        const request = { kind: this.kind, k: this.#count(), exclude: this.#exclude ?? parseIds(this.getAttribute('exclude')) };
        for (const name of ['item', 'category', 'query']) {
          const value = this.#attribute(name);
          if (value) request[name] = value;
        }
        const cart = this.#cart ?? (this.hasAttribute('cart') ? parseIds(this.getAttribute('cart')) : null);
        if (cart) request.cart = cart;
        const filters = this.#filters ?? this.#filtersAttribute();
        if (filters) request.filters = filters;
        const heading = this.#attribute('heading');
        if (heading) request.title = heading;
        return { request };
      } catch (error) {
        return { error: toShelfwiseError(error) };
      }
    }

    /** @internal Draws a ranked shelf (unless the list already shows exactly it). */
    showShelf(shelf) {
      let formatPrice;
      try {
        formatPrice = this.formatPrice;
      } catch (error) {
        this.showError(toShelfwiseError(error));
        return;
      }
      const signature = JSON.stringify([shelf.kind, shelf.title, shelf.items.map((item) => [item.id, item.reason, item.price])]);
      if (signature === this.#drawn && !this.#keepStatic) return;
      this.#drawn = signature;
      this.#keepStatic = false;
      this.#list.replaceChildren(...shelf.items.map((item) => this.#card(item, formatPrice)));
      if (typeof shelf.title === 'string') {
        this.#list.setAttribute('aria-label', shelf.title);
        const title = this.#titleNode();
        title.textContent = shelf.title;
        title.hidden = false;
      }
      this.dataset.state = shelf.items.length > 0 ? 'ready' : 'empty';
      this.dataset.shelfwiseShelf = shelf.kind; // the shelf kind, for measurement.js
      this.removeAttribute('aria-busy');
      this.#emit('shelfwise-render', { shelf });
    }

    /** @internal Shows a failed ranking: an empty shelf (or the server's cards) and one warning. */
    showError(error) {
      this.#drawn = null;
      if (!this.#keepStatic) {
        this.#list.replaceChildren();
        this.#list.removeAttribute('aria-label');
        this.dataset.state = 'error';
        this.removeAttribute('aria-busy');
      }
      const outcome = this.#keepStatic ? 'keeps its server-rendered cards' : 'shows nothing';
      this.#warnOnce(`${outcome}: ${error.kind}: ${error.message}`);
      this.#emit('shelfwise-error', { error });
    }

    #emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }

    #changed() {
      // Before the first connection (e.g. while upgrading) there is nothing to redo.
      if (!this.isConnected || !this.#list) return;
      this.#keepStatic = false; // the server's cards were for the old settings
      this.restart();
    }

    #leave() {
      this.#group?.leave(this);
      this.#group = null;
    }

    #attribute(name) {
      const value = this.getAttribute(name)?.trim();
      return value ? value : undefined;
    }

    #warnOnce(message) {
      if (this.#warned.has(message)) return;
      this.#warned.add(message);
      console.warn(`Shelfwise: <${this.localName} kind="${this.kind}"> ${message}`);
    }

    /** The shelf size: the `count` attribute, or DEFAULT_K with one warning if it is unusable. */
    #count() {
      const value = this.getAttribute('count');
      const count = parseCount(value);
      if (count !== null) return count;
      this.#warnOnce(`count="${value}" is not a whole number from 1 to ${MAX_K}; showing the default, ${DEFAULT_K}`);
      return DEFAULT_K;
    }

    #filtersAttribute() {
      const text = this.getAttribute('filters');
      if (text === null || text.trim() === '') return null;
      let filters;
      try {
        filters = JSON.parse(text);
      } catch (error) {
        throw new ShelfwiseError('invalid_argument', `filters="${text}" is not JSON (${error.message}); expected e.g. filters='{"maxPrice": 40}'`);
      }
      if (!filters || typeof filters !== 'object' || Array.isArray(filters)) {
        throw new ShelfwiseError('invalid_argument', `filters="${text}" is not a JSON object; expected e.g. filters='{"maxPrice": 40}'`);
      }
      return filters;
    }

    #idList(name, ids) {
      if (ids === null || ids === undefined) return null;
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
        throw new ShelfwiseError('invalid_argument', `<shelfwise-shelf>.${name} must be an array of item id strings`);
      }
      return [...ids];
    }

    #ownList() {
      const list = document.createElement('ol');
      list.className = 'shelfwise-shelf-items';
      list.dataset.shelfwiseList = '';
      this.append(list);
      return list;
    }

    /** The title's node: the child marked slot="title", else an h2 added before the list. */
    #titleNode() {
      const given = this.querySelector(':scope > [slot="title"]');
      if (given) return given;
      const title = document.createElement('h2');
      title.className = 'shelfwise-shelf-title';
      title.slot = 'title';
      this.#list.before(title);
      return title;
    }

    #card(item, formatPrice) {
      const template = this.querySelector(':scope > template');
      let content;
      if (template) {
        content = document.importNode(template.content, true);
        if (item) fillTemplate(content, item, formatPrice);
      } else {
        // The instance already emptied the links its `links` option does not allow.
        content = productCard(item, formatPrice, 'any');
        if (item && content.localName === 'a') {
          content.dataset.shelfwiseEvent = 'click';
          content.dataset.shelfwiseItem = item.id;
        }
      }
      const card = cardItem(item, content);
      if (!item) {
        card.classList.add('shelfwise-placeholder');
        card.setAttribute('aria-hidden', 'true');
        card.inert = true;
      }
      return card;
    }

    #placeholders() {
      const count = parseCount(this.getAttribute('count')) ?? DEFAULT_K;
      this.#drawn = null;
      this.#list.replaceChildren(...Array.from({ length: Math.min(count, MAX_PLACEHOLDERS) }, () => this.#card(null, () => '')));
      this.#list.removeAttribute('aria-label');
      this.dataset.state = 'placeholder';
      this.setAttribute('aria-busy', 'true');
    }
  };
}
