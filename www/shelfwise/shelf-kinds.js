// The shelf kinds the core ranks: the wire names of src/shelf.rs (ShelfKind::as_str), in its order.
// Shared by index.js (request checks) and measurement-store.js (measurement records).

/** The shelf kinds the core ranks. */
export const SHELF_KINDS = Object.freeze([
  'for-you', 'discovery', 'buy-again', 'because-you-viewed', 'similar', 'bought-together', 'trending',
  'trending-in-categories', 'recently-viewed', 'new-for-you',
]);
