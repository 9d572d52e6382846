import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { serializeFile } from '../../scripts/samples/generator/index.js';
import { generate, readTree } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'trailguard-samples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/samples/generate.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scripts/samples/generate.ts CLI', () => {
  it('writes the tree for the given options and prints a summary', () => {
    const out = join(tmp, 'tree');
    const r = cli('--records', '1000', '--days', '0.5', '--seed', 'cli', '--start', '2026-03-02T06:00:00Z', '--out', out, '--accounts', '123456789012,111122223333');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/files\s+\d+ \(\d+ log files, 1 digest\)/);
    expect(r.stdout).toMatch(/records\s+1000 /);
    expect(r.stdout).toMatch(/bytes\s+\d+ on disk/);
    const expected = generate({ records: 1000, days: 0.5, seed: 'cli', start: '2026-03-02T06:00:00Z', accounts: ['123456789012', '111122223333'] });
    const tree = readTree(out);
    expect(tree.map((f) => f.path)).toEqual(expected.files.map((f) => f.path).sort());
    const byPath = new Map(expected.files.map((f) => [f.path, f]));
    for (const f of tree) expect(f.raw === serializeFile(byPath.get(f.path)!), f.path).toBe(true);
    // Re-running over its own output replaces it.
    expect(cli('--records', '1000', '--days', '0.5', '--seed', 'cli', '--start', '2026-03-02T06:00:00Z', '--out', out, '--accounts', '123456789012,111122223333', '--quiet').status).toBe(0);
    expect(readTree(out).length).toBe(tree.length);
  });

  it('refuses to replace an AWSLogs tree it did not write, and rejects bad options', () => {
    const foreign = join(tmp, 'foreign');
    mkdirSync(join(foreign, 'AWSLogs'), { recursive: true });
    writeFileSync(join(foreign, 'AWSLogs', 'keep.txt'), 'x');
    const r = cli('--out', foreign, '--records', '100');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/refusing to replace/);
    const bad = cli('--records', 'many');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--records expects a number/);
  });
});
