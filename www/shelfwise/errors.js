// ShelfwiseError: the one error type the shell throws, with a stable machine-readable `kind`.
// Errors from the wasm core already arrive as Errors named "ShelfwiseError" with a `kind`;
// errors from the worker are rebuilt from their plain-data form.

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

/** Plain-data form of any thrown value, for postMessage. */
export function errorToData(error) {
  if (error && typeof error === 'object') {
    return { kind: String(error.kind || 'internal'), message: String(error.message || error) };
  }
  return { kind: 'internal', message: String(error) };
}

/** Rebuilds a ShelfwiseError from its plain-data form. */
export function errorFromData(data) {
  return new ShelfwiseError(data.kind, data.message);
}
