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

import { FORMAT_VERSION } from './contract.js';
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

/** A User Timing measure "shelfwise:<name>" from `start` (performance.now()) to now. */
export function span(name, start) {
  try {
    globalThis.performance?.measure?.(`shelfwise:${name}`, { start, end: performance.now() });
  } catch {
    // an environment without measure options: timing is only for DevTools and the bench
  }
}

/**
 * Default of init({ prefetchBytes }): the chunk bytes (manifest sizes, before HTTP compression)
 * a sharded pack may prefetch when idle over a page's life (shards.js; docs/PERFORMANCE.md).
 */
export const PREFETCH_BYTES = 256 * 1024;
/** Default of init({ timeoutMs }): how long the pack's fetch may take, body included. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** The largest pack init() reads (its header's declared size is checked before the body). */
export const MAX_PACK_BYTES = 1 << 30;
/** Length of a pack's header, and its first 8 bytes ("SHLFPACK"). */
const PACK_HEADER_BYTES = 40;
const PACK_MAGIC = [0x53, 0x48, 0x4c, 0x46, 0x50, 0x41, 0x43, 0x4b];

const HTTP_HINTS = {
  404: 'not found: check the pack URL, and that the pack was deployed',
  403: 'forbidden: check the server\'s permissions for the pack',
};

async function fetchOrFail(url, what, signal) {
  let response;
  try {
    response = await fetch(url, signal ? { signal } : undefined);
  } catch (error) {
    throw new ShelfwiseError('fetch_failed', `could not fetch the ${what} ${url}: ${signal?.aborted ? signal.reason?.message ?? 'aborted' : error.message}`);
  }
  if (!response.ok) {
    const hint = HTTP_HINTS[response.status] ?? (response.status >= 500 ? 'a server error: the server could not send it' : 'the server refused it');
    throw new ShelfwiseError('fetch_failed', `could not fetch the ${what} ${url}: HTTP ${response.status} (${hint})`);
  }
  return response;
}

/**
 * What init() refuses before any byte reaches the core: an HTML page (a missing pack behind
 * a site that answers every URL with its index page) is fetch_failed; a header that is not a
 * pack's, or declares another size than the bytes that came, is returned as
 * `{ refusal: { kind, message } }` (engine.js then falls back to the last good copy, if any).
 */
function headerRefusal(url, header, contentType) {
  const text = String.fromCharCode(...header.subarray(0, 16)).trimStart();
  if (contentType.startsWith('text/html') || text.startsWith('<')) {
    throw new ShelfwiseError('fetch_failed',
      `could not fetch the pack ${url}: the server answered with an HTML page (${contentType || 'no content-type'}), not a Shelfwise pack; check the pack URL`);
  }
  if (header.length < PACK_HEADER_BYTES) {
    return { kind: 'truncated', message: `invalid pack: ${header.length} bytes, fewer than the ${PACK_HEADER_BYTES}-byte header` };
  }
  if (!PACK_MAGIC.every((b, i) => header[i] === b)) {
    return { kind: 'bad_magic', message: 'invalid pack: bad magic: the first 8 bytes are not SHLFPACK (is this a Shelfwise pack?)' };
  }
  return null;
}

/** A sharded pack's bootstrap starts with SHLFBOOT (docs/PACK_FORMAT.md; shards.js reads it). */
const BOOTSTRAP_MAGIC = [0x53, 0x48, 0x4c, 0x46, 0x42, 0x4f, 0x4f, 0x54];
const isBootstrapHeader = (header) => BOOTSTRAP_MAGIC.every((b, i) => header[i] === b);

/**
 * The rest of a sharded pack's bootstrap after its first bytes `head`, at most MAX_PACK_BYTES
 * (the core checks the bootstrap's own header, manifest and checksum when shards.js opens it).
 */
async function readBootstrap(reader, head) {
  const parts = [head];
  let total = head.length;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_PACK_BYTES) {
      reader.cancel().catch(() => {});
      return { refusal: { kind: 'out_of_range', message: `invalid pack: a bootstrap of more than ${MAX_PACK_BYTES} bytes` } };
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out.buffer;
}

/** Where a pack's header stores its checksum (4 bytes). */
const CHECKSUM_AT = 32;

let crcTable = null;
/** The CRC-32 (IEEE) lookup table, computed at first use (as src/pack/crc.rs does). */
function crc32Table() {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let i = 0; i < 256; i += 1) {
      let c = i;
      for (let bit = 0; bit < 8; bit += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c;
    }
  }
  return crcTable;
}

/**
 * The running CRC-32 of a pack as its bytes arrive: the pack's checksum covers every byte but
 * its own field (bytes 32..36, docs/PACK_FORMAT.md), so that field is skipped. `update(bytes, at)`
 * feeds the chunk that starts at byte `at` of the file; `value()` is the finished checksum.
 */
function packChecksum() {
  const table = crc32Table();
  let state = -1;
  const feed = (bytes, from, to) => {
    let c = state;
    for (let i = from; i < to; i += 1) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    state = c;
  };
  return {
    update(bytes, at) {
      const skipFrom = Math.max(0, Math.min(bytes.length, CHECKSUM_AT - at));
      const skipTo = Math.max(0, Math.min(bytes.length, CHECKSUM_AT + 4 - at));
      feed(bytes, 0, skipFrom);
      feed(bytes, skipTo, bytes.length);
    },
    value: () => (~state) >>> 0,
  };
}

/**
 * The refusal of a pack whose stored checksum differs from `computed`, or null. Only packs of
 * the format this shell knows are checked here (a newer pack may checksum differently: the core
 * names its version instead).
 */
function checksumRefusal(header, computed) {
  const view = new DataView(header.buffer, header.byteOffset, PACK_HEADER_BYTES);
  if (view.getUint16(8, true) !== FORMAT_VERSION) return null;
  const stored = view.getUint32(CHECKSUM_AT, true);
  if (stored === computed) return null;
  const hex = (n) => n.toString(16).padStart(8, '0');
  return {
    kind: 'bad_checksum',
    message: `invalid pack: checksum mismatch while it downloaded (stored ${hex(stored)}, computed ${hex(computed)}): the file is damaged; rebuild or re-upload it`,
  };
}

/** The declared length of the pack whose header is `header` (40 + body_len). */
function declaredLength(header) {
  const view = new DataView(header.buffer, header.byteOffset, PACK_HEADER_BYTES);
  return PACK_HEADER_BYTES + Number(view.getBigUint64(24, true));
}

/**
 * Reads the body of `response`, checking the header first: at most the declared size is
 * allocated (and at most MAX_PACK_BYTES), and reading stops at the first byte past it. The
 * checksum is computed as the bytes arrive, so a damaged pack is refused (`bad_checksum`) before
 * it is handed to the core and copied into wasm memory.
 */
async function readPack(url, response) {
  const contentType = (response.headers.get('content-type') ?? '').toLowerCase();
  const reader = response.body.getReader();
  let head = new Uint8Array(0);
  let out = null;
  let filled = 0;
  const checksum = packChecksum();
  const refuse = (refusal) => {
    reader.cancel().catch(() => {});
    return { refusal };
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!out) {
      const joined = new Uint8Array(head.length + value.length);
      joined.set(head);
      joined.set(value, head.length);
      head = joined;
      if (head.length < PACK_HEADER_BYTES) continue;
      if (isBootstrapHeader(head)) return readBootstrap(reader, head);
      const refusal = headerRefusal(url, head, contentType);
      if (refusal) return refuse(refusal);
      const declared = declaredLength(head);
      if (declared > MAX_PACK_BYTES) {
        return refuse({ kind: 'out_of_range', message: `invalid pack: the header declares ${declared} bytes, more than the ${MAX_PACK_BYTES} a pack may have` });
      }
      out = new Uint8Array(declared);
      if (head.length > declared) return refuse({ kind: 'trailing_bytes', message: `invalid pack: more bytes than the ${declared} its header declares` });
      out.set(head);
      checksum.update(head, 0);
      filled = head.length;
      continue;
    }
    if (filled + value.length > out.length) {
      return refuse({ kind: 'trailing_bytes', message: `invalid pack: more bytes than the ${out.length} its header declares` });
    }
    out.set(value, filled);
    checksum.update(value, filled);
    filled += value.length;
  }
  if (!out) return { refusal: headerRefusal(url, head, contentType) ?? { kind: 'truncated', message: 'invalid pack: empty' } };
  if (filled < out.length) {
    return { refusal: { kind: 'truncated', message: `invalid pack: ${filled} bytes, fewer than the ${out.length} its header declares` } };
  }
  const damaged = checksumRefusal(out, checksum.value());
  return damaged ? { refusal: damaged } : out.buffer;
}

/**
 * The pack's bytes (an ArrayBuffer), or `{ refusal }` for bytes that are not a pack (see
 * headerRefusal). Rejects with fetch_failed when the fetch fails, answers HTML or an HTTP
 * error, or takes longer than `timeoutMs` (body included).
 */
export async function fetchPack(url, timeoutMs = DEFAULT_TIMEOUT_MS) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no complete answer within ${timeoutMs} ms (init option timeoutMs)`)), timeoutMs);
  try {
    const response = await fetchOrFail(url, 'pack', controller.signal);
    const pack = await readPack(url, response);
    mark('pack-fetched');
    return pack;
  } catch (error) {
    if (error instanceof ShelfwiseError) throw error;
    const reason = controller.signal.aborted ? controller.signal.reason?.message : error.message;
    throw new ShelfwiseError('fetch_failed', `could not fetch the pack ${url}: ${reason}`);
  } finally {
    clearTimeout(timer);
  }
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
