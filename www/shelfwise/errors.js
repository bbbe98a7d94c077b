// ShelfwiseError: the one error type the shell throws, with a stable machine-readable `kind`.
// Errors from the wasm core arrive as plain Errors named "ShelfwiseError" with a `kind` (not
// instances of this class); toShelfwiseError() rebuilds them, and errors from the worker are
// rebuilt from their plain-data form, so `error instanceof ShelfwiseError` always holds for
// what the public API rejects with.

export class ShelfwiseError extends Error {
  /**
   * @param {string} kind machine-readable kind, e.g. "unknown_item", "bad_checksum"
   * @param {string} message human-readable explanation
   */
  constructor(kind, message) {
    super(message);
    this.name = 'ShelfwiseError';
    this.kind = kind;
  }
}

/** True for a WebAssembly trap (a panic in a panic=abort build, or any other trap). */
export function isWasmTrap(error) {
  return typeof WebAssembly !== 'undefined' && typeof WebAssembly.RuntimeError === 'function'
    && error instanceof WebAssembly.RuntimeError;
}

/**
 * Any thrown value as a ShelfwiseError: instances pass through; errors carrying a string `kind`
 * (those of the wasm core) keep it; traps and everything else become kind "internal".
 */
export function toShelfwiseError(error, fallbackKind = 'internal') {
  try {
    if (error instanceof ShelfwiseError) return error;
    if (isWasmTrap(error)) {
      return new ShelfwiseError('internal', `the Shelfwise core crashed (${error.message || 'wasm trap'})`);
    }
    if (error && typeof error === 'object') {
      const kind = typeof error.kind === 'string' && error.kind ? error.kind : fallbackKind;
      const message = typeof error.message === 'string' ? error.message : String(error);
      return new ShelfwiseError(kind, message);
    }
    return new ShelfwiseError(fallbackKind, String(error));
  } catch {
    // a revoked Proxy, a throwing getter or toString: nothing of it can be read
    return new ShelfwiseError(fallbackKind, 'an argument threw when it was read (a getter or a Proxy)');
  }
}

/** Plain-data form of any thrown value, for postMessage. */
export function errorToData(error) {
  const e = toShelfwiseError(error);
  return { kind: String(e.kind), message: String(e.message) };
}

/** Rebuilds a ShelfwiseError from its plain-data form. */
export function errorFromData(data) {
  return new ShelfwiseError(String(data?.kind || 'internal'), String(data?.message ?? 'unknown error'));
}
