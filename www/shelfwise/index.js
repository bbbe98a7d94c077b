// Shelfwise: on-device product recommendations.
//
//   import { init, renderShelf } from 'shelfwise';
//   const shelfwise = await init({ pack: '/shop.pack' });
//   shelfwise.track({ type: 'view', item: 'SW-00042' });
//   renderShelf(document.querySelector('#recs'), await shelfwise.shelf('for-you', { k: 8 }));
//
// Importing this module fetches nothing; init() fetches the wasm core and the pack in
// parallel. The shopper's events live only in the engine's memory (a Web Worker by default).

import { ShelfwiseError, errorFromData } from './errors.js';

export { ShelfwiseError } from './errors.js';
export { renderShelf, safeUrl } from './render.js';

const DEFAULT_WASM = new URL('./wasm/shelfwise_bg.wasm', import.meta.url);

function absolute(url, name) {
  if (url === undefined || url === null || url === '') {
    throw new ShelfwiseError('invalid_argument', `init: the ${name} option is required`);
  }
  const base = typeof document !== 'undefined' ? document.baseURI : self.location.href;
  return new URL(String(url), base).href;
}

/** Runs calls in a module worker; each call is one message, answered by id. */
class WorkerTransport {
  constructor() {
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
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
  }

  call(method, ...args) {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args });
    });
  }

  close() {
    this.worker.terminate();
    const error = new ShelfwiseError('closed', 'this Shelfwise instance was closed');
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}

/** Runs calls on the page itself (no worker). */
class InlineTransport {
  async call(method, ...args) {
    if (method === 'open') {
      // Loaded only here, so that the page does not fetch the wasm glue when a worker runs it.
      const { openEngine } = await import('./engine.js');
      this.engine = await openEngine(args[0]);
      return this.engine.info();
    }
    if (!this.engine) throw new ShelfwiseError('closed', 'this Shelfwise instance is not open');
    return this.engine[method](...args);
  }

  close() {
    this.engine = null;
  }
}

function checkK(k) {
  if (!Number.isInteger(k) || k < 1 || k > 1000) {
    throw new ShelfwiseError('out_of_range', `k = ${k} is out of range: an integer from 1 to 1000`);
  }
  return k;
}

/** A loaded pack and the shopper's on-device events. Create it with init(). */
export class Shelfwise {
  /** @internal */
  constructor(transport, info) {
    this.transport = transport;
    /** Facts about the loaded pack (versions, item count, checksum …). */
    this.info = info;
  }

  /**
   * Records one event on the device. `ts` defaults to now.
   * @param {{ type: string, item?: string, ts?: number, qty?: number, query?: string }} event
   */
  track(event) {
    if (!event || typeof event !== 'object') {
      return Promise.reject(new ShelfwiseError('invalid_argument', 'track: the event must be an object'));
    }
    return this.transport.call('track', { ...event, ts: event.ts ?? Date.now() });
  }

  /**
   * Ranks a shelf. Only "for-you" exists in this version. It leaves out items in the cart,
   * items bought, and the ids in `exclude` (e.g. the product on the page).
   * @param {string} kind
   * @param {{ k?: number, now?: number, exclude?: string[] }} [options]
   */
  async shelf(kind, options = {}) {
    const k = checkK(options.k ?? 8);
    const exclude = options.exclude ?? [];
    if (!Array.isArray(exclude) || !exclude.every((id) => typeof id === 'string')) {
      throw new ShelfwiseError('invalid_argument', 'shelf: exclude must be an array of item id strings');
    }
    return this.transport.call('shelf', kind, k, options.now ?? Date.now(), exclude);
  }

  /** One item's card by id. */
  item(id) {
    return this.transport.call('item', String(id));
  }

  /** Item cards in pack order (for listing the catalog). */
  items(start = 0, count = 50) {
    return this.transport.call('items', start, count);
  }

  /** What the device knows about the shopper, as plain data. */
  profile() {
    return this.transport.call('profile', Date.now());
  }

  /** Forgets every recorded event. */
  clearEvents() {
    return this.transport.call('clearEvents');
  }

  /** Stops the worker; the instance cannot be used afterwards. */
  close() {
    this.transport.close();
  }
}

/**
 * Loads the wasm core and the pack (in parallel) and returns a ready Shelfwise instance.
 * @param {{ pack: string | URL, wasm?: string | URL, worker?: boolean }} options
 */
export async function init(options = {}) {
  const packUrl = absolute(options.pack, 'pack');
  const wasmUrl = absolute(options.wasm ?? DEFAULT_WASM, 'wasm');
  const useWorker = options.worker ?? typeof Worker !== 'undefined';
  const transport = useWorker ? new WorkerTransport() : new InlineTransport();
  try {
    const info = await transport.call('open', { packUrl, wasmUrl });
    return new Shelfwise(transport, info);
  } catch (error) {
    transport.close();
    throw error;
  }
}
