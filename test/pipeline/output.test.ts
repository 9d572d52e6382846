/**
 * Outputs: a whole document is written to a temporary file and renamed into place, so a failed write leaves the
 * target as it was and no temporary file behind; a line-by-line file fails on the first failed write and says it is
 * incomplete; a device is written in place; a stream reports a closed reader apart from a failed write.
 */
import type * as NodeFs from 'node:fs';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir, removeTempDirs } from '../cli/helpers.js';

const fsFailure = vi.hoisted(() => ({ writeSyncFailsWith: undefined as string | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof NodeFs>();
  return {
    ...fs,
    writeSync: ((...args: Parameters<typeof fs.writeSync>) => {
      if (fsFailure.writeSyncFailsWith !== undefined) throw Object.assign(new Error(`${fsFailure.writeSyncFailsWith}: simulated`), { code: fsFailure.writeSyncFailsWith });
      return fs.writeSync(...args);
    }) as typeof fs.writeSync,
  };
});

const { fileOutput, OutputError, streamOutput } = await import('../../src/pipeline/output.js');

afterEach(() => {
  fsFailure.writeSyncFailsWith = undefined;
});
afterAll(removeTempDirs);

const thrown = (fn: () => void): InstanceType<typeof OutputError> => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OutputError);
    return error as InstanceType<typeof OutputError>;
  }
  throw new Error('did not throw');
};

describe('fileOutput, whole documents', () => {
  it('writes nothing under the target until close(), then renames a complete file into place (keeping its permissions)', () => {
    const dir = makeTempDir('trailguard-output-');
    const target = join(dir, 'findings.json');
    writeFileSync(target, 'old content\n');
    chmodSync(target, 0o640);
    const out = fileOutput('--output', target, 'whole');
    out.write('{"findings": [],');
    out.write(' "summary": {}}\n');
    expect(readFileSync(target, 'utf8')).toBe('old content\n');
    out.close();
    expect(readFileSync(target, 'utf8')).toBe('{"findings": [], "summary": {}}\n');
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['findings.json']);
  });

  it('a write that fails (a full disk) leaves the previous content and no temporary file, and names the file', () => {
    const dir = makeTempDir('trailguard-output-');
    const target = join(dir, 'findings.json');
    writeFileSync(target, 'old content\n');
    const out = fileOutput('--output', target, 'whole');
    out.write('x'.repeat(100_000));
    fsFailure.writeSyncFailsWith = 'ENOSPC';
    const error = thrown(() => out.close());
    expect(error.message).toBe(`--output: writing ${target} failed: no space left on device (ENOSPC); ${target} was not written (its previous content is unchanged)`);
    expect(error.closed).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('old content\n');
    expect(readdirSync(dir)).toEqual(['findings.json']);
  });

  it('a new file that cannot be completed is not created at all', () => {
    const dir = makeTempDir('trailguard-output-');
    const target = join(dir, 'new.json');
    const out = fileOutput('--output', target, 'whole');
    out.write('{}');
    fsFailure.writeSyncFailsWith = 'EIO';
    expect(thrown(() => out.close()).message).toBe(`--output: writing ${target} failed: input/output error (EIO); ${target} was not written`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a symbolic link is written through, not replaced', () => {
    const dir = makeTempDir('trailguard-output-');
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'out.json'), 'old');
    symlinkSync(join(dir, 'real', 'out.json'), join(dir, 'link.json'));
    const out = fileOutput('--output', join(dir, 'link.json'), 'whole');
    out.write('new');
    out.close();
    expect(readFileSync(join(dir, 'real', 'out.json'), 'utf8')).toBe('new');
    expect(readdirSync(join(dir, 'real'))).toEqual(['out.json']);
  });

  it('a directory that does not exist is an error when the output is opened, before any work', () => {
    const target = join(makeTempDir('trailguard-output-'), 'missing', 'out.json');
    expect(thrown(() => fileOutput('--output', target, 'whole')).message).toBe(`--output: cannot write ${target}: no such file or directory (ENOENT)`);
  });

  it.skipIf(!existsSync('/dev/full'))('a device (/dev/full) is written in place, never renamed over, and its failure is reported', () => {
    const out = fileOutput('--output', '/dev/full', 'whole');
    out.write('{}\n');
    expect(thrown(() => out.close()).message).toBe('--output: writing /dev/full failed: no space left on device (ENOSPC); what reached /dev/full is incomplete');
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
  });
});

describe('fileOutput, line by line', () => {
  it('fails on the first failed write and says how much the file holds', () => {
    const target = join(makeTempDir('trailguard-output-'), 'findings.jsonl');
    const out = fileOutput('--output', target, 'lines');
    const line = `${JSON.stringify({ pad: 'x'.repeat(1000) })}\n`;
    for (let i = 0; i < 100; i++) out.write(line);
    fsFailure.writeSyncFailsWith = 'ENOSPC';
    const error = thrown(() => {
      for (let i = 0; i < 100; i++) out.write(line);
    });
    expect(error.message).toMatch(new RegExp(`^--output: writing ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} failed: no space left on device \\(ENOSPC\\); ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is incomplete: it holds only the [\\d,]+ bytes written before the failure$`));
    fsFailure.writeSyncFailsWith = undefined;
    out.discard();
    expect(readFileSync(target, 'utf8').length % line.length).toBe(0);
  });
});

describe('streamOutput', () => {
  it('a reader that went away (EPIPE) is `closed`; another failure is not', () => {
    const pipe = new PassThrough();
    pipe.on('error', () => {});
    pipe.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    const closed = thrown(() => streamOutput(pipe).write('x'));
    expect(closed.closed).toBe(true);

    const full = new Writable({ write: (_chunk, _enc, cb) => cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })) });
    full.on('error', () => {});
    const out = streamOutput(full);
    const error = thrown(() => out.write('x'));
    expect(error.closed).toBe(false);
    expect(error.message).toBe('stdout: write failed: no space left on device (ENOSPC)');
  });
});
