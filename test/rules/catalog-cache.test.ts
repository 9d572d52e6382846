import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogFingerprint, readCatalogCache, writeCatalogCache } from '../../src/rules/catalog-cache.js';
import { BUILTIN_RULES_DIR, listRuleFiles, loadRules } from '../../src/rules/load.js';
import type { Rule } from '../../src/rules/types.js';

function rulesDir(files: Record<string, string>): { dir: string; files: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-cache-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return { dir, files: listRuleFiles(dir) };
}

describe('catalog cache (the built-in rules parsed at build time)', () => {
  it('round-trips the parsed YAML and is used only while every file is byte-for-byte the same', () => {
    const { dir, files } = rulesDir({ 'a.yaml': 'id: a\ntitle: A\n', 'b.yaml': 'id: b\nlist: [1, 2]\n' });
    const cacheFile = path.join(dir, 'catalog.json');
    writeCatalogCache(dir, files, cacheFile);
    expect(readCatalogCache(dir, files, cacheFile)).toEqual(new Map([[path.join(dir, 'a.yaml'), { id: 'a', title: 'A' }], [path.join(dir, 'b.yaml'), { id: 'b', list: [1, 2] }]]));
    const before = catalogFingerprint(dir, files);
    writeFileSync(path.join(dir, 'b.yaml'), 'id: b\nlist: [1, 3]\n');
    expect(catalogFingerprint(dir, files)).not.toBe(before);
    expect(readCatalogCache(dir, files, cacheFile)).toBeUndefined();
    expect(readCatalogCache(dir, files, path.join(dir, 'missing.json'))).toBeUndefined();
  });

  const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
  it.skipIf(!existsSync(dist))('the built loader (with the cache) gives the same rules as the YAML', async () => {
    const built = (await import(dist)) as { loadRules: typeof loadRules; BUILTIN_RULES_DIR: string };
    const plain = (rules: readonly Rule[]) => rules.map(({ pattern: _p, compiledChecks, templates, file, ...definition }) => ({ ...definition, file: path.basename(file), checks: compiledChecks.map((c) => c.name), summary: templates.summary?.source }));
    const fromDist = built.loadRules();
    expect(fromDist.errors).toEqual([]);
    expect(plain(fromDist.rules)).toEqual(plain(loadRules([BUILTIN_RULES_DIR]).rules));
  });
});
