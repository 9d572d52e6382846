import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CloudTrailRecord, EventBridgeEnvelope } from '../../../src/cloudtrail/types.js';
import {
  analyzeRoleTrust,
  analyzeTrustPolicyDocument,
  createRoleTrustExternalCheck,
  iamWildcardMatch,
  readPolicyDocument,
  roleTrustAllowsExternalPrincipal,
} from '../../../src/rules/checks/role-trust-external.js';
import { findCheck } from '../../../src/rules/checks/index.js';

// Real-shaped records (account 123456789012; outside accounts 111122223333 / 444455556666).
const ACCOUNT = '123456789012';
const OWN = new Set([ACCOUNT]);

function record(eventName: 'UpdateAssumeRolePolicy' | 'CreateRole' | string, policy: unknown, extra: Record<string, unknown> = {}): CloudTrailRecord {
  const requestParameters: Record<string, unknown> =
    eventName === 'CreateRole' ? { path: '/', roleName: 'web-app-role', assumeRolePolicyDocument: policy } : { roleName: 'web-app-role', policyDocument: policy };
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLEUSERID001', arn: `arn:aws:iam::${ACCOUNT}:user/mallory`, accountId: ACCOUNT, accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: 'mallory' },
    eventTime: '2026-11-20T11:24:11Z',
    eventSource: 'iam.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.50',
    userAgent: 'aws-cli/2.17.0',
    requestParameters,
    responseElements: null,
    requestID: '4e6a8c0e-2a4c-4e6a-8c0e-4a6c8e0a2c20',
    eventID: '5a7c9e1a-3c5e-4a7c-9e1a-5c7e9a1c3e20',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...extra,
  };
}

function envelope(detail: CloudTrailRecord, account = ACCOUNT): EventBridgeEnvelope {
  return { version: '0', id: '7400a4bd-d520-3e73-7dd9-beffc1e29501', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.iam', account, time: detail.eventTime, region: 'us-east-1', resources: [], detail };
}

const run = (r: CloudTrailRecord) => roleTrustAllowsExternalPrincipal.run({ record: r, event: envelope(r) });

const policy = (...statements: unknown[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (principal: unknown, extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra });
const grantsOf = (doc: Record<string, unknown>, own = OWN) => analyzeTrustPolicyDocument(doc, own).grants;
const kinds = (doc: Record<string, unknown>) => grantsOf(doc).map((g) => [g.kind, g.severity ?? 'rule']);
const doc = (...statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });

describe('the contract', () => {
  it('is registered as role-trust-allows-external-principal', () => {
    expect(findCheck('role-trust-allows-external-principal')).toBe(roleTrustAllowsExternalPrincipal);
    expect(roleTrustAllowsExternalPrincipal.description).toMatch(/UpdateAssumeRolePolicy/);
  });
});

describe('iamWildcardMatch', () => {
  it.each([
    ['sts:AssumeRole', 'sts:assumerole', true],
    ['sts:*', 'sts:assumerole', true],
    ['*', 'sts:assumerolewithsaml', true],
    ['sts:Assume*', 'sts:assumerolewithwebidentity', true],
    ['sts:AssumeRole?', 'sts:assumerole', false],
    ['sts:AssumeRol?', 'sts:assumerole', true],
    ['sts:TagSession', 'sts:assumerole', false],
    ['sts:AssumeRole', 'sts:assumerolewithsaml', false],
    ['*:AssumeRole*', 'sts:assumerole', true],
    ['', 'sts:assumerole', false],
    ['s*s:*Role', 'sts:assumerole', true],
  ])('%s ~ %s = %s', (pattern, value, expected) => {
    expect(iamWildcardMatch(pattern, value)).toBe(expected);
  });

  it('stays fast on adversarial patterns', () => {
    const started = Date.now();
    expect(iamWildcardMatch(`${'*a'.repeat(200)}b`, 'a'.repeat(5000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('readPolicyDocument', () => {
  it('reads JSON text, URL-encoded JSON text (CreateRole responses) and objects', () => {
    const text = policy(allow({ Service: 'ec2.amazonaws.com' }));
    expect(readPolicyDocument(text).document).toEqual(JSON.parse(text));
    expect(readPolicyDocument(encodeURIComponent(text)).document).toEqual(JSON.parse(text));
    expect(readPolicyDocument({ Statement: [] }).document).toEqual({ Statement: [] });
  });

  it.each([
    [undefined, 'no policy document in the record'],
    [null, 'no policy document in the record'],
    [42, 'the policy document is not a string or an object'],
    [['a'], 'the policy document is not a string or an object'],
    ['{"Statement": [', 'the policy document is not JSON'],
    ['%E0%A4%A', 'the policy document is not JSON'],
    ['"just a string"', 'the policy document is not a JSON object'],
    ['[1,2]', 'the policy document is not a JSON object'],
  ])('%j → %s', (value, problem) => {
    expect(readPolicyDocument(value)).toEqual({ problem });
  });
});

describe('principals', () => {
  it('service principals never count', () => {
    const out = analyzeTrustPolicyDocument(doc(allow({ Service: ['ec2.amazonaws.com', 'lambda.amazonaws.com'] })), OWN);
    expect(out.grants).toEqual([]);
    expect(out.services).toEqual(['ec2.amazonaws.com', 'lambda.amazonaws.com']);
  });

  it('own account as a bare id, as root ARN, as a role ARN and as an assumed-role ARN is internal', () => {
    for (const p of [ACCOUNT, `arn:aws:iam::${ACCOUNT}:root`, `arn:aws:iam::${ACCOUNT}:role/ops`, `arn:aws:sts::${ACCOUNT}:assumed-role/ops/alice`]) {
      expect(grantsOf(doc(allow({ AWS: p }))), p).toEqual([]);
    }
  });

  it('another account as id, root, user, role, assumed role or another partition is external (high)', () => {
    for (const p of ['444455556666', 'arn:aws:iam::444455556666:root', 'arn:aws:iam::444455556666:user/x', 'arn:aws:iam::444455556666:role/path/x', 'arn:aws:sts::444455556666:assumed-role/x/s', 'arn:aws-cn:iam::444455556666:root', ' arn:aws:iam::444455556666:root ']) {
      expect(grantsOf(doc(allow({ AWS: p }))), p).toEqual([
        { statement: 0, conditions: [], externalId: false, principalType: 'AWS', principal: p, kind: 'external-account', accounts: ['444455556666'], severity: 'high' },
      ]);
    }
  });

  it('Principal "*", AWS "*", AWS ["*"] and an Allow with NotPrincipal are public (critical)', () => {
    expect(kinds(doc(allow('*')))).toEqual([['public', 'critical']]);
    expect(kinds(doc(allow({ AWS: '*' })))).toEqual([['public', 'critical']]);
    expect(kinds(doc(allow({ AWS: ['*'] })))).toEqual([['public', 'critical']]);
    expect(grantsOf(doc({ Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }))).toMatchObject([{ principalType: 'NotPrincipal', kind: 'public', severity: 'critical' }]);
  });

  it('a principal that cannot be read is reported without raising the severity', () => {
    expect(grantsOf(doc(allow({ AWS: 'AROAEXAMPLEROLEID99' })))).toMatchObject([{ kind: 'unknown', principal: 'AROAEXAMPLEROLEID99' }]);
    expect(grantsOf(doc(allow({ AWS: 'AROAEXAMPLEROLEID99' })))[0]?.severity).toBeUndefined();
    expect(grantsOf(doc(allow({ AWS: 'arn:aws:iam::notanaccount:root' })))).toMatchObject([{ kind: 'unknown' }]);
    expect(kinds(doc(allow({ AWS: 'arn:aws:iam::*:root' })))).toEqual([['public', 'critical']]);
  });

  it('mixed principal lists report only the outside ones, once each', () => {
    const grants = grantsOf(doc(allow({ AWS: [ACCOUNT, '444455556666', 'arn:aws:iam::111122223333:role/ci'], Service: 'ec2.amazonaws.com' })));
    expect(grants.map((g) => g.accounts)).toEqual([['444455556666'], ['111122223333']]);
  });

  it('trustedAccounts extends the own account', () => {
    expect(analyzeTrustPolicyDocument(doc(allow({ AWS: '444455556666' })), new Set([ACCOUNT, '444455556666'])).grants).toEqual([]);
    const check = createRoleTrustExternalCheck({ trustedAccounts: ['444455556666'] });
    const r = record('UpdateAssumeRolePolicy', policy(allow({ AWS: 'arn:aws:iam::444455556666:root' })));
    expect(check.run({ record: r, event: envelope(r) }).matched).toBe(false);
    expect(run(r).matched).toBe(true);
  });
});

describe('federated principals', () => {
  const gh = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
  const web = (federated: string, condition?: Record<string, unknown>) =>
    doc({ Effect: 'Allow', Principal: { Federated: federated }, Action: 'sts:AssumeRoleWithWebIdentity', ...(condition ? { Condition: condition } : {}) });

  it('own-account SAML and EKS OIDC providers are not judged', () => {
    const out = analyzeTrustPolicyDocument(doc(allow({ Federated: `arn:aws:iam::${ACCOUNT}:saml-provider/Okta` }, { Action: 'sts:AssumeRoleWithSAML' })), OWN);
    expect(out.grants).toEqual([]);
    expect(out.federated).toEqual([`arn:aws:iam::${ACCOUNT}:saml-provider/Okta`]);
    expect(grantsOf(web(`arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`))).toEqual([]);
  });

  it("another account's provider is external", () => {
    expect(grantsOf(web('arn:aws:iam::444455556666:oidc-provider/token.actions.githubusercontent.com'))).toMatchObject([{ kind: 'external-federated', accounts: ['444455556666'], severity: 'high' }]);
  });

  it('GitHub without a sub condition, or with a wildcard tenant, admits any repository', () => {
    expect(kinds(web(gh))).toEqual([['any-tenant', 'high']]);
    expect(kinds(web(gh, { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } }))).toEqual([['any-tenant', 'high']]);
    expect(kinds(web(gh, { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:*' } }))).toEqual([['any-tenant', 'high']]);
    expect(kinds(web(gh, { StringLike: { 'token.actions.githubusercontent.com:sub': '*' } }))).toEqual([['any-tenant', 'high']]);
    expect(kinds(web(gh, { StringLike: { 'token.actions.githubusercontent.com:sub': ['repo:example-org/app:*', 'repo:*'] } }))).toEqual([['any-tenant', 'high']]);
    expect(kinds(web(gh, { StringEqualsIfExists: { 'token.actions.githubusercontent.com:sub': 'repo:example-org/app:ref:refs/heads/main' } }))).toEqual([['any-tenant', 'high']]);
  });

  it('GitHub pinned to an organization or repository is fine', () => {
    expect(grantsOf(web(gh, { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:example-org/*' } }))).toEqual([]);
    expect(grantsOf(web(gh, { 'ForAnyValue:StringLike': { 'Token.Actions.GithubUserContent.com:Sub': ['repo:example-org/app:*'] } }))).toEqual([]);
  });

  it('Cognito identity pools and Google need an aud condition', () => {
    expect(kinds(web('cognito-identity.amazonaws.com'))).toEqual([['any-tenant', 'high']]);
    expect(grantsOf(web('cognito-identity.amazonaws.com', { StringEquals: { 'cognito-identity.amazonaws.com:aud': 'us-east-1:12345678-abcd-abcd-abcd-123456789012' } }))).toEqual([]);
    expect(kinds(web('accounts.google.com'))).toEqual([['any-tenant', 'high']]);
  });
});

describe('statements, actions and conditions', () => {
  it('Deny statements, and Allow statements that do not grant assuming the role, are ignored', () => {
    expect(grantsOf(doc({ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }))).toEqual([]);
    expect(grantsOf(doc(allow('*', { Action: 'sts:TagSession' })))).toEqual([]);
    expect(grantsOf(doc(allow('*', { Action: ['sts:TagSession', 'sts:SetSourceIdentity'] })))).toEqual([]);
    expect(grantsOf(doc({ Effect: 'Allow', Principal: '*', NotAction: ['sts:AssumeRole*'] }))).toEqual([]);
  });

  it('wildcard actions, NotAction that leaves an assume action, and a missing Action all grant', () => {
    for (const extra of [{ Action: 'sts:*' }, { Action: '*' }, { Action: ['sts:Assume*'] }, { Action: 'STS:ASSUMEROLE' }, { Action: undefined, NotAction: 'sts:AssumeRoleWithSAML' }, { Action: undefined }]) {
      expect(kinds(doc(allow('*', extra))), JSON.stringify(extra)).toEqual([['public', 'critical']]);
    }
  });

  it('a lone Statement object (not an array) is read, and element names are read without case', () => {
    expect(kinds({ Version: '2012-10-17', Statement: allow('*') })).toEqual([['public', 'critical']]);
    expect(kinds({ statement: [{ effect: 'allow', principal: { aws: '444455556666' }, action: 'sts:AssumeRole' }] })).toEqual([['external-account', 'high']]);
  });

  it('sts:ExternalId keeps another account at the rule severity, and leaves "*" high', () => {
    const ext = { Condition: { StringEquals: { 'sts:ExternalId': '7f3c1b2a-example' } } };
    expect(grantsOf(doc(allow({ AWS: '111122223333' }, ext)))).toEqual([
      { statement: 0, conditions: ['sts:externalid'], externalId: true, principalType: 'AWS', principal: '111122223333', kind: 'external-account', accounts: ['111122223333'] },
    ]);
    expect(kinds(doc(allow('*', ext)))).toEqual([['public', 'high']]);
  });

  it('conditions that let a missing key pass do not restrict', () => {
    for (const operator of ['StringEqualsIfExists', 'StringNotEquals', 'ForAllValues:StringEquals', 'Null', 'Bool']) {
      expect(kinds(doc(allow({ AWS: '111122223333' }, { Condition: { [operator]: { 'sts:ExternalId': 'x' } } }))), operator).toEqual([['external-account', 'high']]);
    }
    expect(kinds(doc(allow({ AWS: '111122223333' }, { Condition: { StringEquals: { 'sts:ExternalId': [] } } })))).toEqual([['external-account', 'high']]);
  });

  it('"*" limited to the own account or own ARNs is internal; to other accounts, external; to an organization, org', () => {
    const cond = (op: string, key: string, value: unknown) => ({ Condition: { [op]: { [key]: value } } });
    expect(grantsOf(doc(allow('*', cond('StringEquals', 'aws:PrincipalAccount', ACCOUNT))))).toEqual([]);
    expect(grantsOf(doc(allow('*', cond('StringEquals', 'aws:SourceAccount', [ACCOUNT]))))).toEqual([]);
    expect(grantsOf(doc(allow('*', cond('ArnLike', 'aws:PrincipalArn', `arn:aws:iam::${ACCOUNT}:role/ci-*`))))).toEqual([]);
    expect(grantsOf(doc(allow('*', cond('StringEquals', 'aws:PrincipalAccount', [ACCOUNT, '444455556666']))))).toMatchObject([{ kind: 'external-account', accounts: ['444455556666'], severity: 'high' }]);
    expect(grantsOf(doc(allow('*', cond('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::444455556666:role/*'))))).toMatchObject([{ kind: 'external-account', accounts: ['444455556666'] }]);
    expect(kinds(doc(allow('*', cond('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*:role/ci'))))).toEqual([['public', 'critical']]);
    expect(kinds(doc(allow('*', cond('StringLike', 'aws:PrincipalAccount', '12345678*'))))).toEqual([['public', 'critical']]);
    expect(kinds(doc(allow('*', cond('StringEquals', 'aws:PrincipalOrgID', 'o-exampleorgid'))))).toEqual([['org', 'rule']]);
    expect(kinds(doc(allow('*', cond('ForAnyValue:StringLike', 'aws:PrincipalOrgPaths', 'o-exampleorgid/r-ab12/*'))))).toEqual([['org', 'rule']]);
    // Conditions are ANDed: an own-account restriction wins over an organization one.
    expect(grantsOf(doc(allow('*', { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorgid', 'aws:PrincipalAccount': ACCOUNT } } })))).toEqual([]);
  });

  it('reports problems for odd statements without throwing', () => {
    const out = analyzeTrustPolicyDocument({ Statement: [null, 'x', allow(42)] }, OWN);
    expect(out.grants).toEqual([]);
    expect(out.problems).toEqual(['statement 0 is not an object', 'statement 1 is not an object', 'statement 2: Principal is neither "*" nor an object']);
    expect(analyzeTrustPolicyDocument({}, OWN).problems).toEqual(['the policy has no Statement']);
  });

  it('severity options replace the defaults', () => {
    const out = analyzeTrustPolicyDocument(doc(allow('*'), allow({ AWS: '444455556666' })), OWN, { publicSeverity: 'high', externalSeverity: 'medium' });
    expect(out.grants.map((g) => g.severity)).toEqual(['high', 'medium']);
  });
});

describe('analyzeRoleTrust and the check on records', () => {
  it('UpdateAssumeRolePolicy widened to another account (the Stratus shape: pretty-printed JSON next to a service statement)', () => {
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [allow({ Service: 'ec2.amazonaws.com' }), allow({ AWS: 'arn:aws:iam::444455556666:root' })] }, null, 2);
    expect(run(record('UpdateAssumeRolePolicy', text))).toEqual({
      matched: true,
      severity: 'high',
      facts: {
        ownAccount: ACCOUNT,
        services: ['ec2.amazonaws.com'],
        principals: ['arn:aws:iam::444455556666:root'],
        kinds: ['external-account'],
        trusted: ['arn:aws:iam::444455556666:root (another account)'],
        accounts: ['444455556666'],
        externalId: false,
      },
    });
  });

  it('CreateRole for "*" is critical; with ExternalId to a vendor it matches without a severity', () => {
    expect(run(record('CreateRole', policy(allow({ AWS: '*' }))))).toMatchObject({ matched: true, severity: 'critical', facts: { kinds: ['public'], trusted: ['* (any AWS account)'] } });
    const vendor = run(record('CreateRole', policy(allow({ AWS: '111122223333' }, { Condition: { StringEquals: { 'sts:ExternalId': 'x-1' } } }))));
    expect(vendor).toMatchObject({ matched: true, facts: { externalId: true, conditions: ['sts:externalid'], trusted: ['111122223333 (another account, with sts:ExternalId)'] } });
    expect(vendor.severity).toBeUndefined();
  });

  it('CreateRole without a request document falls back to the URL-encoded response document', () => {
    const text = policy(allow({ AWS: 'arn:aws:iam::444455556666:root' }));
    const r = record('CreateRole', undefined, { responseElements: { role: { roleName: 'web-app-role', assumeRolePolicyDocument: encodeURIComponent(text) } } });
    expect(analyzeRoleTrust(r)).toMatchObject({ parsed: true, ownAccount: ACCOUNT, grants: [{ kind: 'external-account' }] });
    expect(run(r).matched).toBe(true);
  });

  it('the own account comes from recipientAccountId, then userIdentity.accountId, then the envelope', () => {
    const text = policy(allow({ AWS: '444455556666' }));
    expect(analyzeRoleTrust(record('UpdateAssumeRolePolicy', text, { recipientAccountId: '444455556666' })).grants).toEqual([]);
    const noRecipient = record('UpdateAssumeRolePolicy', text, { recipientAccountId: undefined, userIdentity: { type: 'AssumedRole', accountId: '444455556666' } });
    expect(analyzeRoleTrust(noRecipient).grants).toEqual([]);
    const bare = record('UpdateAssumeRolePolicy', text, { recipientAccountId: undefined, userIdentity: undefined });
    expect(analyzeRoleTrust(bare, '444455556666').grants).toEqual([]);
    expect(analyzeRoleTrust(bare).ownAccount).toBeUndefined();
    expect(analyzeRoleTrust(bare).grants).toHaveLength(1);
    expect(roleTrustAllowsExternalPrincipal.run({ record: bare, event: envelope(bare, '444455556666') }).matched).toBe(false);
  });

  it('service-only and own-account trust policies do not match, and say what they trust', () => {
    expect(run(record('UpdateAssumeRolePolicy', policy(allow({ Service: 'ec2.amazonaws.com' }, { Sid: '' }))))).toEqual({ matched: false, facts: { ownAccount: ACCOUNT, services: ['ec2.amazonaws.com'] } });
    expect(run(record('CreateRole', policy(allow({ AWS: ACCOUNT }, { Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }))))).toEqual({ matched: false, facts: { ownAccount: ACCOUNT } });
  });

  it('refused calls, other services and other events never match; unreadable documents are a fact, not a match', () => {
    const text = policy(allow('*'));
    expect(run(record('UpdateAssumeRolePolicy', text, { errorCode: 'AccessDenied' }))).toEqual({ matched: false });
    expect(run(record('UpdateAssumeRolePolicy', text, { eventSource: 'sts.amazonaws.com' }))).toEqual({ matched: false });
    expect(run(record('PutRolePolicy', text))).toEqual({ matched: false, facts: { ownAccount: ACCOUNT, problems: ['not a role trust policy event: PutRolePolicy'] } });
    expect(run(record('UpdateAssumeRolePolicy', '{not json'))).toEqual({ matched: false, facts: { ownAccount: ACCOUNT, problems: ['the policy document is not JSON'] } });
    expect(run(record('CreateRole', undefined))).toEqual({ matched: false, facts: { ownAccount: ACCOUNT, problems: ['no policy document in the record'] } });
  });

  it('the highest severity of several grants wins', () => {
    expect(run(record('CreateRole', policy(allow({ AWS: '111122223333' }, { Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }), allow({ AWS: '444455556666' }), allow('*')))).severity).toBe('critical');
    expect(run(record('CreateRole', policy(allow({ AWS: '111122223333' }, { Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }), allow({ AWS: '444455556666' })))).severity).toBe('high');
  });
});

describe('malformed input never throws', () => {
  it.each([
    ['null record', null],
    ['a string record', 'UpdateAssumeRolePolicy'],
    ['requestParameters a list', { eventSource: 'iam.amazonaws.com', eventName: 'UpdateAssumeRolePolicy', requestParameters: [1] }],
    ['policy a number', { eventSource: 'iam.amazonaws.com', eventName: 'UpdateAssumeRolePolicy', requestParameters: { policyDocument: 5 } }],
    ['deeply odd policy', { eventSource: 'iam.amazonaws.com', eventName: 'CreateRole', requestParameters: { assumeRolePolicyDocument: '{"Statement":{"Effect":"Allow","Principal":{"AWS":[null,1,{"x":1}]},"Action":[null],"Condition":[1]}}' } }],
    ['condition values of every type', { eventSource: 'iam.amazonaws.com', eventName: 'CreateRole', requestParameters: { assumeRolePolicyDocument: '{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalAccount":[null,{"a":1},7]},"ArnLike":"x"}}}' } }],
  ])('%s', (_name, input) => {
    const rec = input as unknown as CloudTrailRecord;
    expect(() => roleTrustAllowsExternalPrincipal.run({ record: rec, event: null as unknown as EventBridgeEnvelope })).not.toThrow();
    expect(() => analyzeRoleTrust(rec)).not.toThrow();
  });

  it('property: any JSON policy (as an object, JSON text or URL-encoded text) gives a well-formed outcome', () => {
    const json = fc.jsonValue({ maxDepth: 5 });
    const principal = fc.oneof(json, fc.constant('*'), fc.record({ AWS: fc.oneof(json, fc.constantFrom('*', '444455556666', ACCOUNT, 'arn:aws:iam::444455556666:root')), Service: json, Federated: json }, { requiredKeys: [] }));
    const statement = fc.oneof(
      json,
      fc.record({ Effect: fc.oneof(json, fc.constantFrom('Allow', 'Deny')), Principal: principal, NotPrincipal: json, Action: fc.oneof(json, fc.constantFrom('sts:AssumeRole', '*', 'sts:TagSession')), NotAction: json, Condition: fc.oneof(json, fc.dictionary(fc.constantFrom('StringEquals', 'ArnLike', 'StringEqualsIfExists', 'ForAnyValue:StringLike'), fc.dictionary(fc.constantFrom('sts:ExternalId', 'aws:PrincipalAccount', 'aws:PrincipalArn', 'aws:PrincipalOrgID'), json))) }, { requiredKeys: [] }),
    );
    const document = fc.oneof(json, fc.record({ Version: json, Statement: fc.oneof(statement, fc.array(statement, { maxLength: 4 })) }, { requiredKeys: [] }));
    fc.assert(
      fc.property(document, fc.constantFrom('object', 'json', 'url', 'garbage'), fc.constantFrom('UpdateAssumeRolePolicy', 'CreateRole'), (value, form, eventName) => {
        const encoded = form === 'object' ? value : form === 'json' ? JSON.stringify(value) : form === 'url' ? encodeURIComponent(JSON.stringify(value) ?? '') : `%${JSON.stringify(value)}`;
        const r = record(eventName, encoded);
        const out = run(r);
        expect(typeof out.matched).toBe('boolean');
        if (out.matched) expect(Array.isArray(out.facts?.principals)).toBe(true);
        if (out.severity !== undefined) expect(['high', 'critical', 'medium']).toContain(out.severity);
        for (const v of Object.values(out.facts ?? {})) expect(['string', 'number', 'boolean'].includes(typeof v) || Array.isArray(v)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

// ------------------------------------------------------------------------------------------------
// Real data, read at run time and never copied (../shared/cloudtrail-real).

const REAL = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)), '../shared/cloudtrail-real');
const present = existsSync(REAL);
if (!present) console.log(`skipping the role-trust real-data tests: ${REAL} not found`);

describe.skipIf(!present)('on real CloudTrail data', () => {
  it('Invictus: of the two UpdateAssumeRolePolicy calls only the one adding account 193672423079 matches; no CreateRole matches', () => {
    const dir = path.join(REAL, 'invictus-ir-sigma-aws', 'CloudTrail');
    const seen: string[] = [];
    for (const file of readdirSync(dir).sort()) {
      for (const r of (JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { Records: CloudTrailRecord[] }).Records) {
        if (r.eventName !== 'UpdateAssumeRolePolicy' && r.eventName !== 'CreateRole') continue;
        const out = roleTrustAllowsExternalPrincipal.run({ record: r, event: envelope(r, r.recipientAccountId ?? ACCOUNT) });
        seen.push(`${r.eventName} ${out.matched ? `${out.severity} ${String(out.facts?.accounts)}` : 'no'} ${String(out.facts?.services ?? '-')}`);
      }
    }
    expect(seen.filter((s) => s.startsWith('UpdateAssumeRolePolicy')).sort()).toEqual([
      'UpdateAssumeRolePolicy high 193672423079 ec2.amazonaws.com',
      'UpdateAssumeRolePolicy no ec2.amazonaws.com',
    ]);
    const creates = seen.filter((s) => s.startsWith('CreateRole'));
    expect(creates).toHaveLength(13);
    expect(creates.every((s) => s.startsWith('CreateRole no'))).toBe(true);
  });

  it('Stratus: iam-backdoor-role and iam-create-backdoor-role match (high); no other technique does', () => {
    const dir = path.join(REAL, 'stratus-red-team-detonation-logs', 'detonation-logs');
    const hits: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      for (const r of JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CloudTrailRecord[]) {
        const out = roleTrustAllowsExternalPrincipal.run({ record: r, event: envelope(r, r.recipientAccountId ?? ACCOUNT) });
        if (out.matched) hits.push(`${file.replace(/\.json$/, '')} ${r.eventName} ${out.severity}`);
      }
    }
    expect(hits).toEqual(['aws.persistence.iam-backdoor-role UpdateAssumeRolePolicy high', 'aws.persistence.iam-create-backdoor-role CreateRole high']);
  });
});
