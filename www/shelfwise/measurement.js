// The page side of private measurement (docs/MEASUREMENT.md): the init() options, the shelf
// impressions and clicks seen on the page, and the daily report's beacon.
//
//   const shelfwise = await init({
//     pack: '/shop.pack', consent: 'on-device',
//     experiment: { name: 'shelves-2027-01', arms: { control: 0.1, personalized: 0.9 } },
//     reporting: { endpoint: '/shelfwise/report', epsilon: 1 },   // off without this option
//   });
//   const { byShelf, attributed, experiment } = await shelfwise.measurement();
//
// Impressions and clicks. Every shelf card on the page, `.shelfwise-card[data-item-id]` inside an
// element with `data-shelfwise-shelf="<kind>"` (what renderShelf() and <shelfwise-shelf> draw;
// a shop's own markup can carry the same two marks), is watched: a card at least
// IMPRESSION_THRESHOLD visible for IMPRESSION_MS counts as one impression (once per shelf kind
// and item per page), a click inside it as a shelf click, with the card's position (from 1).
// They go to the engine (measurement-store.js), which keeps them under the consent mode.
//
// The report. With `reporting`, at a random moment REPORT_DELAY_MS after init() (drawn with
// crypto.getRandomValues, never Math.random), and again after each UTC midnight while the page
// stays open, the engine is asked for the day's report; if it has one (at most one per device
// per UTC day, only under consent "on-device"), it is sent with navigator.sendBeacon to
// `reporting.endpoint` on the shop's own origin. Nothing else is ever sent.

import { ShelfwiseError } from './errors.js';

/** Share of a card that must be visible for an impression. */
export const IMPRESSION_THRESHOLD = 0.5;
/** How long a card must stay that visible, in ms. */
export const IMPRESSION_MS = 1000;
/** The report is asked for at a uniformly random moment in this range after init(), in ms. */
export const REPORT_DELAY_MS = Object.freeze([5_000, 120_000]);
/** Default and longest attribution window, in days. */
export const DEFAULT_ATTRIBUTION_DAYS = 7;
const MAX_ATTRIBUTION_DAYS = 30;
/** ε per device-day: the range a shop may choose from. */
export const EPSILON_RANGE = Object.freeze([0.1, 4]);
const CARD = '.shelfwise-card[data-item-id]';
const SHELF = '[data-shelfwise-shelf]';
const DAY_MS = 86_400_000;
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

function refuse(kind, message) {
  return new ShelfwiseError(kind, `init: ${message}`);
}

function onlyKeys(what, value, allowed) {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw refuse('invalid_argument', `${what} must be an object`);
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw refuse('invalid_argument', `unknown ${what} field ${unknown.join(', ')}; expected ${allowed.join(', ')}`);
}

function checkExperiment(experiment) {
  if (experiment === undefined || experiment === null) return null;
  onlyKeys('experiment', experiment, ['name', 'arms']);
  if (typeof experiment.name !== 'string' || !NAME.test(experiment.name)) {
    throw refuse('invalid_argument', 'experiment.name must be 1 to 64 letters, digits, ".", "_" or "-"');
  }
  onlyKeys('experiment.arms', experiment.arms, Object.keys(experiment.arms ?? {}));
  const arms = Object.entries(experiment.arms);
  if (arms.length === 0 || arms.length > 16) throw refuse('invalid_argument', 'experiment.arms must name 1 to 16 arms, like { control: 0.1, personalized: 0.9 }');
  for (const [name, weight] of arms) {
    if (!NAME.test(name)) throw refuse('invalid_argument', `experiment arm ${JSON.stringify(name)}: names are 1 to 64 letters, digits, ".", "_" or "-"`);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
      throw refuse('out_of_range', `experiment arm ${name}: the weight must be a number above 0, not ${String(weight)}`);
    }
  }
  return { name: experiment.name, arms };
}

function checkReporting(reporting) {
  if (reporting === undefined || reporting === null || reporting === false) return null;
  onlyKeys('reporting', reporting, ['endpoint', 'epsilon', 'valueBuckets']);
  const page = typeof document !== 'undefined' ? document.baseURI : self.location.href;
  let endpoint;
  try {
    endpoint = new URL(String(reporting.endpoint ?? ''), page);
  } catch {
    throw refuse('invalid_argument', `reporting.endpoint is not a URL: ${String(reporting.endpoint)}`);
  }
  if (reporting.endpoint === undefined || endpoint.origin !== new URL(page).origin) {
    throw refuse('invalid_argument', `reporting.endpoint must be a URL on the shop's own origin (${new URL(page).origin}), like "/shelfwise/report"`);
  }
  const epsilon = reporting.epsilon ?? 1;
  if (typeof epsilon !== 'number' || !(epsilon >= EPSILON_RANGE[0] && epsilon <= EPSILON_RANGE[1])) {
    throw refuse('out_of_range', `reporting.epsilon = ${String(epsilon)} is out of range: a number from ${EPSILON_RANGE[0]} to ${EPSILON_RANGE[1]}`);
  }
  const buckets = reporting.valueBuckets;
  if (buckets !== undefined) {
    const ok = Array.isArray(buckets) && buckets.length === 4
      && buckets.every((b, i) => typeof b === 'number' && Number.isFinite(b) && b > 0 && (i === 0 || b > buckets[i - 1]));
    if (!ok) throw refuse('invalid_argument', 'reporting.valueBuckets must be 4 increasing positive numbers, like [10, 25, 50, 100]');
  }
  return { endpoint: endpoint.href, epsilon, ...(buckets ? { valueBuckets: [...buckets] } : {}) };
}

/**
 * The measurement settings of init() options, validated: `measure` (record impressions, shelf
 * clicks and purchases; default true), `attributionDays` (default 7), `experiment`, `reporting`.
 */
export function measurementSettings(options) {
  const record = options.measure ?? true;
  if (typeof record !== 'boolean') throw refuse('invalid_argument', 'measure must be true or false');
  const windowDays = options.attributionDays ?? DEFAULT_ATTRIBUTION_DAYS;
  if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > MAX_ATTRIBUTION_DAYS) {
    throw refuse('out_of_range', `attributionDays = ${String(windowDays)} is out of range: a whole number from 1 to ${MAX_ATTRIBUTION_DAYS}`);
  }
  return { record, windowDays, experiment: checkExperiment(options.experiment), reporting: checkReporting(options.reporting) };
}

/** A uniformly random delay in [min, max) ms from crypto.getRandomValues. */
export function randomDelay([min, max] = REPORT_DELAY_MS) {
  const word = new Uint32Array(1);
  crypto.getRandomValues(word);
  return min + Math.floor((word[0] / 2 ** 32) * (max - min));
}

/** The card's shelf kind and position (from 1 among the shelf's cards), or null. */
function placeOf(card) {
  const shelf = card.closest(SHELF);
  const kind = shelf?.dataset.shelfwiseShelf;
  if (!kind) return null;
  const position = [...shelf.querySelectorAll(CARD)].indexOf(card) + 1;
  return position > 0 ? { shelf: kind, position, item: card.dataset.itemId } : null;
}

/** Watches the shelf cards under `root`; `send(record)` gets each impression and click. */
function watchShelves(root, send) {
  const seen = new Set(); // "kind item": one impression per page
  const pending = new Map(); // card → timer
  const observed = new WeakSet();
  const views = new IntersectionObserver((entries) => {
    for (const { target, isIntersecting, intersectionRatio } of entries) {
      const visible = isIntersecting && intersectionRatio >= IMPRESSION_THRESHOLD;
      if (!visible) {
        clearTimeout(pending.get(target));
        pending.delete(target);
      } else if (!pending.has(target)) {
        pending.set(target, setTimeout(() => {
          pending.delete(target);
          const place = target.isConnected && document.visibilityState !== 'hidden' ? placeOf(target) : null;
          if (!place || seen.has(`${place.shelf} ${place.item}`)) return;
          seen.add(`${place.shelf} ${place.item}`);
          send({ type: 'impression', ts: Date.now(), ...place });
        }, IMPRESSION_MS));
      }
    }
  }, { threshold: IMPRESSION_THRESHOLD });
  const scan = (node) => {
    if (node.nodeType !== 1 && node.nodeType !== 9) return;
    const cards = node.nodeType === 1 && node.matches(CARD) ? [node] : [];
    for (const card of [...cards, ...node.querySelectorAll(CARD)]) {
      if (!observed.has(card)) {
        observed.add(card);
        views.observe(card);
      }
    }
  };
  const mutations = new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) scan(node);
      for (const node of change.removedNodes) {
        if (node.nodeType !== 1) continue;
        for (const card of [node, ...node.querySelectorAll(CARD)]) {
          clearTimeout(pending.get(card));
          pending.delete(card);
          views.unobserve(card);
        }
      }
    }
  });
  const onClick = (event) => {
    const card = event.target instanceof Element ? event.target.closest(CARD) : null;
    const place = card ? placeOf(card) : null;
    if (place) send({ type: 'shelf_click', ts: Date.now(), ...place });
  };
  const onHidden = () => {
    if (document.visibilityState !== 'hidden') return;
    for (const timer of pending.values()) clearTimeout(timer);
    pending.clear();
  };
  scan(root);
  mutations.observe(root, { childList: true, subtree: true });
  root.addEventListener('click', onClick, { capture: true });
  document.addEventListener('visibilitychange', onHidden);
  return () => {
    views.disconnect();
    mutations.disconnect();
    for (const timer of pending.values()) clearTimeout(timer);
    root.removeEventListener('click', onClick, { capture: true });
    document.removeEventListener('visibilitychange', onHidden);
  };
}

/** Asks the engine for the day's report at random moments and sends it; returns stop(). */
function scheduleReports(call, endpoint) {
  let stopped = false;
  let timer = null;
  const attempt = async () => {
    const started = Date.now();
    try {
      const body = await call('prepareReport', started);
      if (body && !stopped) navigator.sendBeacon(endpoint, new Blob([body], { type: 'application/json' }));
    } catch {
      // the instance was closed, or storage failed: no report this time
    }
    if (stopped) return;
    // The next UTC day of this attempt (at once if it has begun meanwhile), plus a random delay.
    const next = (Math.floor(started / DAY_MS) + 1) * DAY_MS + randomDelay();
    timer = setTimeout(attempt, Math.max(0, next - Date.now()));
  };
  timer = setTimeout(attempt, randomDelay());
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * Starts what a Shelfwise instance measures on the page: the shelf watch (with `measure`, where
 * there is a DOM) and the report schedule (with `reporting`). Returns { stop() }.
 * @param {{ call: (method: string, ...args: unknown[]) => Promise<unknown> }} transport
 */
export function startMeasurement(transport, settings) {
  const call = (method, ...args) => transport.call(method, ...args);
  const stops = [];
  let warned = false;
  if (settings.record && typeof document !== 'undefined' && typeof IntersectionObserver === 'function') {
    stops.push(watchShelves(document, (record) => {
      call('recordShelf', record).catch((error) => {
        if (warned || error?.kind === 'closed') return;
        warned = true;
        console.warn(`Shelfwise: a shelf ${record.type} was not recorded: ${error?.kind}: ${error?.message}`);
      });
    }));
  }
  if (settings.reporting && typeof navigator?.sendBeacon === 'function') stops.push(scheduleReports(call, settings.reporting.endpoint));
  return { stop: () => stops.splice(0).forEach((stop) => stop()) };
}
