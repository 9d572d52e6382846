/**
 * Where the Lambda handlers' source is, for esbuild: `src/lambda/<name>.ts` when trailguard runs from its sources
 * (tests, tsx), `dist/lambda/<name>.js` when it runs from the built package (the CLI, `npx cdk synth`, an install
 * from npm). Free of aws-cdk-lib.
 *
 * NodejsFunction needs a `projectRoot` that contains the entry (esbuild runs there) and a `depsLockFilePath` under it
 * (only read to pick the package manager and, with `nodeModules`, to install modules — neither used here). The
 * trailguard package root is both: it holds src/ and dist/. A package installed from npm has no package-lock.json
 * (npm never packs it), so its package.json stands in: any file under the root will do, and a non-lock file name
 * means npm.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { handlerEntry } from '../lambda/bundle.js';
import type { LambdaHandlerName } from '../lambda/environment.js';

/** The trailguard package root (two levels above src/infra or dist/infra). */
export const PACKAGE_ROOT = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));

export type HandlerEntry = (name: LambdaHandlerName) => string;

/** The real handler file: .ts under src when running from source, .js under dist when running from the built package. */
export const defaultHandlerEntry: HandlerEntry = handlerEntry;

export interface BundlingRoot {
  projectRoot: string;
  depsLockFilePath: string;
}

/** The project root and lock file for an entry: the trailguard package root when the entry is under it, else the entry's nearest directory with a package.json. */
export function bundlingRootFor(entry: string): BundlingRoot {
  const resolved = path.resolve(entry);
  let root = PACKAGE_ROOT;
  if (path.relative(PACKAGE_ROOT, resolved).startsWith('..')) {
    let dir = path.dirname(resolved);
    while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    root = dir;
  }
  const lock = path.join(root, 'package-lock.json');
  return { projectRoot: root, depsLockFilePath: existsSync(lock) ? lock : path.join(root, 'package.json') };
}
