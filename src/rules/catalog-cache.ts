import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * The built-in catalog, parsed at build time. Parsing ~45 YAML files with their test records was most of
 * trailguard's start-up; `npm run build` writes their parsed content next to the compiled loader, and the
 * loader uses it only while it matches the rule files byte for byte (a content hash), so an edited rule is
 * always read from its YAML. Validation and compilation still run on every load.
 */
export interface CatalogCache {
  fingerprint: string;
  rules: Array<{ file: string; raw: unknown }>;
}

/** sha256 over every rule file's relative path and bytes, in the loader's order. */
export function catalogFingerprint(rulesDir: string, files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.relative(rulesDir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function writeCatalogCache(rulesDir: string, files: readonly string[], outFile: string): CatalogCache {
  const cache: CatalogCache = {
    fingerprint: catalogFingerprint(rulesDir, files),
    rules: files.map((file) => ({ file: path.relative(rulesDir, file), raw: parse(readFileSync(file, 'utf8')) as unknown })),
  };
  writeFileSync(outFile, JSON.stringify(cache));
  return cache;
}

/** The cached parse of `files`, or undefined when there is no cache or the files changed since it was written. */
export function readCatalogCache(rulesDir: string, files: readonly string[], cacheFile: string): Map<string, unknown> | undefined {
  let cache: CatalogCache;
  try {
    cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as CatalogCache;
  } catch {
    return undefined;
  }
  if (cache.fingerprint !== catalogFingerprint(rulesDir, files)) return undefined;
  return new Map(cache.rules.map((r) => [path.join(rulesDir, r.file), r.raw]));
}
