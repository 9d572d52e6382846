import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  apiOperations,
  compactOperationData,
  createOperationLookup,
  readOperationData,
  type CompactOperationData,
  type OperationLookup,
} from '../../src/rules/api-operations.js';
import { defaultApisDir, defaultIamActionsDir, extractOperationData, modelOperationData } from '../../src/rules/api-models.js';

/** What `npm run build` writes; the tests on it are skipped before a build (`npm test` builds first). */
const BUILT_FILE = fileURLToPath(new URL('../../dist/rules/api-operations.json', import.meta.url));

// Extracted here with the build's own function, so the compact form is tested without a build.
const extracted = extractOperationData(modelOperationData());

const lookups: Array<[string, () => OperationLookup]> = [
  // Run from src there is no compact file next to the module: the shared lookup reads the packages.
  ['the packages in node_modules (apiOperations() from src)', () => apiOperations()],
  ['the compact data', () => createOperationLookup(compactOperationData(extracted))],
];

describe.each(lookups)('apiOperations (AWS SDK API models + IAM service authorization data), read from %s', (_, make) => {
  const lookup = make();

  it.each([
    ['ec2.amazonaws.com', 'ModifySecurityGroupRules'],
    ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress'],
    ['cloudtrail.amazonaws.com', 'StopLogging'],
    ['monitoring.amazonaws.com', 'DeleteAlarms'],
    ['access-analyzer.amazonaws.com', 'DeleteAnalyzer'],
    ['inspector2.amazonaws.com', 'Disable'],
    ['macie2.amazonaws.com', 'DisableMacie'],
    ['s3.amazonaws.com', 'PutBucketCors'],
    ['s3.amazonaws.com', 'DeleteBucketLifecycle'],
    ['s3.amazonaws.com', 'DeleteBucketPublicAccessBlock'],
    ['s3.amazonaws.com', 'DeleteAccountPublicAccessBlock'],
    ['lambda.amazonaws.com', 'AddPermission20150331v2'],
    ['lambda.amazonaws.com', 'CreateFunction20150331'],
    ['securityhub.amazonaws.com', 'DisableSecurityHubV2'],
    ['config.amazonaws.com', 'DeleteServiceLinkedConfigurationRecorder'],
  ])('knows %s %s', (source, name) => {
    expect(lookup.isOperation(source, name)).toBe(true);
  });

  it.each([
    ['guardduty.amazonaws.com', 'DeleteDetectr'],
    ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngres'],
    ['iam.amazonaws.com', 'StopLogging'],
  ])('flags %s %s', (source, name) => {
    expect(lookup.isOperation(source, name)).toBe(false);
  });

  it('does not judge sources it has no model for, or whose events are not API calls', () => {
    expect(lookup.isOperation('signin.amazonaws.com', 'ConsoleLogin')).toBeUndefined();
    expect(lookup.isOperation('nonexistent-service.amazonaws.com', 'Anything')).toBeUndefined();
    expect(lookup.isOperation('constructor.amazonaws.com', 'Anything')).toBeUndefined();
    expect(lookup.isOperation('toString', 'Anything')).toBeUndefined();
  });

  it('names the model files it consulted, every API version of the endpoint and the extra ones', () => {
    expect(lookup.modelsFor('cloudtrail.amazonaws.com')).toEqual(['cloudtrail-2013-11-01.min.json']);
    expect(lookup.modelsFor('s3.amazonaws.com')).toEqual(['s3-2006-03-01.min.json', 's3control-2018-08-20.min.json']);
    expect(lookup.modelsFor('lambda.amazonaws.com')).toEqual(['lambda-2014-11-11.min.json', 'lambda-2015-03-31.min.json']);
    expect(lookup.modelsFor('signin.amazonaws.com')).toEqual([]);
  });
});

/** The models and the IAM data read here independently of api-models.ts: whole files, fully parsed. */
function modelsOracle(): Map<string, { files: string[]; operations: Set<string> }> {
  const apis = defaultApisDir();
  const byEndpoint = new Map<string, { files: string[]; operations: Set<string> }>();
  for (const file of readdirSync(apis).filter((f) => f.endsWith('.min.json'))) {
    const model = JSON.parse(readFileSync(path.join(apis, file), 'utf8')) as { metadata: { endpointPrefix: string }; operations?: Record<string, unknown> };
    const entry = byEndpoint.get(model.metadata.endpointPrefix) ?? { files: [], operations: new Set<string>() };
    entry.files.push(file);
    for (const name of Object.keys(model.operations ?? {})) entry.operations.add(name);
    byEndpoint.set(model.metadata.endpointPrefix, entry);
  }
  return byEndpoint;
}

const iamOracle = (prefix: string): string[] => Object.keys(JSON.parse(readFileSync(path.join(defaultIamActionsDir(), `${prefix}.json`), 'utf8')) as Record<string, unknown>);

const SAMPLE_ENDPOINTS = ['ec2', 's3', 's3-control', 'iam', 'cloudtrail', 'monitoring', 'lambda', 'rds', 'cloudfront', 'email', 'securityhub', 'guardduty', 'kms', 'config', 'sts', 'organizations'];
const SAMPLE_IAM_PREFIXES = ['ec2', 's3', 'iam', 'cloudtrail', 'cloudwatch', 'ses', 'securityhub', 'guardduty', 'kms', 'config', 'lambda', 'access-analyzer'];

describe('the compact API operations data agrees with the packages it is extracted from', () => {
  const oracle = modelsOracle();
  const compacts: Array<[string, () => CompactOperationData]> = [
    ['extracted in memory', () => extracted],
    ['built into dist/rules/api-operations.json', () => JSON.parse(readFileSync(BUILT_FILE, 'utf8')) as CompactOperationData],
  ];

  describe.each(compacts)('%s', (label, load) => {
    it.skipIf(label.startsWith('built') && !existsSync(BUILT_FILE))('has every API model, with its files and exactly its operations', () => {
      const compact = load();
      expect(compact.format).toBe(1);
      expect(Object.keys(compact.models).sort()).toEqual([...oracle.keys()].sort());
      for (const endpoint of SAMPLE_ENDPOINTS) {
        const expected = oracle.get(endpoint)!;
        expect(expected, endpoint).toBeDefined();
        const entry = compact.models[endpoint]!;
        expect(entry.files, endpoint).toEqual([...expected.files].sort());
        expect(new Set(entry.operations.split(' ')), endpoint).toEqual(expected.operations);
      }
      // Every model, not just the sample: the operation counts (names deduplicated across API versions).
      expect(Object.fromEntries(Object.entries(compact.models).map(([e, m]) => [e, m.operations.split(' ').length]))).toEqual(
        Object.fromEntries([...oracle].map(([e, m]) => [e, m.operations.size])),
      );
    });

    it.skipIf(label.startsWith('built') && !existsSync(BUILT_FILE))('has every IAM service prefix with exactly its actions', () => {
      const compact = load();
      const prefixes = readdirSync(defaultIamActionsDir()).map((f) => f.replace(/\.json$/, ''));
      expect(Object.keys(compact.iamActions).sort()).toEqual(prefixes.filter((p) => iamOracle(p).length > 0).sort());
      for (const prefix of SAMPLE_IAM_PREFIXES) expect(compact.iamActions[prefix]!.split(' '), prefix).toEqual(iamOracle(prefix));
    });
  });

  it.skipIf(!existsSync(BUILT_FILE))('the built file is what the build step extracts from the installed packages, and reads back to the same verdicts', () => {
    expect(JSON.parse(readFileSync(BUILT_FILE, 'utf8'))).toEqual(extracted);
    const built = createOperationLookup(readOperationData(BUILT_FILE));
    const fromModels = apiOperations();
    for (const endpoint of SAMPLE_ENDPOINTS) {
      const source = `${endpoint}.amazonaws.com`;
      for (const name of [...oracle.get(endpoint)!.operations].slice(0, 50)) {
        expect(built.isOperation(source, name)).toBe(fromModels.isOperation(source, name));
        expect(built.isOperation(source, `${name}x`)).toBe(fromModels.isOperation(source, `${name}x`));
      }
      expect(built.modelsFor(source)).toEqual(fromModels.modelsFor(source));
    }
  });
});
