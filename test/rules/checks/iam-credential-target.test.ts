import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CloudTrailRecord, EventBridgeEnvelope } from '../../../src/cloudtrail/types.js';
import {
  CREDENTIAL_EVENTS,
  analyzeCredentialTarget,
  targetsOtherIamUser,
  targetsOwnIamUser,
} from '../../../src/rules/checks/iam-credential-target.js';
import { findCheck } from '../../../src/rules/checks/index.js';

// Real-shaped records (account 123456789012 and other AWS-documented example values).
const ACCOUNT = '123456789012';

const IAM_USER = (name: string, accessKeyId = 'AKIAIOSFODNN7EXAMPLE'): Record<string, unknown> => ({
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLEUSERID001',
  arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
  accountId: ACCOUNT,
  accessKeyId,
  userName: name,
});
const ASSUMED_ROLE = {
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLEROLEID01:alice',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAEXAMPLEKEY123456',
  sessionContext: {
    sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEROLEID01', arn: `arn:aws:iam::${ACCOUNT}:role/Admin`, accountId: ACCOUNT, userName: 'Admin' },
    attributes: { creationDate: '2026-11-20T09:58:00Z', mfaAuthenticated: 'false' },
  },
};
const ROOT = { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: 'ASIAEXAMPLEROOT00001' };

function record(eventName: string, userIdentity: unknown, requestParameters: unknown, responseElements: unknown = null, extra: Record<string, unknown> = {}): CloudTrailRecord {
  return {
    eventVersion: '1.09',
    userIdentity: userIdentity as CloudTrailRecord['userIdentity'],
    eventTime: '2026-11-20T10:01:02Z',
    eventSource: 'iam.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.50',
    userAgent: 'aws-cli/2.17.0',
    requestParameters: requestParameters as Record<string, unknown> | null,
    responseElements: responseElements as Record<string, unknown> | null,
    requestID: '3f1b0e2c-5d7a-4c1e-9a61-0b7f6f3f2a10',
    eventID: '5b0c3b5e-8b7e-4f7a-9d0e-6a2f7b9c1d01',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...extra,
  };
}

function envelope(detail: CloudTrailRecord): EventBridgeEnvelope {
  return { version: '0', id: '7400a4bd-d520-3e73-7dd9-beffc1e29501', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.iam', account: ACCOUNT, time: detail.eventTime, region: 'us-east-1', resources: [], detail };
}

const other = (r: CloudTrailRecord) => targetsOtherIamUser.run({ record: r, event: envelope(r) });
const own = (r: CloudTrailRecord) => targetsOwnIamUser.run({ record: r, event: envelope(r) });

const accessKey = (userName: string, id = 'AKIAI44QH8DHBEXAMPLE') => ({ accessKey: { accessKeyId: id, createDate: 'Nov 20, 2026, 10:01:02 AM', status: 'Active', userName } });

describe('the contract', () => {
  it('registers both checks under their names', () => {
    expect(findCheck('targets-other-iam-user')).toBe(targetsOtherIamUser);
    expect(findCheck('targets-own-iam-user')).toBe(targetsOwnIamUser);
    expect(targetsOtherIamUser.description).toMatch(/CreateAccessKey/);
    expect(targetsOwnIamUser.description).toMatch(/IAMUser/);
  });

  it('knows exactly the seven IAM credential calls', () => {
    expect(Object.keys(CREDENTIAL_EVENTS).sort()).toEqual([
      'CreateAccessKey',
      'CreateLoginProfile',
      'CreateServiceSpecificCredential',
      'ResetServiceSpecificCredential',
      'UpdateLoginProfile',
      'UploadSSHPublicKey',
      'UploadSigningCertificate',
    ]);
  });
});

describe('targets-other-iam-user', () => {
  it('an assumed role creating a key for a user matches, with every fact', () => {
    const out = other(record('CreateAccessKey', ASSUMED_ROLE, { userName: 'svc-backup' }, accessKey('svc-backup')));
    expect(out).toEqual({
      matched: true,
      facts: {
        callerType: 'AssumedRole',
        targetFrom: 'request',
        credential: 'access key',
        target: 'svc-backup',
        caller: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`,
        relation: 'other',
        credentialId: 'AKIAI44QH8DHBEXAMPLE',
      },
    });
    expect(out.severity).toBeUndefined();
  });

  it('an IAM user creating a console password for another user matches (Stratus iam-create-user-login-profile)', () => {
    const out = other(record('CreateLoginProfile', IAM_USER('mallory'), { userName: 'bob', passwordResetRequired: false }, { loginProfile: { userName: 'bob', passwordResetRequired: false } }));
    expect(out.matched).toBe(true);
    expect(out.facts).toEqual({ callerType: 'IAMUser', targetFrom: 'request', credential: 'console password', target: 'bob', caller: 'mallory', relation: 'other' });
  });

  it('UpdateLoginProfile (password reset) of another user matches, with no response', () => {
    const out = other(record('UpdateLoginProfile', IAM_USER('mallory'), { userName: 'ops-admin' }));
    expect(out.matched).toBe(true);
    expect(out.facts?.credential).toBe('console password (reset)');
  });

  it.each([
    ['CreateServiceSpecificCredential', { userName: 'build-bot', serviceName: 'codecommit.amazonaws.com' }, 'service-specific credential'],
    ['ResetServiceSpecificCredential', { userName: 'build-bot', serviceSpecificCredentialId: 'ACCAEXAMPLE123EXAMPLE' }, 'service-specific credential (reset)'],
    ['UploadSSHPublicKey', { userName: 'build-bot', sSHPublicKeyBody: 'ssh-rsa AAAAEXAMPLE' }, 'SSH public key'],
    ['UploadSigningCertificate', { userName: 'build-bot', certificateBody: '-----BEGIN CERTIFICATE-----' }, 'signing certificate'],
  ])('%s for another user matches', (eventName, params, credential) => {
    const out = other(record(eventName, IAM_USER('mallory'), params));
    expect(out.matched).toBe(true);
    expect(out.facts?.credential).toBe(credential);
    expect(out.facts?.target).toBe('build-bot');
  });

  it('keeps the service name of a service-specific credential', () => {
    const out = other(record('CreateServiceSpecificCredential', ASSUMED_ROLE, { userName: 'build-bot', serviceName: 'bedrock.amazonaws.com' }, { serviceSpecificCredential: { userName: 'build-bot', serviceSpecificCredentialId: 'ACCAEXAMPLE123EXAMPLE' } }));
    expect(out.facts).toMatchObject({ serviceName: 'bedrock.amazonaws.com', credentialId: 'ACCAEXAMPLE123EXAMPLE' });
  });

  it('a user creating its own key does not match, whether named, named in another case, or not named', () => {
    expect(other(record('CreateAccessKey', IAM_USER('bob'), { userName: 'bob' }, accessKey('bob'))).matched).toBe(false);
    expect(other(record('CreateAccessKey', IAM_USER('bob'), { userName: 'BOB' }, accessKey('bob'))).matched).toBe(false);
    expect(other(record('CreateAccessKey', IAM_USER('bob'), null, accessKey('bob'))).matched).toBe(false);
    expect(other(record('CreateAccessKey', IAM_USER('bob'), {}, null)).matched).toBe(false);
  });

  it('reads the caller from the ARN (with a path) when userIdentity has no userName', () => {
    const ui = { ...IAM_USER('bob'), arn: `arn:aws:iam::${ACCOUNT}:user/division/team/bob` };
    delete (ui as Record<string, unknown>).userName;
    expect(other(record('CreateAccessKey', ui, { userName: 'bob' })).matched).toBe(false);
    expect(other(record('CreateAccessKey', ui, { userName: 'alice' })).facts).toMatchObject({ caller: 'bob', target: 'alice', relation: 'other' });
  });

  it('an IAM user whose own name cannot be read counts as another user when a target is named', () => {
    const out = other(record('CreateAccessKey', { type: 'IAMUser', accountId: ACCOUNT }, { userName: 'bob' }));
    expect(out.matched).toBe(true);
    expect(out.facts?.caller).toBeUndefined();
  });

  it('takes the target from the response when the request names none (an assumed role gets the created user from it)', () => {
    const out = other(record('CreateAccessKey', ASSUMED_ROLE, null, accessKey('svc-backup')));
    expect(out.matched).toBe(true);
    expect(out.facts).toMatchObject({ target: 'svc-backup', targetFrom: 'response' });
    // An IAM user with no user in the request is implicitly itself, even when the response names it.
    expect(analyzeCredentialTarget(record('CreateAccessKey', IAM_USER('bob'), null, accessKey('bob')))).toMatchObject({ target: 'bob', targetFrom: 'response', relation: 'self' });
  });

  it('root naming a user matches; root creating its own key (no user) does not', () => {
    expect(other(record('CreateAccessKey', ROOT, { userName: 'svc-backup' }, accessKey('svc-backup'))).facts).toMatchObject({ caller: 'root', relation: 'other', callerType: 'Root' });
    const self = other(record('CreateAccessKey', ROOT, null, { accessKey: { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', status: 'Active' } }));
    expect(self.matched).toBe(false);
    expect(self.facts).toMatchObject({ relation: 'root-self', target: 'root', targetFrom: 'implicit' });
  });

  it('a federated user, an Identity Center user or an unknown identity naming a user matches', () => {
    const fed = { type: 'FederatedUser', principalId: `${ACCOUNT}:backup_sync`, arn: `arn:aws:sts::${ACCOUNT}:federated-user/backup_sync`, accountId: ACCOUNT };
    expect(other(record('CreateAccessKey', fed, { userName: 'dev-ci' })).facts).toMatchObject({ callerType: 'FederatedUser', caller: fed.arn, relation: 'other' });
    expect(other(record('CreateAccessKey', { type: 'IdentityCenterUser', accountId: ACCOUNT, onBehalfOf: { userId: 'u-1' } }, { userName: 'dev-ci' })).matched).toBe(true);
    expect(other(record('CreateAccessKey', undefined, { userName: 'dev-ci' })).facts).toMatchObject({ callerType: 'Unknown', relation: 'other' });
    expect(other(record('CreateAccessKey', { invokedBy: 'cloudformation.amazonaws.com' }, { userName: 'dev-ci' })).facts).toMatchObject({ caller: 'cloudformation.amazonaws.com' });
  });

  it('a non-user caller with no target at all still matches, target "(not recorded)"', () => {
    const out = other(record('CreateLoginProfile', ASSUMED_ROLE, {}));
    expect(out.matched).toBe(true);
    expect(out.facts?.target).toBe('(not recorded)');
  });

  it('refused calls, other services, other events and the read-only neighbours never match', () => {
    expect(other(record('CreateAccessKey', ASSUMED_ROLE, { userName: 'svc-backup' }, null, { errorCode: 'AccessDenied' }))).toEqual({ matched: false });
    expect(other(record('CreateAccessKey', ASSUMED_ROLE, { userName: 'svc-backup' }, null, { eventSource: 'iam.example.com' }))).toEqual({ matched: false });
    expect(other(record('ListAccessKeys', ASSUMED_ROLE, { userName: 'svc-backup' }))).toEqual({ matched: false });
    expect(other(record('DeleteAccessKey', ASSUMED_ROLE, { userName: 'svc-backup', accessKeyId: 'AKIAI44QH8DHBEXAMPLE' }))).toEqual({ matched: false });
    expect(other(record('toString', ASSUMED_ROLE, { userName: 'svc-backup' }))).toEqual({ matched: false });
    // An empty errorCode is no error.
    expect(other(record('CreateAccessKey', ASSUMED_ROLE, { userName: 'svc-backup' }, null, { errorCode: '' })).matched).toBe(true);
  });
});

describe('targets-own-iam-user', () => {
  it('an IAM user creating its own key matches (named, in another case, or implicit)', () => {
    expect(own(record('CreateAccessKey', IAM_USER('dev-ci'), { userName: 'dev-ci' }, accessKey('dev-ci')))).toEqual({
      matched: true,
      facts: { callerType: 'IAMUser', targetFrom: 'request', credential: 'access key', target: 'dev-ci', caller: 'dev-ci', relation: 'self', credentialId: 'AKIAI44QH8DHBEXAMPLE' },
    });
    expect(own(record('CreateAccessKey', IAM_USER('dev-ci'), { userName: 'Dev-CI' })).matched).toBe(true);
    const implicit = own(record('CreateLoginProfile', IAM_USER('dev-ci'), { passwordResetRequired: false }));
    expect(implicit.matched).toBe(true);
    expect(implicit.facts).toMatchObject({ target: 'dev-ci', targetFrom: 'implicit' });
  });

  it('another user, root (even for its own key), roles and refused calls do not match', () => {
    expect(own(record('CreateAccessKey', IAM_USER('mallory'), { userName: 'bob' })).matched).toBe(false);
    expect(own(record('CreateAccessKey', ROOT, null)).matched).toBe(false);
    expect(own(record('CreateAccessKey', ASSUMED_ROLE, null, accessKey('svc-backup'))).matched).toBe(false);
    expect(own(record('CreateAccessKey', IAM_USER('dev-ci'), { userName: 'dev-ci' }, null, { errorCode: 'LimitExceededException' }))).toEqual({ matched: false });
  });
});

describe('malformed input never throws', () => {
  it.each([
    ['null record', null],
    ['undefined record', undefined],
    ['an array', []],
    ['a number', 42],
    ['requestParameters a string', { eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey', requestParameters: 'userName=bob', userIdentity: { type: 'IAMUser', userName: 'bob' } }],
    ['userName a number', { eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey', requestParameters: { userName: 7 }, userIdentity: { type: 'IAMUser', userName: ['bob'] } }],
    ['userIdentity a string', { eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey', requestParameters: { userName: 'bob' }, userIdentity: 'IAMUser' }],
    ['responseElements a list', { eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey', responseElements: [{ accessKey: { userName: 'bob' } }], userIdentity: { type: 'AssumedRole' } }],
    ['eventName an object key', { eventSource: 'iam.amazonaws.com', eventName: '__proto__', requestParameters: { userName: 'bob' } }],
  ])('%s', (_name, input) => {
    const rec = input as unknown as CloudTrailRecord;
    expect(() => targetsOtherIamUser.run({ record: rec, event: undefined as unknown as EventBridgeEnvelope })).not.toThrow();
    expect(() => targetsOwnIamUser.run({ record: rec, event: undefined as unknown as EventBridgeEnvelope })).not.toThrow();
    expect(() => analyzeCredentialTarget(rec)).not.toThrow();
  });

  it('property: any JSON in any field gives a well-formed outcome', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(CREDENTIAL_EVENTS), 'ListUsers'),
        fc.oneof(json, fc.record({ type: fc.constantFrom('IAMUser', 'Root', 'AssumedRole', 'FederatedUser'), userName: json, arn: json }, { requiredKeys: [] })),
        fc.oneof(json, fc.record({ userName: json, serviceName: json }, { requiredKeys: [] })),
        json,
        (eventName, userIdentity, requestParameters, responseElements) => {
          const rec = record(eventName, userIdentity, requestParameters, responseElements);
          for (const check of [targetsOtherIamUser, targetsOwnIamUser]) {
            const out = check.run({ record: rec, event: envelope(rec) });
            expect(typeof out.matched).toBe('boolean');
            for (const value of Object.values(out.facts ?? {})) expect(['string', 'number', 'boolean'].includes(typeof value) || Array.isArray(value)).toBe(true);
          }
          // The two checks never both match one event.
          expect(other(rec).matched && own(rec).matched).toBe(false);
        },
      ),
      { numRuns: 400 },
    );
  });
});

// ------------------------------------------------------------------------------------------------
// Real data, read at run time and never copied (../shared/cloudtrail-real).

const REAL = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)), '../shared/cloudtrail-real');
const present = existsSync(REAL);
if (!present) console.log(`skipping the credential-target real-data tests: ${REAL} not found`);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe.skipIf(!present)('on real CloudTrail data', () => {
  it('Stratus: every credential-for-another-user technique matches; nothing in the set matches targets-own-iam-user', () => {
    const dir = path.join(REAL, 'stratus-red-team-detonation-logs', 'detonation-logs');
    const hits: string[] = [];
    let own = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      for (const r of JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CloudTrailRecord[]) {
        const ev = envelope(r);
        if (targetsOtherIamUser.run({ record: r, event: ev }).matched) hits.push(`${file.replace(/\.json$/, '')} ${r.eventName}`);
        if (targetsOwnIamUser.run({ record: r, event: ev }).matched) own++;
      }
    }
    expect(hits.sort()).toEqual([
      'aws.persistence.iam-backdoor-user CreateAccessKey',
      'aws.persistence.iam-create-admin-user CreateAccessKey',
      'aws.persistence.iam-create-user-login-profile CreateLoginProfile',
      'aws.privilege-escalation.iam-update-user-login-profile UpdateLoginProfile',
    ]);
    expect(own).toBe(0);
  });

  it("SANS: the attacker's CreateAccessKey is the compromised user creating a second key for itself with its key", () => {
    const dir = path.join(REAL, 'sans-504-s3-ransomware-lab');
    const found: Array<{ other: boolean; own: boolean; ip?: string; key?: string }> = [];
    for (const file of walk(dir).filter((f) => f.endsWith('.json.gz'))) {
      const records = (JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as { Records: CloudTrailRecord[] }).Records;
      for (const r of records) {
        if (!Object.hasOwn(CREDENTIAL_EVENTS, r.eventName)) continue;
        const ev = envelope(r);
        found.push({ other: targetsOtherIamUser.run({ record: r, event: ev }).matched, own: targetsOwnIamUser.run({ record: r, event: ev }).matched, ip: r.sourceIPAddress, key: r.userIdentity?.accessKeyId?.slice(0, 4) });
      }
    }
    expect(found).toEqual([{ other: false, own: true, ip: '3.238.12.183', key: 'AKIA' }]);
  }, 60_000);
});
