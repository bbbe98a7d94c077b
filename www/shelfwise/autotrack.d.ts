// Types for the `shelfwise/autotrack` entry (www/shelfwise/autotrack.js); see index.d.ts.
export { autotrack, VIEW_THRESHOLD, type AutotrackOptions } from './index.js';
