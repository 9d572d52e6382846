/**
 * The loop guard's identities and the principal allowlists match ARN patterns with the one wildcard matcher
 * (src/util/glob.ts): `*` any run of characters, everything else literal, no regular expression built from config.
 */
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/cloudtrail/types.js';
import { describeIdentity, matchesArn, ownIdentity } from '../../src/remediate/loop-guard.js';
import { allowlistedPrincipal, judgeTags } from '../../src/remediate/policy.js';

const session = (role: string, name: string, account = '123456789012'): Actor => ({
  type: 'AssumedRole',
  name: `${role}/${name}`,
  arn: `arn:aws:sts::${account}:assumed-role/${role}/${name}`,
  sessionIssuerArn: `arn:aws:iam::${account}:role/${role}`,
  sessionIssuerName: role,
  sessionName: name,
});

describe('matchesArn', () => {
  it('* spans any run of characters; every other character is literal', () => {
    expect(matchesArn('arn:aws:sts::123456789012:assumed-role/Deploy/*', 'arn:aws:sts::123456789012:assumed-role/Deploy/gha-1')).toBe(true);
    expect(matchesArn('arn:aws:sts::*:assumed-role/Deploy/*', 'arn:aws:sts::210987654321:assumed-role/Deploy/x')).toBe(true);
    expect(matchesArn('arn:aws:sts::123456789012:assumed-role/Deploy/*', 'arn:aws:sts::123456789012:assumed-role/Deployer/x')).toBe(false);
    expect(matchesArn('arn:aws:iam::123456789012:role/a.b', 'arn:aws:iam::123456789012:role/aXb')).toBe(false);
    expect(matchesArn('arn:aws:iam::123456789012:role/a?', 'arn:aws:iam::123456789012:role/ab')).toBe(false);
    expect(matchesArn('arn:aws:iam::123456789012:role/x', undefined, 'arn:aws:iam::123456789012:role/x')).toBe(true);
    expect(matchesArn('*', undefined)).toBe(false);
  });

  it('stays fast on a pattern that would make a regular expression backtrack for ever', () => {
    const started = Date.now();
    expect(matchesArn(`arn:${'*a'.repeat(25)}b`, `arn:${'a'.repeat(5000)}`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('ownIdentity', () => {
  it('an arn entry matches the session or the role it was issued from', () => {
    const identity = [{ arn: 'arn:aws:iam::*:role/trailguard-*' }];
    expect(ownIdentity(session('trailguard-remediation', 'lambda'), identity)).toEqual(identity[0]);
    expect(ownIdentity(session('admin', 'trailguard-remediation'), identity)).toBeUndefined();
    expect(describeIdentity(identity[0]!)).toBe('arn:aws:iam::*:role/trailguard-*');
  });
});

describe('allowlisted principals and tag values', () => {
  it('allowPrincipals patterns, global and per action', () => {
    const config = { allowPrincipals: ['arn:aws:sts::123456789012:assumed-role/NetworkAdmins/*'] };
    const entry = { action: 'revoke-security-group-ingress', allowPrincipals: ['arn:aws:iam::*:role/Break*Glass'] };
    expect(allowlistedPrincipal(config as never, entry as never, session('NetworkAdmins', 'alice'))).toBe('arn:aws:sts::123456789012:assumed-role/NetworkAdmins/*');
    expect(allowlistedPrincipal(config as never, entry as never, session('BreakTheGlass', 'bob'))).toBe('arn:aws:iam::*:role/Break*Glass');
    expect(allowlistedPrincipal(config as never, entry as never, session('Developers', 'eve'))).toBeUndefined();
  });

  it('a tag value "*" is any value; a * inside a value spans any run', () => {
    expect(judgeTags({ skip: { 'trailguard:ignore': '*' }, require: {} }, { 'trailguard:ignore': 'yes' }, 'sg-1')?.reason).toBe('tagged');
    expect(judgeTags({ skip: {}, require: { env: ['prod-*', 'staging'] } }, { env: 'prod-eu' }, 'sg-1')).toBeUndefined();
    expect(judgeTags({ skip: {}, require: { env: ['prod-*', 'staging'] } }, { env: 'dev' }, 'sg-1')?.reason).toBe('out-of-scope');
  });
});
