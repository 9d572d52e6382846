import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serializeFile, serializeManifest } from '../../scripts/samples/generator/index.js';
import { generate, readTree } from './helpers.js';

const LOGS = fileURLToPath(new URL('../../samples', import.meta.url));
const MANIFEST = fileURLToPath(new URL('../fixtures/sample-scenarios.json', import.meta.url));

function allFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

describe('committed samples/', () => {
  const g = generate();
  const tree = readTree(LOGS);

  it('holds exactly the files the default command generates (and nothing else)', () => {
    const expected = g.files.map((f) => f.path).sort();
    expect(allFiles(LOGS)).toEqual(expected);
  });

  it('every file has exactly the generated content (regenerate with `npm run samples`, never edit by hand)', () => {
    const byPath = new Map(tree.map((f) => [f.path, f]));
    for (const f of g.files) {
      const onDisk = byPath.get(f.path)!;
      expect(onDisk.raw === serializeFile(f), f.path).toBe(true);
      // Deterministic gzip header: no mtime, Unix OS byte.
      expect(onDisk.gz.readUInt32LE(4), f.path).toBe(0);
      expect(onDisk.gz[9], f.path).toBe(3);
    }
  });

  it('test/fixtures/sample-scenarios.json is the generated manifest', () => {
    expect(readFileSync(MANIFEST, 'utf8')).toBe(serializeManifest(g.scenarios));
  });

  it('stays small enough to commit (< 1 MB)', () => {
    const bytes = allFiles(LOGS).reduce((n, p) => n + statSync(join(LOGS, p)).size, 0);
    expect(bytes).toBeLessThan(1_000_000);
    expect(g.records.length).toBe(3000);
  });
});
