// What the JS shell shares with the wasm core, written once on this side: the shelf kinds, the
// default and largest shelf size, the event and search caps, the pack format version and the
// field names of the requests the core reads. tests/js_contract.rs ties every list and number
// here to its Rust source (ShelfKind::ALL, page::DEFAULT_K, engine::MAX_K, MAX_EVENTS,
// MAX_SEARCHES and MAX_QUERY_CHARS of src/limits.rs, pack::FORMAT_VERSION, the serde field
// names of ShelfRequest, FilterInput, RuleInput, ExploreRequest and EventInput), and index.d.ts
// to both, so a change on one side fails the build until the other follows.

/** The shelf kinds the core ranks: the wire names of src/shelf.rs (ShelfKind::as_str), in its order. */
export const SHELF_KINDS = Object.freeze([
  'for-you', 'discovery', 'buy-again', 'because-you-viewed', 'similar', 'visually-similar', 'bought-together',
  'trending', 'trending-in-categories', 'recently-viewed', 'new-for-you',
]);

/** Items per shelf when a request gives no `k` (src/page.rs DEFAULT_K). */
export const DEFAULT_K = 8;
/** The largest `k` (src/engine.rs MAX_K). */
export const MAX_K = 1000;
/** The most events the engine keeps, the newest (src/engine.rs MAX_EVENTS); also the most stored. */
export const MAX_EVENTS = 10_000;
/** The most searches the engine keeps, the newest (src/limits.rs MAX_SEARCHES). */
export const MAX_SEARCHES = 100;
/** Characters of a search the engine keeps (src/limits.rs MAX_QUERY_CHARS). */
export const MAX_QUERY_CHARS = 200;

/** The pack format version the shell checks the checksum of while a pack downloads (src/pack/header.rs FORMAT_VERSION). */
export const FORMAT_VERSION = 4;

/** Fields of a tracked event (src/engine.rs EventInput). */
export const EVENT_FIELDS = Object.freeze(['type', 'item', 'ts', 'qty', 'query']);
/** Fields of a shelf request besides `kind` (src/page.rs ShelfRequest); `now` is the call's time. */
export const SHELF_OPTIONS = Object.freeze(['k', 'now', 'exclude', 'item', 'category', 'query', 'cart', 'filters', 'rules',
  'maxPerCategory', 'diversity', 'explore', 'title']);
/** Fields of `filters` (src/rules.rs FilterInput). */
export const FILTER_FIELDS = Object.freeze(['inStock', 'minPrice', 'maxPrice', 'categories', 'excludeCategories', 'excludeInCart', 'excludePurchased']);
/** Fields of a call-time rule (src/rules.rs RuleInput). */
export const RULE_FIELDS = Object.freeze(['action', 'item', 'category', 'weight', 'position']);
/** Fields of `explore` (src/page.rs ExploreRequest). */
export const EXPLORE_FIELDS = Object.freeze(['seed', 'slots']);
