// Type declarations for the Shelfwise JS shell (www/shelfwise/index.js).
//
// Errors: every promise of this API rejects with a `ShelfwiseError` (`instanceof` holds, `name`
// is "ShelfwiseError", `kind` is a stable `ErrorKind`), with the engine in a worker (default) or
// inline (`worker: false`). Misuse never reaches the core as a crash.
//
// Crashes: if the wasm core traps anyway (a panic in a release build), that call rejects with
// kind `internal`, the first crash of an instance is logged once with `console.error`, and the
// engine restarts from the same pack bytes, replaying the newest 10,000 accepted events, so
// later calls work and stay personalized.
//
// Last good pack: after a pack opens, its bytes are kept with the Cache API (cache
// "shelfwise-packs-v1", keyed by pack URL). If a later `init()` with the same URL fetches a pack
// the core refuses (corrupt, or a format version this runtime cannot read), the cached copy is
// opened instead, with one `console.warn` naming the error kind; without a cached copy, `init()`
// rejects with the core's error. Without the Cache API (insecure context) nothing is cached.

/** Event types the core understands. */
export type EventType = 'view' | 'click' | 'add_to_cart' | 'remove_from_cart' | 'purchase' | 'search';

/**
 * One shopper event. It is kept on the device only. Other fields are refused
 * (`invalid_argument`), as are non-object events.
 */
export interface TrackEvent {
  type: EventType;
  /** Item id; required for every type but `search`. */
  item?: string;
  /** Milliseconds since 1970, finite (NaN/Infinity: `out_of_range`); defaults to `Date.now()`. */
  ts?: number;
  /** Quantity for cart and purchase events (whole number ≥ 1, default 1). */
  qty?: number;
  /** Search text for `search` events. */
  query?: string;
}

/** A product as stored in the pack. Render `title` etc. as text, never as HTML. */
export interface ItemCard {
  id: string;
  title: string;
  category: string;
  brand: string;
  price: number;
  /** As stored (`""`: the item has no image); pass through `safeUrl` before use. */
  image: string;
  /**
   * As stored (`""`: the item has no page, or, under `links: 'same-origin'`, its page is on
   * another origin); pass through `linkUrl` (or `safeUrl`) before use.
   */
  url: string;
  inStock: boolean;
}

/** Why an item is on a shelf (machine-readable). */
export type Reason =
  | 'profile' | 'top-category' | 'popular' | 'bought-before' | 'viewed' | 'similar' | 'visually-similar'
  | 'bought-together' | 'trending' | 'trending-in-category' | 'recently-viewed' | 'new' | 'search' | 'category' | 'pinned'
  | 'exploration';

/** What an explanation is based on; absent fields do not apply. */
export interface Evidence {
  /** The item that led here (viewed, on the page, in the cart). */
  item?: { id: string; title: string };
  category?: string;
  /** Purchases, views or shared baskets. */
  count?: number;
  /** Similarity in [0, 1]. */
  similarity?: number;
  /** A share in [0, 1] (of the shopper's attention, or a trend value). */
  share?: number;
  query?: string;
  /** The merchandising rule that moved the item, e.g. "pin (pack)", "boost (page)". */
  rule?: string;
  /** Forecast units sold per week (trending shelves, when the pack has sales rates). */
  forecastPerWeek?: number;
  /** Units sold per week recently (with forecastPerWeek). */
  recentPerWeek?: number;
}

export interface Explanation {
  reason: Reason;
  /** The sentence to show (plain text). */
  text: string;
  evidence: Evidence;
}

/** An item on a shelf with its score and the reason it is there. */
export interface ShelfItem extends ItemCard {
  score: number;
  /** The same as `explanation.text`. */
  reason: string;
  explanation: Explanation;
}

/** Shelf kinds available in this version. */
export type ShelfKind =
  | 'for-you' | 'discovery' | 'buy-again' | 'because-you-viewed' | 'similar' | 'visually-similar'
  | 'bought-together' | 'trending' | 'trending-in-categories' | 'recently-viewed' | 'new-for-you';

/** The shelf kinds, as a list. */
export const SHELF_KINDS: readonly ShelfKind[];

/** Items per shelf when a request gives no `k` (and `<shelfwise-shelf>`'s default `count`): 8. */
export const DEFAULT_K: number;

/** Filters (docs/RULES.md); unset fields take the shelf's defaults. */
export interface ShelfFilters {
  /** Default true. */
  inStock?: boolean;
  minPrice?: number;
  maxPrice?: number;
  /** Only these categories. */
  categories?: string[];
  excludeCategories?: string[];
  /** Default true. */
  excludeInCart?: boolean;
  /**
   * Leave out what the shopper bought. Default false: `for-you` shows repeat purchases when
   * the blend ranks them. Always true for `discovery` (passing false there is an
   * `invalid_argument` error).
   */
  excludePurchased?: boolean;
}

/** A call-time merchandising rule: exactly one of `item` or `category`. */
export interface ShelfRule {
  action: 'boost' | 'bury' | 'pin';
  item?: string;
  category?: string;
  /** Boost / bury weight, 0–10 (defaults 0.5 / 1). */
  weight?: number;
  /** Pin position, 1-based (default 1). */
  position?: number;
}

export interface ShelfOptions {
  /** Items wanted, an integer from 1 to 1000 (default 8). */
  k?: number;
  /** Time of the ranking in ms (default now). */
  now?: number;
  /** Ids to leave out (unknown ids are ignored). */
  exclude?: string[];
  /** The product on the page (required by `similar` and `visually-similar`; `bought-together` needs it or a cart). */
  item?: string;
  /** The category the page shows. */
  category?: string;
  /** The page's search text (else the session's latest search). */
  query?: string;
  /** The cart's ids (else the cart the events describe). */
  cart?: string[];
  filters?: ShelfFilters;
  rules?: ShelfRule[];
  /** At most this many items of one category. */
  maxPerCategory?: number;
  /** MMR trade-off in [0, 1] (default 0: by score only). */
  diversity?: number;
  /** Exploration slots (at most a quarter of the shelf), reproducible by seed. */
  explore?: { seed: number; slots?: number };
  /** Overrides the shelf's title. */
  title?: string;
}

/** One shelf of a page() call. */
export interface ShelfRequest extends Omit<ShelfOptions, 'now'> {
  kind: ShelfKind;
}

/** An interest to remove or restore: a category or a brand, by name. */
export type Interest = { category: string; brand?: undefined } | { brand: string; category?: undefined };

export interface Shelf {
  kind: ShelfKind;
  title: string;
  /** False when there were no usable events and the shelf is popularity only. */
  personalized: boolean;
  items: ShelfItem[];
}

export interface PackInfo {
  formatVersion: number;
  builderVersion: string;
  itemCount: number;
  dim: number;
  /** The image embeddings' dimension; 0 when the pack has none (`visually-similar` is then `unsupported`). */
  imageDim: number;
  categoryCount: number;
  bytes: number;
  /** The header's CRC-32 of the whole pack except the checksum field, hex; verified when the pack was opened. */
  checksum: string;
  builtAtMs: number;
  /** The build of the wasm core that runs (see `init`), and where it came from (absolute URL). */
  wasm: { variant: WasmVariant | 'custom'; url: string };
  /**
   * Only for a sharded pack (`init({ pack: '…/bootstrap.shard' })`): its chunks and what was
   * loaded when `info` was read (`itemCount` then counts the items held, not the catalog).
   */
  sharded?: {
    layout: 'sharded';
    chunkCount: number;
    chunksLoaded: number;
    nprobe: number;
    fetchedBytes: number;
    cachedBytes: number;
    chunksFetched: number;
    chunksFromCache: number;
    failures: number;
    /** What is left of the idle prefetch budget (`init({ prefetchBytes })`), in manifest bytes. */
    prefetchLeft: number;
    /**
     * Chunks and bytes by why they were first asked for: `item`, `directory`, `nearest`,
     * `neighbour`, `neighbour-directory` or `prefetch`.
     */
    reasons: Record<string, { chunks: number; bytes: number }>;
    /** The same reason per chunk file name. */
    fileReasons: Record<string, string>;
    /** The chunk files of the partitions probed for the last shelf, nearest first. */
    lastProbe: string[];
  };
}

/**
 * The builds of the wasm core shipped with the package: `simd128` (shelfwise_bg.wasm, every
 * browser with WebAssembly SIMD) and `relaxed-simd` (shelfwise_relaxed_bg.wasm, SIMD128 plus
 * relaxed SIMD). `init()` runs `relaxed-simd` where `relaxedSimdSupported()`, else `simd128`;
 * `custom` means `init({ wasm })` named the file.
 */
export type WasmVariant = 'simd128' | 'relaxed-simd';

/** Absolute URL of each build of the core (next to this module). */
export const WASM_VARIANTS: Readonly<Record<WasmVariant, string>>;

/** True if this browser's `WebAssembly.validate` accepts a relaxed-SIMD instruction. */
export function relaxedSimdSupported(): boolean;

export interface ProfileSummary {
  eventCount: number;
  searchCount: number;
  /** Decayed evidence behind the long-term interest. */
  evidence: number;
  /** Evidence behind the current session's interest. */
  sessionEvidence: number;
  topCategories: Array<{ category: string; share: number }>;
  topBrands: Array<{ brand: string; share: number }>;
  /** Price bands within each item's category, by share of attention. */
  priceBands: Array<{ band: 'low' | 'mid' | 'high'; share: number }>;
  /** Readable segments, e.g. "candles & lights, mid price". */
  segments: string[];
  /** Latest searches, newest first. */
  recentSearches: string[];
  /** Interests the shopper removed. */
  removedInterests: Interest[];
  /** Long-term interest vector (embedding space). */
  interest: number[];
  /** Current session's interest vector. */
  sessionInterest: number[];
}

/**
 * Consent modes (docs/PRIVACY.md). `context-only`: nothing is stored; shelves use this page's
 * events only. `on-device`: events are also stored in this browser's IndexedDB (database
 * "shelfwise") and replayed on the next visit. Neither sends anything anywhere.
 */
export type ConsentMode = 'context-only' | 'on-device';

/** One stored event as exported: the tracked fields plus a random on-device `id`. */
export interface StoredEvent {
  /** 32 hex digits, made on the device to tell records apart; never sent anywhere. */
  id: string;
  type: EventType;
  ts: number;
  item?: string;
  qty?: number;
  query?: string;
}

/** What `exportData()` returns: JSON-serializable, everything Shelfwise holds about the shopper. */
export interface ExportedData {
  format: 'shelfwise-export';
  /** Version of this export format. */
  version: 1;
  /** ISO 8601 time of the export. */
  exportedAt: string;
  consent: ConsentMode;
  /** Where `events` come from: `indexeddb` (stored) or `memory` (not stored: context-only, or storage failed). */
  storage: 'indexeddb' | 'memory';
  settings: { retentionDays: number; maxEvents: number };
  /** Oldest first. */
  events: StoredEvent[];
  /** The profile the engine derives from the events. */
  profile: ProfileSummary;
  /** The measurement records, the device secret (with an experiment), the arm and the report ledger. */
  measurement: {
    records: MeasurementRecord[];
    secret: string | null;
    arm: string | null;
    ledger: { lastSentDay: number | null; lastReportedDay: number | null; activeDays: number[] };
  };
}

/** A shelf impression or click, or a purchase with its value, as the device keeps it. */
export interface MeasurementRecord {
  id: string;
  type: 'impression' | 'shelf_click' | 'purchase';
  ts: number;
  item: string;
  shelf?: ShelfKind;
  /** On the shelf, from 1. */
  position?: number;
  qty?: number;
  /** Price × quantity, in the pack's currency. */
  value?: number;
}

/** An experiment: arm names and their weights (positive; normalized). */
export interface ExperimentOptions {
  /** 1 to 64 letters, digits, ".", "_" or "-"; a new name draws every device's arm afresh. */
  name: string;
  /** E.g. `{ control: 0.1, personalized: 0.9 }`; the `control` arm gets non-personalized shelves. */
  arms: Record<string, number>;
}

/** The daily ε-LDP report (docs/MEASUREMENT.md); off without this option. */
export interface ReportingOptions {
  /** Where reports are posted with `navigator.sendBeacon`: a URL on the page's own origin. */
  endpoint: string;
  /** The privacy budget per device and UTC day, 0.1 to 4 (default 1). */
  epsilon?: number;
  /** The four edges of the order-value buckets, increasing (default [10, 25, 50, 100]). */
  valueBuckets?: [number, number, number, number];
}

/** One shelf kind's totals in `measurement()` (`shelf: null`: purchases via no shelf). */
export interface ShelfTotals {
  shelf: ShelfKind | null;
  impressions: number;
  clicks: number;
  purchases: number;
  value: number;
}

/** What `measurement()` returns: what the device measured; nothing of it is sent. */
export interface MeasurementSummary {
  windowDays: number;
  impressions: number;
  clicks: number;
  purchases: number;
  value: number;
  /** Per shelf kind with any record, then purchases via no shelf. */
  byShelf: ShelfTotals[];
  /** Every purchase with the shelf of the last click on its item within `windowDays`. */
  attributed: { item: string; ts: number; value: number; shelf: ShelfKind | null }[];
  /** Where the records are: `indexeddb` (consent on-device) or `memory`. */
  storage: 'indexeddb' | 'memory';
  experiment: { name: string; arm: string } | null;
  reporting: { endpoint: string; epsilonPerDay: number; active: boolean; lastSentDay: string | null } | null;
}

export interface InitOptions {
  /** URL of the pack file (relative to the page or absolute). Required (`invalid_argument`). */
  pack: string | URL;
  /**
   * URL of the wasm core to run. Default: the build next to this module that fits the browser
   * (`relaxed-simd` where relaxed SIMD validates, else `simd128`); an explicit URL always wins.
   */
  wasm?: string | URL;
  /** Run the engine in a Web Worker (default: true where workers exist). */
  worker?: boolean;
  /**
   * The consent mode to start in (default `context-only`: nothing stored). Pass the shopper's
   * choice on every page; Shelfwise does not remember a `context-only` choice (that would mean
   * storing something). Anything else: `invalid_argument`. Under `context-only` the events
   * are lost on every navigation (shelves do not personalize across pages); `init` says so
   * once per page with `console.info`.
   */
  consent?: ConsentMode;
  /** Stored events older than this many days are deleted (default 90; a number above 0, else `out_of_range`). */
  retentionDays?: number;
  /** At most this many stored events, the newest kept (default and most 10,000; else `out_of_range`). */
  maxEvents?: number;
  /** How long the pack's fetch may take, body included, in ms (default 30,000; else `fetch_failed`). */
  timeoutMs?: number;
  /**
   * Where item links may lead: `same-origin` (default) empties the `url` of an item whose page
   * is on another origin (`https://elsewhere/…`, `//host`, `\\host`) in every result, so no
   * card links away from the shop; `any` keeps every http(s) URL. Images are not affected (the
   * page's CSP `img-src` governs them). Anything else: `invalid_argument`.
   */
  links?: LinkPolicy;
  /**
   * Sharded packs only: the chunk bytes (manifest sizes, before HTTP compression) the page may
   * fetch when idle for shelves to come: the partitions next in line for the shopper's profile
   * (default 262,144 = 256 KiB per page; 0 turns prefetching off; a number 0 or more, else
   * `out_of_range`).
   */
  prefetchBytes?: number;
  /** Record shelf impressions, shelf clicks and purchases on the device (default true). */
  measure?: boolean;
  /** The last-touch attribution window in days (default 7, 1 to 30). */
  attributionDays?: number;
  /** An experiment: each device draws its arm once, from a device secret. */
  experiment?: ExperimentOptions;
  /** The daily report; needs consent `on-device` too. */
  reporting?: ReportingOptions;
}

/**
 * Machine-readable error kinds (`ShelfwiseError.kind`). The pack kinds (`bad_magic` …
 * `duplicate_item_id`) come from `init()`; `unsupported_version` names the pack's version and
 * the versions this runtime reads. `fetch_failed`: the pack or the wasm could not be fetched
 * (e.g. HTTP 404). `closed`: the instance was closed. `internal`: the core crashed (and was
 * restarted) or another unexpected failure.
 */
export type ErrorKind =
  | 'truncated' | 'bad_magic' | 'unsupported_version' | 'bad_header' | 'trailing_bytes' | 'bad_checksum'
  | 'bad_section_table' | 'section_out_of_range' | 'missing_section' | 'count_mismatch' | 'bad_string_table'
  | 'bad_value' | 'duplicate_item_id' | 'unknown_item' | 'unknown_event_kind' | 'out_of_range' | 'missing_item'
  | 'invalid_argument' | 'unknown_shelf' | 'missing_context' | 'unsupported' | 'unknown_category' | 'unknown_brand' | 'random_unavailable'
  | 'fetch_failed' | 'worker_failed' | 'not_ready' | 'closed' | 'internal' | 'unsupported_environment';

/** Every error the shell throws or rejects with. */
export class ShelfwiseError extends Error {
  constructor(kind: ErrorKind | string, message: string);
  readonly name: 'ShelfwiseError';
  readonly kind: ErrorKind | string;
}

/** Where item links may lead (`init({ links })`, `renderShelf(…, { links })`). */
export type LinkPolicy = 'same-origin' | 'any';

export class Shelfwise {
  private constructor();
  /** Facts about the loaded pack. */
  readonly info: PackInfo;
  /** The `links` option it was opened with. */
  readonly links: LinkPolicy;
  /**
   * Records an event on the device. Resolves once the engine has it and, under consent
   * `on-device`, once it is durably stored in IndexedDB (a transaction committed with
   * durability "strict": a reload or browser crash right after loses nothing). If storage is
   * unavailable or fails (quota …), it resolves once the event is in memory, after one
   * `console.warn`; storage problems never reject. Rejects with a ShelfwiseError on bad input: `invalid_argument`
   * (not an object, unknown field), `unknown_event_kind`, `missing_item`, `unknown_item`,
   * `out_of_range` (`ts` not finite, bad `qty`).
   */
  track(event: TrackEvent): Promise<void>;
  /**
   * Ranks a shelf (`k` an integer number from 1 to 1000, default 8). By default leaves out
   * items in the cart, out-of-stock items and the ids in `exclude` (ids unknown to the pack are
   * ignored). Bought items stay (`for-you` shows repeat purchases the blend ranks high) unless
   * `filters.excludePurchased`; `discovery` always leaves them out. Rejects with `out_of_range` (bad `k`,
   * `now`, price, weight …), `unknown_shelf`, `missing_context` (similar or visually-similar
   * without `item`, bought-together without `item` or cart), `unsupported` (visually-similar
   * from a pack built without `--image-vectors`), `unknown_item`, `unknown_category`,
   * `invalid_argument`.
   */
  shelf(kind: ShelfKind, options?: ShelfOptions): Promise<Shelf>;
  /**
   * Several shelves at once, no item on two of them (earlier requests win). At most 20
   * requests, 2,000 items in all and 600,000 item reads of work (or 6 catalog passes when that is more;
   * scans, trend-order walks, 250 reads per item asked for, diversity: docs/TRUST.md), else
   * `out_of_range` naming `requests` (or `k`).
   */
  page(requests: ShelfRequest[], options?: { now?: number }): Promise<Shelf[]>;
  /**
   * Removes an interest: events on its items stop shaping the rankings, until
   * `restoreInterest` or `clearEvents`. Rejects with `unknown_category`, `unknown_brand`,
   * `invalid_argument`.
   */
  removeInterest(interest: Interest): Promise<void>;
  /** Undoes `removeInterest`. */
  restoreInterest(interest: Interest): Promise<void>;
  /** One item's card. Rejects with kind `unknown_item` if absent. */
  item(id: string): Promise<ItemCard>;
  /** Item cards in pack order (`out_of_range` for negative or fractional arguments). */
  items(start?: number, count?: number): Promise<ItemCard[]>;
  /** What the device knows about the shopper. */
  profile(): Promise<ProfileSummary>;
  /** Forgets every recorded event, search and removed interest: in memory (in every open tab of the shop) and in storage. */
  clearEvents(): Promise<void>;
  /**
   * Switches the consent mode, in every open tab of the shop. To `on-device`: this page's events
   * so far are stored, and later ones too. To `context-only`: the stored events are erased
   * (the IndexedDB database is deleted) and the engine keeps only this page's own events.
   * Rejects with `invalid_argument` for another mode.
   */
  setConsent(mode: ConsentMode): Promise<void>;
  /**
   * Erases everything Shelfwise stored in this browser: its IndexedDB database(s), the Cache API
   * cache "shelfwise-packs-v1", and the events in memory of every open tab. The consent mode
   * stays (under `on-device` the next event creates a fresh store).
   */
  forget(): Promise<void>;
  /** Everything Shelfwise holds about the shopper, as JSON-serializable data. */
  exportData(): Promise<ExportedData>;
  /** What the device measured: per shelf kind, attributed purchases, the arm, the report state. */
  measurement(): Promise<MeasurementSummary>;
  /**
   * Closes the instance: every later call rejects with kind `closed`; calls already made settle
   * with their real outcome; closing again is a no-op. The worker stops once it has finished
   * them and its background writes (the pack's Cache API copy), at most 10 s later.
   */
  close(): void;
  /**
   * Calls `listener()` after every change to the shopper's events (an accepted `track`,
   * `clearEvents`). Returns a function that unsubscribes. A listener that throws is logged with
   * `console.error`, not rethrown. Throws `invalid_argument` if `listener` is not a function.
   */
  subscribe(listener: () => void): () => void;
}

/**
 * Starts the worker and, on the page in parallel, fetches the pack and fetches and compiles the
 * wasm core (the build `info.wasm` names); then opens the pack in the worker. Rejects with
 * `invalid_argument` (no `pack`), `fetch_failed` (e.g. 404), or a pack kind such as
 * `bad_magic`, `bad_checksum`, `unsupported_version` — unless a last good copy of the same
 * pack URL is cached (see the top of this file).
 */
export function init(options: InitOptions): Promise<Shelfwise>;

export interface PriceFormatOptions {
  /** ISO 4217 code ("EUR", "USD" …): prices show as money in it. Default: a plain number. */
  currency?: string;
  /** BCP 47 locale ("de-DE" …). Default: the page's `<html lang>`, else the browser's language. */
  locale?: string;
}

/**
 * A price formatter over `Intl.NumberFormat`: money in `currency` when given, else a number
 * with two decimals, in `locale`. Non-numbers format as ''. Throws a `ShelfwiseError` of kind
 * `invalid_argument` for a currency or locale `Intl` refuses.
 */
export function priceFormatter(options?: PriceFormatOptions): (price: number) => string;

export interface RenderOptions extends PriceFormatOptions {
  /** Overrides the shelf's own title. */
  title?: string;
  /** Formats prices; default `priceFormatter({ currency, locale })`. */
  formatPrice?: (price: number) => string;
  /** Where a card's link may lead (default `same-origin`: a link to another origin is not drawn). */
  links?: LinkPolicy;
  onItemClick?: (item: ShelfItem, event: MouseEvent) => void;
}

/** Draws a titled row of product cards into `container` (text only, safe URLs only). */
export function renderShelf(container: Element, shelf: Shelf, options?: RenderOptions): HTMLElement;

/** An explanation's evidence in words ("Heart Candle · 3 times · 82% similar"), or ''. */
export function describeEvidence(evidence: Evidence | undefined): string;

/** The URL if it is http(s) or relative, else null. */
export function safeUrl(url: string): string | null;

/** `safeUrl(url)`, and under `same-origin` (default) only if it stays on the page's origin, else null. */
export function linkUrl(url: string, links?: LinkPolicy): string | null;

// ---- Headless shelves (store.js) ------------------------------------------------------------

/** The state of a `shelfStore`, replaced (never mutated) on every change. */
export interface ShelfSnapshot {
  /** `idle` before the first subscriber, `loading` until the first ranking ends. */
  readonly status: 'idle' | 'loading' | 'ready' | 'error';
  /** The latest shelf (`ready`), else null. */
  readonly shelf: Shelf | null;
  /** Why the latest ranking failed (`error`), e.g. kind `unknown_shelf`, else null. */
  readonly error: ShelfwiseError | null;
  /** Counts the rankings published so far. */
  readonly version: number;
}

/** shelfStore's options: `k`, `item`, `exclude`, and the rest of `shelf()`'s options as they are. */
export interface ShelfStoreOptions extends Omit<ShelfOptions, 'k' | 'item' | 'exclude' | 'now'> {
  /** Shelf size, default 8 (`out_of_range` outside 1…1000). */
  k?: number;
  /** The context item (the product on the page): left out, and passed to `shelf()` as `item`. */
  item?: string | null;
  /** More item ids to leave out. */
  exclude?: string[];
}

/**
 * A shelf as plain data that follows the shopper's events; fits React's `useSyncExternalStore`
 * and Vue's `shallowRef`. The first subscriber starts the ranking; every event change ranks it
 * again (coalesced: at most one ranking at a time, plus one for what arrived meanwhile).
 */
export interface ShelfStore {
  getSnapshot(): ShelfSnapshot;
  /** Calls `listener()` on every snapshot change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Ranks again now. */
  refresh(): Promise<void>;
  /** Stops for good: no more rankings or notifications. */
  close(): void;
}

/** Anything with Shelfwise's `shelf` (and optionally `subscribe`), e.g. a Shelfwise instance. */
export interface ShelfSource {
  shelf(kind: string, options: { k: number; exclude: string[] } & Omit<ShelfOptions, 'k' | 'exclude'>): Promise<Shelf>;
  /** Used by `<shelfwise-shelf>` to rank the shelves of a page together when present. */
  page?(requests: ShelfRequest[]): Promise<Shelf[]>;
  subscribe?(listener: () => void): () => void;
}

/**
 * A headless shelf of `kind` from `shelfwise` (an instance or a promise of one, e.g. `init(…)`).
 * Shelf kinds this runtime does not know end in snapshot status `error` (kind `unknown_shelf`).
 */
export function shelfStore(shelfwise: ShelfSource | Promise<ShelfSource>, kind: ShelfKind | (string & {}), options?: ShelfStoreOptions): ShelfStore;

// ---- Auto-tracking (autotrack.js) -----------------------------------------------------------

/** Fraction of a `data-shelfwise-event="view"` element that must be visible to count (0.5). */
export const VIEW_THRESHOLD: number;

export interface AutotrackOptions {
  /** Where marked elements are looked for and clicks listened to; default `document`. */
  root?: Element | Document;
  /** Called when the engine refuses an event; default: one `console.warn` per item and type. */
  onError?: (error: ShelfwiseError, event: TrackEvent) => void;
}

/**
 * Records events from markup: elements with `data-shelfwise-event="view click add_to_cart …"`
 * and an item id in their own or an ancestor's `data-shelfwise-item`. Views: once per item per
 * page, when at least `VIEW_THRESHOLD` of the element is visible. Clicks, `add_to_cart`,
 * `remove_from_cart`, `purchase`: on click (`data-shelfwise-qty` sets the quantity). Elements
 * added later are picked up. Returns a function that stops tracking.
 */
export function autotrack(shelfwise: Pick<Shelfwise, 'track'>, options?: AutotrackOptions): () => void;

// ---- <shelfwise-shelf> (element.js) ---------------------------------------------------------

/**
 * The `<shelfwise-shelf>` element. Attributes: `kind`, `count` (default 8; an unusable value
 * falls back to it with one `console.warn`), `item`, `category`, `query`, `cart` and `exclude`
 * (ids, space- or comma-separated; without `cart` the core reads the tracked cart), `filters`
 * (JSON), `heading` (replaces the title), `currency`, `locale`. The visible elements sharing
 * an instance are ranked by one `page()` call in document order (no item on two of them).
 * Placeholders first; ranked when it comes near the viewport; re-ranked on changes and on the
 * shopper's events. The title goes into a `slot="title"` child, else an added
 * `h2.shelfwise-shelf-title`. Cards from a `<template>` child (`data-shelfwise-text`,
 * `data-shelfwise-href`, `data-shelfwise-src`) or the default card (renderShelf's). A failed
 * ranking shows an empty shelf (`data-state="error"`) and one `console.warn`. Cards already in
 * a child `<ol data-shelfwise-list>` (server-rendered static shelves) stay
 * (`data-state="static"`) until the ranked shelf replaces them, and stay if ranking fails.
 * Events (bubbling, composed): `shelfwise-render` (`detail.shelf`), `shelfwise-error` (`detail.error`).
 */
export interface ShelfwiseShelfElement extends HTMLElement {
  /** This element's instance (or promise); falls back to the one given to `registerShelfwise`. */
  shelfwise: ShelfSource | Promise<ShelfSource> | null;
  /** The `kind` attribute, `for-you` when absent. */
  readonly kind: string;
  /** Formats prices; default `priceFormatter` with the `currency` and `locale` attributes (set `null` to go back to it). */
  formatPrice: ((price: number) => string) | null;
  /** The cart's ids; wins over the `cart` attribute (`null`: the attribute, else the tracked cart). */
  cart: string[] | null;
  /** Ids to leave out; wins over the `exclude` attribute. */
  exclude: string[] | null;
  /** Filters as `shelf()` takes them; win over the `filters` attribute. */
  filters: ShelfFilters | null;
  /** Ranks again from placeholders. */
  restart(): void;
}

/** Defines `<shelfwise-shelf>` (or `tagName`) once and returns its class. Needs a browser page. */
export function defineShelfwiseShelf(tagName?: string): { new (): ShelfwiseShelfElement; prototype: ShelfwiseShelfElement };

/**
 * Sets the instance (or promise, e.g. `init(…)`) every `<shelfwise-shelf>` without its own
 * `shelfwise` property uses, and defines the element.
 */
export function registerShelfwise(shelfwise: ShelfSource | Promise<ShelfSource>): { new (): ShelfwiseShelfElement; prototype: ShelfwiseShelfElement };

declare global {
  interface HTMLElementTagNameMap {
    'shelfwise-shelf': ShelfwiseShelfElement;
  }
  interface HTMLElementEventMap {
    'shelfwise-render': CustomEvent<{ shelf: Shelf }>;
    'shelfwise-error': CustomEvent<{ error: ShelfwiseError }>;
  }
  /** The element's events bubble (and are composed), so they reach `document` and `window`. */
  interface DocumentEventMap {
    'shelfwise-render': CustomEvent<{ shelf: Shelf }>;
    'shelfwise-error': CustomEvent<{ error: ShelfwiseError }>;
  }
  interface WindowEventMap {
    'shelfwise-render': CustomEvent<{ shelf: Shelf }>;
    'shelfwise-error': CustomEvent<{ error: ShelfwiseError }>;
  }
}
