// Test fixture for tests/e2e/api.test.mjs: exposes the Shelfwise shell to page.evaluate().
//   window.fx.init, window.fx.ShelfwiseError: the real module's exports
//   window.fx.outcome(promiseOrFn): { ok, value } or { ok: false, error: { name, kind, message,
//     instance (instanceof ShelfwiseError), isError } }, so tests can inspect rejections as data.
import * as shelfwise from '/shelfwise/index.js';

async function outcome(work) {
  try {
    const value = await (typeof work === 'function' ? work() : work);
    return { ok: true, value };
  } catch (error) {
    return {
      ok: false,
      error: {
        name: error?.name,
        kind: error?.kind,
        message: error?.message,
        instance: error instanceof shelfwise.ShelfwiseError,
        isError: error instanceof Error,
      },
    };
  }
}

window.fx = { ...shelfwise, outcome };
document.body.dataset.ready = 'true';
