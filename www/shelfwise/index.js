// Shelfwise: on-device product recommendations.
//
//   import { init, renderShelf } from 'shelfwise';
//   const shelfwise = await init({ pack: '/shop.pack', consent: 'on-device' });  // the shopper agreed
//   await shelfwise.track({ type: 'view', item: 'SW-00042' });
//   renderShelf(document.querySelector('#recs'), await shelfwise.shelf('for-you', { k: 8 }));
//
// Importing this module fetches nothing; init() starts the worker and, on the page at the same
// time, fetches the pack and fetches and compiles the wasm core (loader.js), then hands both to
// the worker (the pack's bytes are transferred, not copied). The shopper's events live in the
// engine's memory (a Web Worker by default) and, only under consent "on-device", in this
// browser's IndexedDB (docs/PRIVACY.md). They are never sent anywhere.
//
// Every promise this module returns rejects with a ShelfwiseError (a stable `kind` string),
// whether the engine runs in the worker or inline: misuse is refused before it reaches the
// core, the core's own errors are rebuilt as ShelfwiseError instances, and a crash of the core
// (a wasm trap) becomes kind "internal" while the engine restarts itself (see engine.js).

import { ShelfwiseError, errorFromData, toShelfwiseError } from './errors.js';
import { DEFAULT_TIMEOUT_MS, PREFETCH_BYTES, chooseWasm, compileWasm, fetchPack } from './loader.js';
import { CONSENT_MODES, DEFAULT_CONSENT } from './memory.js';
import { DEFAULT_MAX_EVENTS, DEFAULT_RETENTION_DAYS } from './storage.js';
import {
  DEFAULT_K, EVENT_FIELDS, EXPLORE_FIELDS, FILTER_FIELDS, MAX_K, RULE_FIELDS, SHELF_KINDS, SHELF_OPTIONS,
} from './contract.js';
import { measurementSettings, startMeasurement } from './measurement.js';
import { LINK_POLICIES, linkUrl } from './render.js';

export { ShelfwiseError } from './errors.js';
export { renderShelf, safeUrl, linkUrl, describeEvidence, priceFormatter } from './render.js';
export { shelfStore } from './store.js';
export { autotrack, VIEW_THRESHOLD } from './autotrack.js';
export { defineShelfwiseShelf, registerShelfwise } from './element.js';
export { WASM_VARIANTS, relaxedSimdSupported } from './loader.js';

function absolute(url, name) {
  if (url === undefined || url === null || url === '') {
    throw new ShelfwiseError('invalid_argument', `init: the ${name} option is required`);
  }
  const base = typeof document !== 'undefined' ? document.baseURI : self.location.href;
  try {
    return new URL(String(url), base).href;
  } catch {
    throw new ShelfwiseError('invalid_argument', `init: the ${name} option is not a valid URL: ${String(url)}`);
  }
}

/** Whether this page already logged the context-only note (noteContextOnly). */
let contextOnlyNoted = false;

/**
 * Under consent "context-only" the shopper's events are lost on every navigation, so a
 * multi-page shop's shelves never personalize across pages: say so once per page (console.info,
 * not a warning: it is the privacy-safe default, not a fault), so that a shop finds out in
 * development.
 */
function noteContextOnly(consent) {
  if (consent !== 'context-only' || contextOnlyNoted) return;
  contextOnlyNoted = true;
  console.info('Shelfwise: consent is "context-only" (the default): the shopper\'s events stay in this page\'s memory '
    + 'and are lost on navigation, so shelves do not personalize across pages. Once the shopper agrees, pass '
    + 'init({ consent: "on-device" }) or call setConsent("on-device") (docs/API.md, "Consent").');
}

/** How long a closed instance's worker may take to finish its background writes. */
const CLOSE_GRACE_MS = 10_000;

/** Runs calls in a module worker; each call is one message, answered by id. */
class WorkerTransport {
  constructor() {
    this.failure = null; // a ShelfwiseError once closed or once the worker died
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'shelfwise' });
    this.pending = new Map();
    this.nextId = 1;
    this.worker.onmessage = ({ data }) => {
      const call = this.pending.get(data.id);
      if (!call) return;
      this.pending.delete(data.id);
      if (data.error) call.reject(errorFromData(data.error));
      else call.resolve(data.result);
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      const error = new ShelfwiseError('worker_failed', `the Shelfwise worker failed: ${event.message || 'could not start'}`);
      this.failure = error;
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
    this.worker.onmessageerror = () => {
      const error = new ShelfwiseError('internal', 'a message from the Shelfwise worker could not be read');
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
  }

  call(method, ...args) {
    return this.callTransferring(method, args, []);
  }

  /** call(method, ...args), moving the objects in `transfer` (ArrayBuffers) to the worker. */
  callTransferring(method, args, transfer) {
    return new Promise((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ id, method, args }, transfer);
      } catch (error) {
        // e.g. a DataCloneError: an argument holds a function, a DOM node …
        this.pending.delete(id);
        reject(new ShelfwiseError('invalid_argument', `${method}: the arguments cannot be sent to the engine (${error.message})`));
      }
    });
  }

  /**
   * Rejects every later call with kind "closed" at once. Calls already sent settle with their
   * real outcome (the engine finishes them before it closes); the worker is stopped once the
   * engine has closed (its background writes done), or after CLOSE_GRACE_MS, when calls still
   * pending reject with "closed".
   */
  close() {
    if (this.failure?.kind === 'closed') return;
    const error = new ShelfwiseError('closed', 'this Shelfwise instance was closed');
    const worker = this.worker;
    const failed = this.failure !== null;
    this.failure = error;
    if (failed) {
      worker.terminate();
      return;
    }
    const id = this.nextId++;
    const stop = () => {
      clearTimeout(timer);
      worker.terminate();
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
    const timer = setTimeout(stop, CLOSE_GRACE_MS);
    const answer = this.worker.onmessage;
    worker.onmessage = (message) => {
      if (message.data?.id === id) stop();
      else answer(message);
    };
    worker.onerror = (event) => { event.preventDefault(); stop(); };
    worker.postMessage({ id, method: 'close', args: [] });
  }
}

/** Runs calls on the page itself (no worker). */
class InlineTransport {
  callTransferring(method, args) {
    return this.call(method, ...args);
  }

  async call(method, ...args) {
    try {
      if (this.closed) throw new ShelfwiseError('closed', 'this Shelfwise instance was closed');
      if (method === 'open') {
        // Loaded only here, so that the page does not fetch the wasm glue when a worker runs it.
        const { openEngine } = await import('./engine.js');
        const engine = await openEngine(args[0]);
        if (this.closed) throw new ShelfwiseError('closed', 'this Shelfwise instance was closed');
        this.engine = engine;
        return await engine.info();
      }
      if (!this.engine) throw new ShelfwiseError('not_ready', 'the engine is not open yet');
      if (!Object.hasOwn(this.engine, method)) throw new ShelfwiseError('internal', `unknown method ${method}`);
      return await this.engine[method](...args);
    } catch (error) {
      throw toShelfwiseError(error);
    }
  }

  /** Later calls reject with "closed"; calls already made settle with their real outcome. */
  close() {
    this.closed = true;
    this.engine?.close().catch(() => {});
    this.engine = null;
  }
}

/**
 * A plain copy of a track() event, read once (a getter or a Proxy trap runs here, and what it
 * throws becomes the caller's rejection), with `ts` defaulting to now.
 */
function eventArg(event) {
  if (!event || typeof event !== 'object' || Array.isArray(event)) {
    throw new ShelfwiseError('invalid_argument', 'track: the event must be an object like { type, item }');
  }
  const unknown = Object.keys(event).filter((key) => !EVENT_FIELDS.includes(key));
  if (unknown.length > 0) {
    throw new ShelfwiseError('invalid_argument',
      `track: unknown event field ${unknown.map((key) => JSON.stringify(key)).join(', ')}; expected ${EVENT_FIELDS.join(', ')}`);
  }
  const copy = {};
  for (const key of EVENT_FIELDS) {
    const value = event[key];
    if (value !== undefined) copy[key] = value;
  }
  copy.ts ??= Date.now();
  return copy;
}

function checkK(k) {
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) {
    const shown = typeof k === 'string' ? JSON.stringify(k) : String(k);
    throw new ShelfwiseError('out_of_range', `k = ${shown} is out of range: an integer (number) from 1 to ${MAX_K}`);
  }
  return k;
}

export { SHELF_KINDS, DEFAULT_K } from './contract.js';


/** Refuses fields an object should not have (the core would silently ignore them in wasm). */
function onlyFields(where, what, value, allowed) {
  if (value === undefined) return;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ShelfwiseError('invalid_argument', `${where}: ${what} must be an object`);
  }
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new ShelfwiseError('invalid_argument',
      `${where}: unknown ${what} field ${unknown.map((key) => JSON.stringify(key)).join(', ')}; expected ${allowed.join(', ')}`);
  }
}

/** Checks a shelf's kind and options; returns the core's request and `now`. */
function shelfRequest(where, kind, options) {
  if (typeof kind !== 'string') {
    throw new ShelfwiseError('unknown_shelf', `${where}: the shelf kind must be a string, one of ${SHELF_KINDS.join(', ')}`);
  }
  if (!options || typeof options !== 'object' || Array.isArray(options)) {
    throw new ShelfwiseError('invalid_argument', `${where}: the options must be an object like { k: 8 }`);
  }
  onlyFields(where, 'option', options, SHELF_OPTIONS);
  onlyFields(where, 'filters', options.filters, FILTER_FIELDS);
  onlyFields(where, 'explore', options.explore, EXPLORE_FIELDS);
  if (options.rules !== undefined) {
    if (!Array.isArray(options.rules)) throw new ShelfwiseError('invalid_argument', `${where}: rules must be an array`);
    options.rules.forEach((rule, i) => onlyFields(where, `rules[${i}]`, rule, RULE_FIELDS));
  }
  const { now, ...rest } = options;
  const k = checkK(rest.k ?? DEFAULT_K);
  const exclude = rest.exclude ?? [];
  if (!Array.isArray(exclude) || !exclude.every((id) => typeof id === 'string')) {
    throw new ShelfwiseError('invalid_argument', `${where}: exclude must be an array of item id strings`);
  }
  return { now, request: { ...rest, kind, k, exclude } };
}

function interestArg(where, interest) {
  if (!interest || typeof interest !== 'object' || Array.isArray(interest)) {
    throw new ShelfwiseError('invalid_argument', `${where}: pass { category: name } or { brand: name }`);
  }
  return { ...interest };
}

function checkConsent(mode, where) {
  if (!CONSENT_MODES.includes(mode)) {
    throw new ShelfwiseError('invalid_argument',
      `${where}: consent must be ${CONSENT_MODES.map((m) => JSON.stringify(m)).join(' or ')}, not ${JSON.stringify(mode) ?? String(mode)}`);
  }
  return mode;
}

/** The privacy settings of init() options, validated, with their defaults. */
function privacySettings(options) {
  const consent = checkConsent(options.consent ?? DEFAULT_CONSENT, 'init');
  const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  if (typeof retentionDays !== 'number' || !Number.isFinite(retentionDays) || retentionDays <= 0) {
    throw new ShelfwiseError('out_of_range', `init: retentionDays = ${String(retentionDays)} is out of range: a number of days above 0`);
  }
  const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
  if (!Number.isInteger(maxEvents) || maxEvents < 1 || maxEvents > DEFAULT_MAX_EVENTS) {
    throw new ShelfwiseError('out_of_range', `init: maxEvents = ${String(maxEvents)} is out of range: an integer from 1 to ${DEFAULT_MAX_EVENTS}`);
  }
  return { consent, retentionDays, maxEvents };
}

/** init({ links }), validated: where item links may lead (LINK_POLICIES, default "same-origin"). */
function linksSetting(options) {
  const links = options.links ?? 'same-origin';
  if (!LINK_POLICIES.includes(links)) {
    throw new ShelfwiseError('invalid_argument', `init: links = ${JSON.stringify(String(links)).slice(0, 80)} is not one of ${LINK_POLICIES.map((p) => `"${p}"`).join(', ')}`);
  }
  return links;
}

/** `card` (an ItemCard or ShelfItem) with its `url` emptied when `links` does not allow it. */
function withAllowedLink(card, links) {
  if (card && typeof card.url === 'string' && card.url !== '' && !linkUrl(card.url, links)) card.url = '';
  return card;
}

/** A loaded pack and the shopper's on-device events. Create it with init(). */
export class Shelfwise {
  /** @internal */
  constructor(transport, info, links = 'same-origin') {
    this.transport = transport;
    /** Facts about the loaded pack (versions, item count, checksum …). */
    this.info = info;
    /** Where item links may lead (init option `links`): "same-origin" or "any". */
    this.links = links;
  }

  /** @internal Empties the `url` of the items of `shelf` that leave the allowed origin. */
  linked(shelf) {
    for (const item of shelf?.items ?? []) withAllowedLink(item, this.links);
    return shelf;
  }

  /**
   * Records one event on the device. `ts` defaults to now. Resolves once the engine has it and,
   * under consent "on-device", once it is durably stored in IndexedDB (if storage failed, once
   * it is in memory; see docs/PRIVACY.md).
   * @param {{ type: string, item?: string, ts?: number, qty?: number, query?: string }} event
   */
  track(event) {
    let copy;
    try {
      copy = eventArg(event);
    } catch (error) {
      return Promise.reject(toShelfwiseError(error, 'invalid_argument'));
    }
    // The call's time orders it against a forget() in another tab (memory.js).
    return this.transport.call('track', copy, Date.now()).then((result) => { this.eventsChanged(); return result; });
  }

  /**
   * Ranks one shelf on the device. `kind` is one of SHELF_KINDS; the options give its size
   * (`k`, default 8), its context (`item`: the product on the page, `category`, `query`,
   * `cart`), `exclude`, `filters`, call-time `rules`, `maxPerCategory`, `diversity`, an
   * `explore` slot and a `title` (see index.d.ts and docs/RULES.md). Every item carries an
   * `explanation` ({ reason, text, evidence }).
   * @param {string} kind
   * @param {object} [options]
   */
  async shelf(kind, options = {}) {
    let checked;
    try {
      checked = shelfRequest('shelf', kind, options);
    } catch (error) {
      throw toShelfwiseError(error, 'invalid_argument');
    }
    return this.linked(await this.transport.call('shelf', checked.request, checked.now ?? Date.now()));
  }

  /**
   * Several shelves at once: `requests` is an array of `{ kind, ...options }`. No item appears
   * on two shelves (earlier requests win).
   * @param {Array<object>} requests
   * @param {{ now?: number }} [options]
   */
  async page(requests, options = {}) {
    try {
      return (await this.checkedPage(requests, options)).map((shelf) => this.linked(shelf));
    } catch (error) {
      throw toShelfwiseError(error, 'invalid_argument');
    }
  }

  /** @internal page() without the conversion of what getters or Proxies throw. */
  async checkedPage(requests, options) {
    if (!Array.isArray(requests) || requests.length === 0) {
      throw new ShelfwiseError('invalid_argument', 'page: requests must be a non-empty array like [{ kind: "for-you" }]');
    }
    const checked = requests.map((r, i) => {
      if (!r || typeof r !== 'object' || Array.isArray(r)) {
        throw new ShelfwiseError('invalid_argument', `page: request ${i} must be an object like { kind: "trending" }`);
      }
      const { kind, ...rest } = r;
      return shelfRequest(`page: request ${i}`, kind, rest).request;
    });
    return this.transport.call('page', checked, options?.now ?? Date.now());
  }

  /**
   * Removes an interest from the profile: `{ category: name }` or `{ brand: name }`. Events on
   * its items stop shaping the rankings until restoreInterest() or clearEvents().
   * @param {{ category?: string, brand?: string }} interest
   */
  async removeInterest(interest) {
    const result = await this.transport.call('removeInterest', interestArg('removeInterest', interest));
    this.eventsChanged(); // the rankings changed: subscribers rank again
    return result;
  }

  /** Undoes removeInterest(). */
  async restoreInterest(interest) {
    const result = await this.transport.call('restoreInterest', interestArg('restoreInterest', interest));
    this.eventsChanged();
    return result;
  }

  /** One item's card by id. */
  async item(id) {
    if (typeof id !== 'string' && typeof id !== 'number') {
      throw new ShelfwiseError('invalid_argument', `item: the id must be a string, not ${typeof id}`);
    }
    return withAllowedLink(await this.transport.call('item', String(id)), this.links);
  }

  /** Item cards in pack order (for listing the catalog). */
  async items(start = 0, count = 50) {
    const cards = await this.transport.call('items', start, count);
    return cards.map((card) => withAllowedLink(card, this.links));
  }

  /** What the device knows about the shopper, as plain data. */
  profile() {
    return this.transport.call('profile', Date.now());
  }

  /** Forgets every recorded event, search and removed interest, in memory (every tab) and in storage. */
  clearEvents() {
    return this.transport.call('clearEvents', Date.now()).then((result) => { this.eventsChanged(); return result; });
  }

  /**
   * Calls `listener()` after every change to the shopper's events (an accepted `track`,
   * `clearEvents`, `setConsent`, `forget` on this instance), so that shelves can be ranked again. Returns a function that unsubscribes.
   * @param {() => void} listener
   */
  subscribe(listener) {
    if (typeof listener !== 'function') {
      throw new ShelfwiseError('invalid_argument', 'subscribe: the listener must be a function');
    }
    this.listeners ??= new Set();
    const entry = { listener }; // one entry per call, so subscribing a function twice is allowed
    this.listeners.add(entry);
    return () => { this.listeners.delete(entry); };
  }

  /** @internal Tells the subscribers that the events changed; a throwing listener is reported, not rethrown. */
  eventsChanged() {
    for (const { listener } of [...(this.listeners ?? [])]) {
      try {
        listener();
      } catch (error) {
        console.error('Shelfwise: a subscribe() listener threw', error);
      }
    }
  }

  /**
   * Switches the consent mode: "on-device" stores events from now on (this page's events so
   * far included); "context-only" erases the stored events and keeps only this page's.
   * Every open tab of the shop follows.
   * @param {'context-only' | 'on-device'} mode
   */
  async setConsent(mode) {
    await this.transport.call('setConsent', checkConsent(mode, 'setConsent'));
    this.eventsChanged();
  }

  /**
   * Erases everything Shelfwise stored in this browser (its IndexedDB database, the pack cache)
   * and every event in memory, in every open tab. The consent mode stays.
   */
  async forget() {
    await this.transport.call('forget', Date.now()); // the page's clock, as track() sends it
    this.eventsChanged();
  }

  /**
   * What the device measured (docs/MEASUREMENT.md): impressions, shelf clicks and purchases per
   * shelf kind, each purchase with the shelf it is attributed to (last click within
   * `attributionDays`), the experiment's arm and the reporting state. Nothing of it is sent.
   */
  measurement() {
    return this.transport.call('measurement', Date.now());
  }

  /** Everything Shelfwise holds about the shopper, as JSON-serializable data. */
  exportData() {
    return this.transport.call('exportData', Date.now());
  }

  /**
   * Closes this instance: every later call rejects with kind "closed"; calls already made settle
   * with their real outcome (a track() resolves once its event is stored, a forget() once the
   * data is erased). The worker stops once it has finished writing what it was writing.
   */
  close() {
    this.measurementSession?.stop();
    this.transport.close();
  }
}

/**
 * Loads the wasm core and the pack (in parallel, and in parallel with the worker's start-up)
 * and returns a ready Shelfwise instance. The core is the relaxed-SIMD build where this browser
 * validates relaxed SIMD, else the SIMD128 build, unless `wasm` names one (`info.wasm` says which).
 * Rejects with a ShelfwiseError: `invalid_argument` without `pack`, `fetch_failed` when the
 * pack cannot be fetched (an HTTP error, an HTML page instead of a pack, or no complete answer
 * within `timeoutMs`, default 30,000), or the core's pack error (`bad_magic`, `bad_checksum`,
 * `unsupported_version` …). If the core refuses a pack that opened before from the same URL in
 * this browser, the last good copy (Cache API, cache "shelfwise-packs-v1") is used instead,
 * with one console.warn naming the error kind.
 * Privacy options (docs/PRIVACY.md): `consent` ("context-only", the default, or "on-device"),
 * `retentionDays` (default 90) and `maxEvents` (default and most 10,000) for stored events.
 * Measurement options (docs/MEASUREMENT.md, measurement.js): `measure` (default true),
 * `attributionDays` (default 7), `experiment` and `reporting` (off without it).
 * The pack's 40-byte header is checked as it arrives (loader.js): a body that is not a pack, or
 * longer than its header declares, is never read whole nor copied into the core's memory, and
 * its checksum is computed as it streams, so a damaged pack is refused (`bad_checksum`) first.
 * `links` ("same-origin", the default, or "any"): under "same-origin" an item whose page URL
 * leads to another origin (`https://elsewhere/…`, `//host`, `\\host`) comes back with `url: ""`
 * from shelf(), page(), item() and items(), so no card links away from the shop.
 * `prefetchBytes` (sharded packs only, default PREFETCH_BYTES = 256 KiB): the chunk bytes
 * (manifest sizes, before HTTP compression) the page may fetch when idle for shelves to come;
 * 0 turns prefetching off. A number 0 or more, else `out_of_range`.
 * @param {{ pack: string | URL, wasm?: string | URL, worker?: boolean, consent?: string, retentionDays?: number, maxEvents?: number, timeoutMs?: number, links?: 'same-origin' | 'any', prefetchBytes?: number }} options
 */
export async function init(options = {}) {
  if (!options || typeof options !== 'object') {
    throw new ShelfwiseError('invalid_argument', 'init: the options must be an object like { pack: "/shop.pack" }');
  }
  if (typeof document === 'undefined' && typeof self === 'undefined') {
    throw new ShelfwiseError('unsupported_environment', 'init: Shelfwise needs a browser (a page or a worker); '
      + 'on a server, render static shelves instead (shelfwise build --static-shelves, docs/BUILD_EXTRAS.md)');
  }
  const packUrl = absolute(options.pack, 'pack');
  const wasm = chooseWasm(options.wasm === undefined || options.wasm === null ? undefined : absolute(options.wasm, 'wasm'));
  const privacy = privacySettings(options);
  const measurement = measurementSettings(options);
  const links = linksSetting(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new ShelfwiseError('out_of_range', `init: timeoutMs = ${String(timeoutMs)} is out of range: a number of ms above 0`);
  }
  const prefetchBytes = options.prefetchBytes ?? PREFETCH_BYTES;
  if (typeof prefetchBytes !== 'number' || !Number.isFinite(prefetchBytes) || prefetchBytes < 0) {
    throw new ShelfwiseError('out_of_range', `init: prefetchBytes = ${String(prefetchBytes)} is out of range: a number of bytes, 0 or more`);
  }
  const useWorker = options.worker ?? typeof Worker !== 'undefined';
  const transport = useWorker ? new WorkerTransport() : new InlineTransport();
  try {
    // A page whose Content-Security-Policy does not allow compiling wasm ('wasm-unsafe-eval')
    // may still run a worker that can: then the worker compiles the core (module null).
    const compiling = compileWasm(wasm.url).catch((error) => {
      if (!useWorker || error.kind === 'fetch_failed') throw error;
      return null;
    });
    const [module, pack] = await Promise.all([compiling, fetchPack(packUrl, timeoutMs)]);
    const transfer = pack instanceof ArrayBuffer ? [pack] : [];
    const info = await transport.callTransferring('open', [{ packUrl, pack, module, wasm, privacy, measurement, prefetchBytes }], transfer);
    const shelfwise = new Shelfwise(transport, info, links);
    shelfwise.measurementSession = startMeasurement(transport, measurement);
    noteContextOnly(privacy.consent);
    return shelfwise;
  } catch (error) {
    transport.close();
    throw toShelfwiseError(error);
  }
}
