import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type CloudTrailRecord, type GeneratedFile, type GeneratorOptions, type ScenarioEntry, createGenerator } from '../../scripts/samples/generator/index.js';

export interface TreeFile {
  path: string;
  /** Decompressed bytes. */
  raw: string;
  gz: Buffer;
}

/** Every file under `dir`, with forward-slash relative paths, sorted. */
export function readTree(dir: string): TreeFile[] {
  const out: TreeFile[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.json.gz')) {
        const gz = readFileSync(p);
        out.push({ path: relative(dir, p).split(sep).join('/'), raw: gunzipSync(gz).toString('utf8'), gz });
      }
    }
  };
  walk(dir);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

export interface Generated {
  files: GeneratedFile[];
  scenarios: ScenarioEntry[];
  records: CloudTrailRecord[];
  start: number;
  end: number;
}

const cache = new Map<string, Generated>();

/** Generate in memory (memoised per options within a test file). */
export function generate(opts: GeneratorOptions = {}): Generated {
  const key = JSON.stringify(opts);
  let g = cache.get(key);
  if (!g) {
    const gen = createGenerator(opts);
    const files = [...gen.files()];
    g = { files, scenarios: gen.scenarios, records: files.flatMap((f) => f.records), start: gen.options.start, end: gen.options.end };
    cache.set(key, g);
  }
  return g;
}

export const epoch = (iso: string): number => Date.parse(iso) / 1000;
