// Types for the `shelfwise/element` entry (www/shelfwise/element.js); see index.d.ts.
export { defineShelfwiseShelf, registerShelfwise, type ShelfwiseShelfElement, type ShelfSource } from './index.js';
/** The tag name `defineShelfwiseShelf()` uses by default: "shelfwise-shelf". */
export const SHELF_TAG: 'shelfwise-shelf';
/** How close to the viewport a shelf must come before it is ranked (IntersectionObserver rootMargin). */
export const PRELOAD_MARGIN: string;
