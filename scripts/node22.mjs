#!/usr/bin/env node
/**
 * Runs a command under Node.js 22 — the Lambda runtime's major version (nodejs22.x) — whatever Node runs npm.
 * The binary comes from the npm registry (the `node-<os>-<arch>` package the `node@22` package installs; no
 * other download works on this project's machines), pinned here and installed once into
 * node_modules/.cache/node22, outside the project's dependency tree so that it never shadows the `node` the
 * rest of the scripts run on.
 *
 *   node scripts/node22.mjs vitest run test/lambda      # a package binary, run with Node 22
 *   node scripts/node22.mjs --version
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const VERSION = '22.23.3';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const prefix = path.join(root, 'node_modules', '.cache', `node${VERSION}`);
const platform = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform];
const pkg = `node-${platform}-${process.arch}`;
const binary = path.join(prefix, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');

if (!platform) {
  console.error(`node22: no Node.js ${VERSION} package for ${process.platform}/${process.arch}`);
  process.exit(2);
}
if (!existsSync(binary)) {
  console.error(`node22: installing ${pkg}@${VERSION} into ${path.relative(root, prefix)}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = spawnSync(npm, ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', prefix, `${pkg}@${VERSION}`], { stdio: 'inherit' });
  if (install.status !== 0 || !existsSync(binary)) {
    console.error(`node22: could not install ${pkg}@${VERSION} from the npm registry`);
    process.exit(install.status || 2);
  }
}

const [command, ...args] = process.argv.slice(2);
const argv = command === undefined ? ['--version'] : command.startsWith('-') ? [command, ...args] : [resolveBin(command), ...args];
const result = spawnSync(binary, argv, { stdio: 'inherit', env: { ...process.env, TRAILGUARD_NODE22: VERSION } });
process.exit(result.status ?? 1);

/** A package binary of this project (vitest, tsx ...) as the script file Node runs, or the path given. */
function resolveBin(name) {
  const candidates = { vitest: 'node_modules/vitest/vitest.mjs', tsx: 'node_modules/tsx/dist/cli.mjs' };
  return candidates[name] ? path.join(root, candidates[name]) : name;
}
