import { describe, expect, it } from 'vitest';
import { actorOf, arnResource, normalizeActor, parseAssumedRoleArn } from '../../src/cloudtrail/actor.js';
import type { CloudTrailRecord, UserIdentity } from '../../src/cloudtrail/types.js';
import { assumedRoleRecord, iamUserRecord, rootConsoleLoginRecord, serviceEventRecord } from './fixtures.js';

// userIdentity examples from the CloudTrail userIdentity element reference and the STS / sign-in event pages.
describe('normalizeActor', () => {
  it('IAMUser', () => {
    expect(normalizeActor(iamUserRecord().userIdentity)).toEqual({
      type: 'IAMUser',
      name: 'Alice',
      arn: 'arn:aws:iam::123456789012:user/Alice',
      accountId: '123456789012',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      principalId: 'AIDAJ45Q7YFFAREXAMPLE',
    });
  });

  it('IAMUser without userName: name from the ARN (with a path)', () => {
    expect(normalizeActor({ type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/bob' }).name).toBe('bob');
  });

  it('AssumedRole: role/session, session issuer, MFA from the session attributes', () => {
    expect(normalizeActor(assumedRoleRecord().userIdentity)).toEqual({
      type: 'AssumedRole',
      name: 'RoleToBeAssumed/MySessionName',
      arn: 'arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName',
      accountId: '123456789012',
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      principalId: 'AROAIDPPEZS35WEXAMPLE:MySessionName',
      sessionName: 'MySessionName',
      sessionIssuerName: 'RoleToBeAssumed',
      sessionIssuerArn: 'arn:aws:iam::123456789012:role/RoleToBeAssumed',
      mfa: false,
    });
  });

  it('AssumedRole with an e-mail session name (IAM Identity Center permission set role), source identity and boolean MFA', () => {
    const ui: UserIdentity = {
      type: 'AssumedRole',
      principalId: 'AROAIDPPEZS35WEXAMPLE:alice@example.com',
      arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/alice@example.com',
      accountId: '123456789012',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          arn: 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef',
          accountId: '123456789012',
          userName: 'AWSReservedSSO_AdministratorAccess_0123456789abcdef',
        },
        attributes: { mfaAuthenticated: true, creationDate: '2023-07-19T21:10:03Z' },
        sourceIdentity: 'alice',
      },
    };
    const a = normalizeActor(ui);
    // The person, then the permission set: the role's hash suffix only adds noise for a responder.
    expect(a.name).toBe('alice@example.com (SSO AdministratorAccess)');
    expect(a.sessionName).toBe('alice@example.com');
    expect(a.sessionIssuerName).toBe('AWSReservedSSO_AdministratorAccess_0123456789abcdef');
    expect(a.mfa).toBe(true);
    expect(a.sourceIdentity).toBe('alice');
  });

  it('AssumedRole seen cross-account without an ARN: session from principalId', () => {
    const a = normalizeActor({ type: 'AssumedRole', principalId: 'AROAIDPPEZS35WEXAMPLE:MySessionName', accountId: '111122223333' });
    expect(a.name).toBe('MySessionName');
    expect(a.sessionName).toBe('MySessionName');
  });

  it('Admin/alice display name', () => {
    const a = normalizeActor({ type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice' });
    expect(a.name).toBe('Admin/alice');
    expect(a.sessionIssuerName).toBe('Admin');
  });

  it('Role', () => {
    const a = normalizeActor({ type: 'Role', principalId: 'AROAIDPPEZS35WEXAMPLE', arn: 'arn:aws:iam::123456789012:role/RoleToBeAssumed', accountId: '123456789012' });
    expect(a).toMatchObject({ type: 'Role', name: 'RoleToBeAssumed' });
  });

  it('Root: name root; ConsoleLogin MFAUsed "No" gives mfa false', () => {
    const rec = rootConsoleLoginRecord();
    expect(actorOf(rec)).toEqual({
      type: 'Root',
      name: 'root',
      arn: 'arn:aws:iam::123456789012:root',
      accountId: '123456789012',
      principalId: '123456789012',
      mfa: false,
    });
    (rec.additionalEventData as Record<string, unknown>).MFAUsed = 'Yes';
    expect(actorOf(rec).mfa).toBe(true);
    delete (rec.additionalEventData as Record<string, unknown>).MFAUsed;
    expect(actorOf(rec).mfa).toBeUndefined();
  });

  it('IAM user ConsoleLogin: MFAUsed decides, the record says nothing else', () => {
    const rec: CloudTrailRecord = {
      ...rootConsoleLoginRecord(),
      userIdentity: { type: 'IAMUser', principalId: 'AIDACKCEVSQ6C2EXAMPLE', arn: 'arn:aws:iam::123456789012:user/bob', accountId: '123456789012', userName: 'bob' },
      additionalEventData: { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: 'Yes' },
    };
    expect(actorOf(rec)).toMatchObject({ name: 'bob', mfa: true });
  });

  it('FederatedUser (GetFederationToken): session issuer is the IAM user', () => {
    const a = normalizeActor({
      type: 'FederatedUser',
      principalId: '123456789012:Bob',
      arn: 'arn:aws:sts::123456789012:federated-user/Bob',
      accountId: '123456789012',
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      sessionContext: {
        attributes: { mfaAuthenticated: 'false', creationDate: '2023-07-19T21:00:00Z' },
        sessionIssuer: { type: 'IAMUser', principalId: 'AIDAJ45Q7YFFAREXAMPLE', arn: 'arn:aws:iam::123456789012:user/Alice', accountId: '123456789012', userName: 'Alice' },
      },
    });
    expect(a).toMatchObject({ type: 'FederatedUser', name: 'Bob', sessionName: 'Bob', sessionIssuerName: 'Alice', sessionIssuerArn: 'arn:aws:iam::123456789012:user/Alice', mfa: false });
  });

  it('AWSService: the service name', () => {
    expect(normalizeActor({ type: 'AWSService', invokedBy: 'guardduty.amazonaws.com' })).toEqual({
      type: 'AWSService',
      name: 'guardduty.amazonaws.com',
      invokedBy: 'guardduty.amazonaws.com',
    });
  });

  it('AWSAccount: the other account, and anonymous S3 requests', () => {
    expect(normalizeActor({ type: 'AWSAccount', principalId: 'AIDAJ45Q7YFFAREXAMPLE', accountId: '111122223333' }).name).toBe('111122223333');
    expect(normalizeActor({ type: 'AWSAccount', principalId: '', accountId: 'ANONYMOUS_PRINCIPAL' }).name).toBe('anonymous');
  });

  it('IdentityCenterUser: onBehalfOf user id and identity store', () => {
    const a = normalizeActor({
      type: 'IdentityCenterUser',
      accountId: '123456789012',
      onBehalfOf: { userId: '544894e8-80c1-707f-60e3-3ba6510dfac1', identityStoreArn: 'arn:aws:identitystore::123456789012:identitystore/d-9067642ac7' },
      credentialId: 'EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE',
    });
    expect(a).toEqual({
      type: 'IdentityCenterUser',
      name: '544894e8-80c1-707f-60e3-3ba6510dfac1',
      accountId: '123456789012',
      userId: '544894e8-80c1-707f-60e3-3ba6510dfac1',
      identityProvider: 'arn:aws:identitystore::123456789012:identitystore/d-9067642ac7',
    });
  });

  it('WebIdentityUser and SAMLUser (AssumeRoleWithWebIdentity / AssumeRoleWithSAML)', () => {
    expect(
      normalizeActor({ type: 'WebIdentityUser', principalId: 'accounts.google.com:application-id.apps.googleusercontent.com:user-id', userName: 'user-id', identityProvider: 'accounts.google.com' }),
    ).toMatchObject({ type: 'WebIdentityUser', name: 'user-id', identityProvider: 'accounts.google.com' });
    expect(normalizeActor({ type: 'SAMLUser', principalId: 'SampleUkh1i4+ExamplexL/jEvs=:SamlExample', userName: 'SamlExample', identityProvider: 'bdGOnTesti4+ExamplexL/jEvs=' })).toMatchObject({
      type: 'SAMLUser',
      name: 'SamlExample',
      identityProvider: 'bdGOnTesti4+ExamplexL/jEvs=',
    });
  });

  it('Directory and Unknown: user name, else principal', () => {
    expect(normalizeActor({ type: 'Directory', principalId: 'S-1-5-21-1234567890-1234567890-1234567890-1234', userName: 'carol' }).name).toBe('carol');
    expect(normalizeActor({ type: 'Unknown', principalId: '123456789012', accountId: '123456789012', userName: 'user1' })).toMatchObject({ type: 'Unknown', name: 'user1' });
    expect(normalizeActor({ type: 'Unknown', principalId: 'AIDACKCEVSQ6C2EXAMPLE' }).name).toBe('AIDACKCEVSQ6C2EXAMPLE');
  });

  it('missing type (AWS service event): type Unknown, named after the invoking service', () => {
    expect(actorOf(serviceEventRecord())).toEqual({ type: 'Unknown', name: 'kms.amazonaws.com', accountId: '123456789012', invokedBy: 'kms.amazonaws.com' });
  });

  it('no userIdentity at all on a service event: the event source', () => {
    const rec = serviceEventRecord();
    delete rec.userIdentity;
    expect(actorOf(rec)).toEqual({ type: 'Unknown', name: 'kms.amazonaws.com' });
  });

  it('an unrecognised type keeps its type and a sensible name; invokedBy is kept for any type', () => {
    expect(normalizeActor({ type: 'SomethingNew', principalId: 'p', arn: 'arn:aws:iam::123456789012:user/x/dave' })).toMatchObject({ type: 'SomethingNew', name: 'dave' });
    expect(normalizeActor({ type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/R/S', invokedBy: 'ec2.amazonaws.com' }).invokedBy).toBe('ec2.amazonaws.com');
  });

  it('never throws on odd input', () => {
    for (const ui of [undefined, null, 42, 'x', [], {}, { type: 7 }, { type: 'AssumedRole', arn: 'nonsense' }, { sessionContext: 'x' }]) {
      const a = normalizeActor(ui as UserIdentity);
      expect(typeof a.name).toBe('string');
      expect(typeof a.type).toBe('string');
    }
  });

  it('ARN helpers', () => {
    expect(arnResource('arn:aws-us-gov:iam::123456789012:user/a/b')).toBe('user/a/b');
    expect(arnResource('nope')).toBeUndefined();
    expect(parseAssumedRoleArn('arn:aws-cn:sts::123456789012:assumed-role/R/i-0123456789abcdef0')).toEqual({ role: 'R', session: 'i-0123456789abcdef0' });
    expect(parseAssumedRoleArn('arn:aws:iam::123456789012:role/R')).toBeUndefined();
  });
});
