// Where the wasm core and the pack come from: which build of the core this browser runs, the
// fetches and the compile. index.js starts them on the page as soon as init() is called, in
// parallel with the worker's start-up, and hands the compiled module and the pack's bytes
// (transferred, not copied) to the engine.
//
// Two builds of the core ship side by side, from the same source (scripts/build-wasm.sh):
//   shelfwise_bg.wasm          SIMD128, for every browser with WebAssembly SIMD;
//   shelfwise_relaxed_bg.wasm  SIMD128 + relaxed SIMD, for browsers that validate it.
// init() picks the relaxed build when relaxedSimdSupported(); init({ wasm }) overrides the choice.
// Importing this module fetches nothing.

import { ShelfwiseError } from './errors.js';

/** The builds of the core, by variant name. */
export const WASM_VARIANTS = Object.freeze({
  'relaxed-simd': new URL('./wasm/shelfwise_relaxed_bg.wasm', import.meta.url).href,
  simd128: new URL('./wasm/shelfwise_bg.wasm', import.meta.url).href,
});

// The smallest module that uses a relaxed-SIMD instruction: one function () -> v128 whose body
// is `i32.const 1; i8x16.splat; i32.const 2; i8x16.splat; i8x16.relaxed_swizzle`.
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: one type, func () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x0f, 0x01, 0x0d, 0x00, // code section: one body of 13 bytes, no locals
  0x41, 0x01, 0xfd, 0x0f, // i32.const 1, i8x16.splat
  0x41, 0x02, 0xfd, 0x0f, // i32.const 2, i8x16.splat
  0xfd, 0x80, 0x02, // i8x16.relaxed_swizzle (0xfd 256)
  0x0b, // end
]);

/** True if this realm's WebAssembly validates relaxed-SIMD instructions. */
export function relaxedSimdSupported() {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_SIMD_PROBE);
  } catch {
    return false;
  }
}

/**
 * The build of the core to load: `{ variant, url }`, variant "relaxed-simd" or "simd128" as
 * relaxedSimdSupported() says, or "custom" for an explicit URL (init({ wasm })).
 * @param {string} [url] absolute URL of a core chosen by the shop
 */
export function chooseWasm(url) {
  if (url !== undefined) return { variant: 'custom', url };
  const variant = relaxedSimdSupported() ? 'relaxed-simd' : 'simd128';
  return { variant, url: WASM_VARIANTS[variant] };
}

/** A User Timing mark "shelfwise:<name>" (DevTools' performance panel shows them). */
export function mark(name) {
  globalThis.performance?.mark?.(`shelfwise:${name}`);
}

async function fetchOrFail(url, what) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ShelfwiseError('fetch_failed', `could not fetch the ${what} ${url}: ${error.message}`);
  }
  if (!response.ok) {
    throw new ShelfwiseError('fetch_failed', `could not fetch the ${what} ${url}: HTTP ${response.status}`);
  }
  return response;
}

/** The pack's bytes. */
export async function fetchPack(url) {
  const response = await fetchOrFail(url, 'pack');
  let bytes;
  try {
    bytes = await response.arrayBuffer();
  } catch (error) {
    throw new ShelfwiseError('fetch_failed', `could not fetch the pack ${url}: ${error.message}`);
  }
  mark('pack-fetched');
  return bytes;
}

const compiled = new Map(); // wasm URL -> Promise<WebAssembly.Module>, in this realm

/**
 * The compiled core, once per URL and realm (streamed: compiled while it downloads when served
 * as application/wasm).
 */
export function compileWasm(url) {
  let module = compiled.get(url);
  if (!module) {
    module = (async () => {
      const response = await fetchOrFail(url, 'wasm core');
      try {
        const type = response.headers.get('content-type') ?? '';
        const done = typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')
          ? await WebAssembly.compileStreaming(response)
          : await WebAssembly.compile(await response.arrayBuffer());
        mark('wasm-compiled');
        return done;
      } catch (error) {
        throw new ShelfwiseError('internal', `could not compile the wasm core ${url}: ${error.message}`);
      }
    })();
    compiled.set(url, module);
    module.catch(() => compiled.delete(url));
  }
  return module;
}
