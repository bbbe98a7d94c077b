// docs/API.md stays true to the package: every ```js block parses as an ES module, and every
// name the page imports from a `shelfwise` entry (in js blocks and in html blocks' scripts) is
// exported by the file package.json's exports map gives for that entry (imported here in Node:
// the entries touch no DOM at import).
//   node --test tests/consumer/docs.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ROOT } from '../e2e/helpers.mjs';

const run = promisify(execFile);

test('every js snippet of docs/API.md parses and imports only what the package exports', async (t) => {
  const doc = await readFile(join(ROOT, 'docs/API.md'), 'utf8');
  const blocks = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]);
  assert.ok(blocks.length >= 10, `found ${blocks.length} js blocks`);
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
  const dir = await mkdtemp(join(tmpdir(), 'shelfwise-doc-snippets-'));
  const checked = new Set();
  try {
    for (const [index, code] of blocks.entries()) {
      const file = join(dir, `snippet-${index}.mjs`);
      await writeFile(file, code);
      await run(process.execPath, ['--check', file]).catch((error) => {
        assert.fail(`snippet ${index} does not parse:\n${code}\n${error.stderr}`);
      });
    }
    for (const [index, code] of [...blocks, ...[...doc.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1])].entries()) {
      for (const [, names, specifier] of code.matchAll(/import\s+\{([^}]*)\}\s+from\s+'(shelfwise[^']*)'/g)) {
        const entry = specifier === 'shelfwise' ? '.' : `./${specifier.slice('shelfwise/'.length)}`;
        const target = pkg.exports[entry];
        assert.ok(target, `snippet ${index}: ${specifier} is not in the exports map`);
        const module = await import(pathToFileURL(join(ROOT, typeof target === 'string' ? target : target.import)).href);
        for (const name of names.split(',').map((n) => n.trim().split(/\s+as\s+/)[0]).filter(Boolean)) {
          assert.ok(name in module, `snippet ${index}: ${specifier} has no export ${name}`);
          checked.add(`${specifier}:${name}`);
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  t.diagnostic(`${blocks.length} snippets; imports checked: ${[...checked].sort().join(', ')}`);
});

/** The modules `file` imports statically (import … from, export … from), as file names. */
async function staticImports(file) {
  const code = await readFile(join(ROOT, 'www/shelfwise', file), 'utf8');
  const found = [...code.matchAll(/^(?:import|export)\s[^;]*?from\s+'\.\/([^']+)'/gms)].map((m) => m[1]);
  return [...new Set(found)];
}

test("the modulepreload list (docs/API.md, bench/sharded-preload.html) is index.js's static module graph", async () => {
  const graph = new Set();
  const queue = ['index.js'];
  while (queue.length > 0) {
    const file = queue.shift();
    if (graph.has(file)) continue;
    graph.add(file);
    queue.push(...(await staticImports(file)));
  }
  assert.ok(graph.has('errors.js') && graph.size >= 5, `graph: ${[...graph]}`);
  const expected = [...graph].sort();
  const doc = await readFile(join(ROOT, 'docs/API.md'), 'utf8');
  const paragraph = doc.slice(doc.indexOf('preload the shell\'s modules'), doc.indexOf('Overriding the wasm location'));
  const listed = [...paragraph.matchAll(/`([a-z-]+\.js)`/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(listed)].sort(), expected, 'docs/API.md lists every module of the graph, and only those');
  const page = await readFile(join(ROOT, 'bench/sharded-preload.html'), 'utf8');
  const preloaded = [...page.matchAll(/rel="modulepreload" href="\/www\/shelfwise\/([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(preloaded.sort(), expected, 'bench/sharded-preload.html preloads the same modules');
});
