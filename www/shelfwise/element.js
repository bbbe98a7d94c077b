// <shelfwise-shelf>: a shelf as a custom element.
//
//   <shelfwise-shelf kind="for-you" count="8" item="SW-00042">
//     <template>                                   <!-- optional: the card, as the shop wants it -->
//       <a data-shelfwise-href="url" data-shelfwise-event="click">
//         <img data-shelfwise-src="image" alt="">
//         <span data-shelfwise-text="title"></span> <span data-shelfwise-text="price"></span>
//       </a>
//     </template>
//   </shelfwise-shelf>
//
//   import { init, registerShelfwise } from 'shelfwise';
//   registerShelfwise(init({ pack: '/shop.pack' }));   // defines the element; instance or promise
//   // or, per element: defineShelfwiseShelf(); element.shelfwise = instance;
//
// Behaviour
// - Attributes: `kind` (any string, passed to `shelfwise.shelf(kind, …)`), `count` (shelf size,
//   default 8), `item` (the context item: left out of the shelf, passed on as `item`). Changing
//   any of them, or the `shelfwise` property, ranks the shelf again.
// - The element first shows `count` placeholders (`li.shelfwise-card.shelfwise-placeholder`,
//   inert) and ranks the shelf only once it comes within PRELOAD_MARGIN of the viewport
//   (IntersectionObserver). After that it re-ranks after every change to the shopper's events.
// - Cards come from the `<template>` child (cloned for each item) or a default card. Item data
//   only ever goes in as text (`data-shelfwise-text="title|price|category|brand|reason|id"` sets
//   textContent) or as a URL that passed `safeUrl` (`data-shelfwise-href`, `data-shelfwise-src`;
//   an unsafe URL removes the attribute, and hides an image). Elements of the card carrying
//   `data-shelfwise-event` get `data-shelfwise-item="<id>"`, for autotrack().
// - A failure to rank (a ShelfwiseError, e.g. `unknown_shelf` for a kind this version does not
//   have, `out_of_range` for a bad count) leaves the shelf empty (`data-state="error"`) and
//   logs one console.warn for that configuration; it never throws into the page.
// - Server-rendered cards (static shelves from `shelfwise build --static-shelves`) inside a child
//   `<ol data-shelfwise-list>` are kept, with `data-state="static"`, until the personalized shelf
//   replaces them (if ranking fails they stay, with the one warning); without such a list the
//   element starts with placeholders.
// - State for styling and tests: `data-state` = static | placeholder | ready | empty | error; events
//   `shelfwise-render` (detail: { shelf }) and `shelfwise-error` (detail: { error }).
//
// The class is created by defineShelfwiseShelf(), not at import, so importing this module has no
// side effects and works where there is no DOM (server-side rendering).

import { ShelfwiseError } from './errors.js';
import { safeUrl } from './render.js';
import { shelfStore } from './store.js';

/** The tag name defineShelfwiseShelf() uses by default. */
export const SHELF_TAG = 'shelfwise-shelf';
/** How close to the viewport a shelf must come before it is ranked (IntersectionObserver rootMargin). */
export const PRELOAD_MARGIN = '200px';
const DEFAULT_COUNT = 8;
const MAX_PLACEHOLDERS = 50;
const TEXT_FIELDS = new Set(['id', 'title', 'category', 'brand', 'price', 'reason']);
const URL_FIELDS = new Set(['url', 'image']);

let defaultShelfwise = null;
const waiting = new Set(); // connected, visible elements with no instance yet

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

function parseCount(value) {
  if (value === null) return DEFAULT_COUNT;
  const trimmed = value.trim();
  return trimmed === '' ? Number.NaN : Number(trimmed);
}

function formatField(item, field, formatPrice) {
  if (!TEXT_FIELDS.has(field)) return '';
  const value = item[field];
  if (field === 'price') return typeof value === 'number' ? formatPrice(value) : '';
  return value === undefined || value === null ? '' : String(value);
}

function node(tag, className, text) {
  const created = document.createElement(tag);
  created.className = className;
  if (text !== undefined) created.textContent = text;
  return created;
}

/** The default card: the same structure and classes as renderShelf() uses. */
function defaultCard(item, formatPrice) {
  const href = item ? safeUrl(item.url) : null;
  const link = href ? node('a', 'shelfwise-card-link') : node('div', 'shelfwise-card-link');
  if (href) {
    link.href = href;
    link.dataset.shelfwiseEvent = 'click';
  }
  const src = item ? safeUrl(item.image) : null;
  if (src) {
    const image = node('img', 'shelfwise-card-image');
    image.src = src;
    image.alt = '';
    image.loading = 'lazy';
    link.append(image);
  }
  link.append(node('span', 'shelfwise-card-title', item ? item.title : ''));
  link.append(node('span', 'shelfwise-card-price', item ? formatPrice(item.price) : ''));
  if (item?.reason) link.append(node('span', 'shelfwise-card-reason', item.reason));
  return link;
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

function createElementClass() {
  return class ShelfwiseShelfElement extends HTMLElement {
    static observedAttributes = ['kind', 'count', 'item'];

    #shelfwise = null;
    #list = null;
    #observer = null;
    #visible = false;
    #store = null;
    #unsubscribe = null;
    #warned = false;
    #keepStatic = false; // server-rendered cards stay until the first ranked shelf
    #formatPrice = (price) => price.toFixed(2);

    constructor() {
      super();
      // Properties the page set before the element was defined are own properties of the
      // element that hide the accessors: move them onto the accessors.
      for (const name of ['shelfwise', 'formatPrice']) {
        if (Object.hasOwn(this, name)) {
          const value = this[name];
          delete this[name];
          this[name] = value;
        }
      }
    }

    /** Formats prices for `data-shelfwise-text="price"` and the default card. */
    get formatPrice() {
      return this.#formatPrice;
    }

    set formatPrice(format) {
      if (typeof format !== 'function') {
        throw new ShelfwiseError('invalid_argument', '<shelfwise-shelf>.formatPrice must be a function (price: number) => string');
      }
      this.#formatPrice = format;
    }

    /** The Shelfwise instance (or promise) of this element; falls back to registerShelfwise(). */
    get shelfwise() {
      return this.#shelfwise ?? defaultShelfwise;
    }

    set shelfwise(value) {
      this.#shelfwise = value ?? null;
      if (this.#list) this.restart(); // before the first connection there is nothing to redo
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
      this.#stop();
      waiting.delete(this);
    }

    attributeChangedCallback(name, previous, value) {
      // Before the first connectedCallback (e.g. while upgrading) there is nothing to redo.
      if (previous === value || !this.isConnected || !this.#list) return;
      this.#keepStatic = false; // the server's cards were for the old attributes
      this.restart();
    }

    /** Ranks the shelf again from scratch (placeholders first). Called on every change. */
    restart() {
      this.#stop();
      this.#warned = false;
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
      const item = this.getAttribute('item');
      const store = shelfStore(shelfwise, this.kind, { k: parseCount(this.getAttribute('count')), item });
      this.#store = store;
      this.#unsubscribe = store.subscribe(() => {
        if (this.#store === store) this.#draw(store.getSnapshot());
      });
    }

    #stop() {
      this.#unsubscribe?.();
      this.#store?.close();
      this.#unsubscribe = null;
      this.#store = null;
    }

    #ownList() {
      const list = node('ol', 'shelfwise-shelf-items');
      list.dataset.shelfwiseList = '';
      this.append(list);
      return list;
    }

    #card(item) {
      const card = node('li', 'shelfwise-card');
      const template = this.querySelector(':scope > template');
      if (template) {
        const fragment = document.importNode(template.content, true);
        if (item) fillTemplate(fragment, item, this.formatPrice);
        card.append(fragment);
      } else {
        card.append(defaultCard(item, this.formatPrice));
      }
      if (item) {
        card.dataset.itemId = item.id;
        card.dataset.category = item.category;
      } else {
        card.classList.add('shelfwise-placeholder');
        card.setAttribute('aria-hidden', 'true');
        card.inert = true;
      }
      return card;
    }

    #placeholders() {
      const count = parseCount(this.getAttribute('count'));
      const shown = Number.isInteger(count) && count > 0 ? Math.min(count, MAX_PLACEHOLDERS) : 0;
      this.#list.replaceChildren(...Array.from({ length: shown }, () => this.#card(null)));
      this.#list.removeAttribute('aria-label');
      this.dataset.state = 'placeholder';
      this.setAttribute('aria-busy', 'true');
    }

    #draw(snapshot) {
      if (snapshot.status === 'ready') {
        this.#keepStatic = false;
        const { shelf } = snapshot;
        this.#list.replaceChildren(...shelf.items.map((item) => this.#card(item)));
        if (typeof shelf.title === 'string') this.#list.setAttribute('aria-label', shelf.title);
        this.dataset.state = shelf.items.length > 0 ? 'ready' : 'empty';
        this.dataset.shelfwiseShelf = shelf.kind; // the shelf kind, for measurement.js
        this.removeAttribute('aria-busy');
        this.dispatchEvent(new CustomEvent('shelfwise-render', { detail: { shelf } }));
      } else if (snapshot.status === 'error') {
        if (!this.#keepStatic) {
          this.#list.replaceChildren();
          this.#list.removeAttribute('aria-label');
          this.dataset.state = 'error';
          this.removeAttribute('aria-busy');
        }
        const { error } = snapshot;
        if (!this.#warned) {
          this.#warned = true;
          const outcome = this.#keepStatic ? 'keeps its server-rendered cards' : 'shows nothing';
          console.warn(`Shelfwise: <${this.localName} kind="${this.kind}"> ${outcome}: ${error.kind}: ${error.message}`);
        }
        this.dispatchEvent(new CustomEvent('shelfwise-error', { detail: { error } }));
      }
    }
  };
}
