/**
 * Where a scan's output goes, with every write checked, so a full disk or a closed pipe fails the run instead of
 * leaving a truncated file behind a successful exit.
 *
 * - A file written whole (a table, a JSON document) is written to a temporary file in the same directory and
 *   renamed over the target only once complete: the target holds the old content or the new, never a part.
 * - A file written line by line (JSON Lines findings, rejects) is written in place as the run goes; the first failed
 *   write ends the run, and the error says the file is incomplete.
 * - A target that exists and is not a regular file (/dev/stdout, /dev/full, a named pipe) is written in place:
 *   renaming over it would replace the device.
 * - A stream (stdout) fails on the first write the stream reports failed; a reader that went away (EPIPE) is told
 *   apart from a write that failed (`closed`), so the command line can stop quietly.
 */
import { closeSync, fchmodSync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TrailguardError } from '../util/errors.js';

/** A write (or the opening of an output) failed. */
export class OutputError extends TrailguardError {
  override readonly name = 'OutputError';
  /** The reader of a pipe went away (EPIPE): nothing to report, the run just stops. */
  readonly closed: boolean;
  /** The errno code (ENOSPC, EPIPE, ...), when there is one. */
  readonly errno: string | undefined;
  /** The output as named to the user (`--output`, `stdout`). */
  readonly output: string;
  constructor(output: string, message: string, options: { closed?: boolean; errno?: string; cause?: unknown } = {}) {
    super(message, { code: 'output', cause: options.cause });
    this.output = output;
    this.closed = options.closed === true;
    this.errno = options.errno;
  }
}

export interface Output {
  /** The output as named to the user (`--output out.json`, `stdout`). */
  readonly label: string;
  /** Appends text; throws OutputError when the write fails. */
  write(text: string): void;
  /** Completes the output: flushes, and renames a whole-file output into place. Throws OutputError. */
  close(): void;
  /** Gives the output up after a failure: a whole file's temporary copy is removed, the target left as it was. */
  discard(): void;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a path component is not a directory',
  EISDIR: 'is a directory',
  EPIPE: 'the reading end of the pipe was closed',
  EEXIST: 'already exists',
};

/** "no space left on device (ENOSPC)" for an errno error; the message otherwise. */
export function describeIoError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && ERRNO_TEXT[code] !== undefined) return `${ERRNO_TEXT[code]} (${code})`;
  if (code !== undefined) return code;
  return error instanceof Error ? error.message : String(error);
}

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** Bytes buffered by a line-by-line file before they are written. */
const FLUSH_BYTES = 64 * 1024;

/**
 * An output file. `whole`: the text is kept until close() and written atomically (a temporary file beside the target,
 * then a rename); `lines`: written in place as it comes (buffered). Whether the file can be created is checked now,
 * so a path that cannot be written is an error before any work starts.
 */
export function fileOutput(label: string, file: string, mode: 'whole' | 'lines'): Output {
  const target = resolveTarget(file);
  if (mode === 'whole' && target.regular) return atomicFile(label, file, target.path, target.mode);
  return inPlaceFile(label, file, mode, target.regular);
}

interface Target {
  /** Where to write: the real path of an existing file (a symbolic link is written through), else the path given. */
  path: string;
  /** A regular file, or nothing yet: it can be replaced by a rename. */
  regular: boolean;
  /** Permission bits of the existing file, kept by the replacement. */
  mode?: number;
}

function resolveTarget(file: string): Target {
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return { path: file, regular: true };
  }
  const st = statSync(real);
  return st.isFile() ? { path: real, regular: true, mode: st.mode & 0o7777 } : { path: real, regular: false };
}

function openError(label: string, file: string, error: unknown): OutputError {
  return new OutputError(label, `${label}: cannot write ${file}: ${describeIoError(error)}`, { errno: errnoOf(error), cause: error });
}

function atomicFile(label: string, file: string, targetPath: string, mode: number | undefined): Output {
  const tempPath = (): string => join(dirname(targetPath), `.${basename(targetPath)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  // Can a file be created beside the target? Probed now and removed: a run killed before close() leaves nothing.
  const probe = tempPath();
  try {
    closeSync(openSync(probe, 'wx', 0o600));
    unlinkSync(probe);
  } catch (error) {
    throw openError(label, file, error);
  }
  const parts: string[] = [];
  let done = false;
  return {
    label,
    write(text) {
      parts.push(text);
    },
    close() {
      if (done) return;
      done = true;
      const temp = tempPath();
      let fd: number | undefined;
      try {
        fd = openSync(temp, 'wx', mode ?? 0o666);
        if (mode !== undefined) fchmodSync(fd, mode);
        for (const part of parts) writeAll(fd, Buffer.from(part, 'utf8'));
        fsyncSync(fd);
        closeSync(fd);
        fd = undefined;
        renameSync(temp, targetPath);
      } catch (error) {
        if (fd !== undefined) {
          try {
            closeSync(fd);
          } catch {
            // Already failing; the write error is the one to report.
          }
        }
        try {
          unlinkSync(temp);
        } catch {
          // Never created.
        }
        throw new OutputError(label, `${label}: writing ${file} failed: ${describeIoError(error)}; ${file} was not written${mode !== undefined ? ' (its previous content is unchanged)' : ''}`, {
          errno: errnoOf(error),
          cause: error,
        });
      } finally {
        parts.length = 0;
      }
    },
    discard() {
      done = true;
      parts.length = 0;
    },
  };
}

function inPlaceFile(label: string, file: string, mode: 'whole' | 'lines', regular: boolean): Output {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'w');
  } catch (error) {
    throw openError(label, file, error);
  }
  let pending: string[] = [];
  let pendingBytes = 0;
  let written = 0;
  const fail = (error: unknown): never => {
    release();
    const what = regular
      ? `${file} is incomplete: it holds only the ${written.toLocaleString('en-US')} bytes written before the failure`
      : `what reached ${file} is incomplete`;
    throw new OutputError(label, `${label}: writing ${file} failed: ${describeIoError(error)}; ${what}`, { errno: errnoOf(error), cause: error });
  };
  const release = (): void => {
    pending = [];
    pendingBytes = 0;
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // Reported by the write that failed, or by close() itself.
    }
    fd = undefined;
  };
  const flush = (): void => {
    if (pendingBytes === 0 || fd === undefined) return;
    const buf = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    pendingBytes = 0;
    try {
      writeAll(fd, buf);
    } catch (error) {
      fail(error);
    }
    written += buf.length;
  };
  return {
    label,
    write(text) {
      if (fd === undefined) throw new OutputError(label, `${label}: ${file} is already closed`);
      pending.push(text);
      pendingBytes += text.length;
      if (mode === 'lines' && pendingBytes >= FLUSH_BYTES) flush();
    },
    close() {
      if (fd === undefined) return;
      flush();
      const handle = fd;
      fd = undefined;
      try {
        closeSync(handle);
      } catch (error) {
        fail(error);
      }
    },
    discard() {
      release();
    },
  };
}

function writeAll(fd: number, buf: Buffer): void {
  let offset = 0;
  while (offset < buf.length) offset += writeSync(fd, buf, offset, buf.length - offset);
}

/** A stream the process does not own (stdout): written as is, each write checked. */
export function streamOutput(stream: NodeJS.WritableStream, label = 'stdout'): Output {
  const check = (): void => {
    const state = stream as NodeJS.WritableStream & { errored?: Error | null; destroyed?: boolean };
    const error = state.errored ?? (state.destroyed ? Object.assign(new Error('stream destroyed'), { code: 'ERR_STREAM_DESTROYED' }) : undefined);
    if (!error) return;
    throw streamError(label, error);
  };
  return {
    label,
    write(text) {
      check();
      stream.write(text);
      // A synchronous stream (a pipe or a file on Linux) knows at once when the write failed.
      check();
    },
    close() {
      check();
    },
    discard() {},
  };
}

/** The OutputError for a failed write to a stream: `closed` when the reader went away. */
export function streamError(label: string, error: unknown): OutputError {
  const errno = errnoOf(error);
  const closed = errno === 'EPIPE' || errno === 'ERR_STREAM_DESTROYED' || errno === 'ERR_STREAM_WRITE_AFTER_END';
  return new OutputError(label, `${label}: write failed: ${describeIoError(error)}`, { closed, errno, cause: error });
}
