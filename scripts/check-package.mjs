// npm's prepack step: refuses to pack a package that would be missing files a consumer needs
// (the wasm core's glue and both builds are built, not committed: `npm run build` first), and
// checks that every target of the exports map exists.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('package.json', `file://${root}`), 'utf8'));
const targets = new Set([pkg.main, pkg.types, 'www/shelfwise/wasm/shelfwise.js',
  'www/shelfwise/wasm/shelfwise_bg.wasm', 'www/shelfwise/wasm/shelfwise_relaxed_bg.wasm']);
for (const entry of Object.values(pkg.exports)) {
  for (const target of typeof entry === 'string' ? [entry] : Object.values(entry)) targets.add(target);
}
const missing = [...targets].filter((target) => !existsSync(new URL(target, `file://${root}`)));
if (missing.length > 0) {
  console.error(`shelfwise: cannot pack, missing ${missing.join(', ')}` +
    (missing.some((target) => target.includes('/wasm/')) ? ' (build the wasm core first: npm run build)' : ''));
  process.exit(1);
}
