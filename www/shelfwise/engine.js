// The engine host: loads the wasm core and the pack, and answers calls by name.
// It runs inside the worker (worker.js) or, with { worker: false }, on the page itself;
// either way the shopper's events stay in this JS realm's memory and are never sent anywhere.

import initWasm, { Recommender } from './wasm/shelfwise.js';
import { ShelfwiseError } from './errors.js';

async function fetchPack(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ShelfwiseError('fetch_failed', `could not fetch the pack ${url}: ${error.message}`);
  }
  if (!response.ok) {
    throw new ShelfwiseError('fetch_failed', `could not fetch the pack ${url}: HTTP ${response.status}`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Fetches the wasm module and the pack in parallel and opens the pack.
 * @param {{ packUrl: string, wasmUrl: string }} options absolute URLs
 */
export async function openEngine({ packUrl, wasmUrl }) {
  const [, packBytes] = await Promise.all([initWasm({ module_or_path: wasmUrl }), fetchPack(packUrl)]);
  const recommender = new Recommender(packBytes);
  return {
    info: () => recommender.info(),
    track: (event) => recommender.track(event),
    shelf: (kind, k, nowMs, exclude) => {
      if (kind !== 'for-you') {
        throw new ShelfwiseError('unknown_shelf', `unknown shelf kind ${JSON.stringify(kind)}; expected "for-you"`);
      }
      return recommender.rankForYou(k, nowMs, exclude);
    },
    item: (id) => recommender.item(id),
    items: (start, count) => recommender.items(start, count),
    profile: (nowMs) => recommender.profile(nowMs),
    eventCount: () => recommender.eventCount(),
    clearEvents: () => recommender.clearEvents(),
  };
}
