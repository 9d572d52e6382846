/**
 * Which operations an AWS service API has, from the API models the `aws-sdk` (v2) package ships
 * in `aws-sdk/apis/*.min.json`: the same JSON models AWS generates its SDKs from, covering ~400
 * services. Only the JSON files are read; the v2 runtime is never loaded. Used to warn when a
 * rule's eventName is not an operation of its eventSource's API — a typo'd name never fires.
 */
import { readdirSync, readFileSync, openSync, readSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** eventSource hosts whose CloudTrail events come from more than one API model. */
const EXTRA_ENDPOINTS: Record<string, string[]> = {
  // Account-level S3 Block Public Access (s3-control) is recorded under s3.amazonaws.com.
  s3: ['s3-control'],
};

/** Lambda records some operations with the API version appended, e.g. CreateFunction20150331, AddPermission20150331v2. */
const API_VERSION_SUFFIX = /\d{8}(?:v\d+)?$/;

export interface OperationLookup {
  /** `undefined` when no API model is known for the eventSource (e.g. signin.amazonaws.com, whose events are not API calls). */
  isOperation(eventSource: string, eventName: string): boolean | undefined;
  /** The model files consulted for an eventSource, for messages. */
  modelsFor(eventSource: string): string[];
}

let shared: OperationLookup | undefined;

/** The process-wide lookup; the model index is read on first use (~20 ms), each model when first needed. */
export function apiOperations(): OperationLookup {
  shared ??= createOperationLookup(defaultApisDir());
  return shared;
}

function defaultApisDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('aws-sdk/package.json')), 'apis');
}

export function createOperationLookup(apisDir: string): OperationLookup {
  let byEndpoint: Map<string, string[]> | undefined;
  const operations = new Map<string, Set<string>>();

  const endpointIndex = (): Map<string, string[]> => {
    if (byEndpoint) return byEndpoint;
    byEndpoint = new Map();
    for (const file of readdirSync(apisDir)) {
      if (!file.endsWith('.min.json')) continue;
      const endpoint = readEndpointPrefix(path.join(apisDir, file));
      if (endpoint === undefined) continue;
      const files = byEndpoint.get(endpoint) ?? [];
      files.push(file);
      byEndpoint.set(endpoint, files);
    }
    return byEndpoint;
  };

  const modelsFor = (eventSource: string): string[] => {
    const host = eventSource.replace(/\.amazonaws\.com$/, '');
    const index = endpointIndex();
    return [host, ...(EXTRA_ENDPOINTS[host] ?? [])].flatMap((endpoint) => index.get(endpoint) ?? []);
  };

  const operationsOf = (eventSource: string): Set<string> | undefined => {
    let ops = operations.get(eventSource);
    if (ops) return ops;
    const files = modelsFor(eventSource);
    if (files.length === 0) return undefined;
    ops = new Set();
    for (const file of files) {
      const model = JSON.parse(readFileSync(path.join(apisDir, file), 'utf8')) as { operations?: Record<string, unknown> };
      for (const name of Object.keys(model.operations ?? {})) ops.add(name);
    }
    operations.set(eventSource, ops);
    return ops;
  };

  return {
    modelsFor,
    isOperation(eventSource, eventName) {
      const ops = operationsOf(eventSource);
      if (!ops) return undefined;
      return ops.has(eventName) || ops.has(eventName.replace(API_VERSION_SUFFIX, ''));
    },
  };
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
