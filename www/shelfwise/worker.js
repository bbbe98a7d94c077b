// Module worker hosting the engine, so ranking never blocks the page.
// Protocol: { id, method, args } in; { id, result } or { id, error: { kind, message } } out.
// Every error crosses as plain data and index.js rebuilds a ShelfwiseError from it.
// "open" brings the compiled core and the pack's bytes, which the page loaded (loader.js)
// while this worker started.
//
// Start-up: every module of the engine (the wasm-bindgen glue too) is imported here, so that
// the browser requests them all at once instead of one level of imports after the other (the
// engine's own imports included: no module of the worker waits for another to arrive).

import { openEngine } from './engine.js';
import { errorToData } from './errors.js';
import { mark } from './loader.js';
import './contract.js';
import './measurement-store.js';
import './memory.js';
import './shards.js';
import './storage.js';
import './wasm/shelfwise.js';

mark('worker-loaded');

let engine = null;

self.onmessage = async (message) => {
  const { id, method, args = [] } = message.data ?? {};
  try {
    let result;
    if (method === 'open') {
      mark('open');
      engine = await openEngine(args[0]);
      result = await engine.info();
    } else if (!engine) {
      throw Object.assign(new Error('the engine is not open yet'), { kind: 'not_ready' });
    } else if (!Object.hasOwn(engine, method) || typeof engine[method] !== 'function') {
      throw Object.assign(new Error(`unknown method ${method}`), { kind: 'internal' });
    } else {
      result = await engine[method](...args);
    }
    self.postMessage({ id, result });
  } catch (error) {
    self.postMessage({ id, error: errorToData(error) });
  }
};
