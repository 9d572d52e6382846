/** Where a local store lives and who a local process is in claims; no database is loaded here. */
import { hostname } from 'node:os';
import path from 'node:path';

/** Where the store lives when nothing says otherwise: under the working directory. */
export const DEFAULT_STORE_PATH = path.join('.trailguard', 'trailguard.db');

/** The store path: explicit, else `.trailguard/trailguard.db` under cwd. ":memory:" is kept as is. */
export function resolveStorePath(explicit?: string, cwd = process.cwd()): string {
  if (explicit === ':memory:') return explicit;
  return path.resolve(cwd, explicit ?? DEFAULT_STORE_PATH);
}

/** "host:pid": a claim by this process, recognisable after a restart as one whose owner is gone. */
export function defaultOwner(): string {
  return `${hostname()}:${process.pid}`;
}
