/**
 * attach-deny-all-policy (containment, opt-in only): puts an inline policy that denies every action on
 * the principal that made the event: PutUserPolicy for an IAM user (or the IAM user behind a
 * GetFederationToken session), PutRolePolicy for the role behind an assumed-role session. An explicit
 * deny wins over every allow, so the principal (and every live session of it) can do nothing until the
 * policy is deleted. Never part of any default.
 *
 * Option `olderSessionsOnly: true` (roles only) denies just the sessions issued before the decision
 * (condition DateLessThan aws:TokenIssueTime: what the IAM console's "Revoke active sessions" attaches),
 * so new sessions of the role, e.g. its workloads after rotation, keep working. Option `policyName`
 * (default trailguard-deny-all).
 *
 * Not applicable: root (IAM policies do not apply), AWS services, service-linked roles (cannot be
 * edited) and IAM Identity Center roles (AWSReservedSSO_*: managed by Identity Center; revoke the
 * permission-set session there).
 *
 * Permissions: iam:PutUserPolicy (arn:${Partition}:iam::${Account}:user/*), iam:PutRolePolicy
 * (arn:${Partition}:iam::${Account}:role/*); lookups iam:ListUserTags, iam:ListRoleTags.
 */
import * as z from 'zod';
import type { RemediationAction } from '../types.js';
import { readUserOrRoleTags } from './deactivate-access-key.js';
import { execute, singlePlan } from './shared.js';

const optionsSchema = z.strictObject({
  policyName: z.string().regex(/^[\w+=,.@-]{1,128}$/, 'must be an IAM policy name').optional(),
  olderSessionsOnly: z.boolean().optional(),
});

export const DEFAULT_DENY_POLICY_NAME = 'trailguard-deny-all';

export function denyAllDocument(issuedBefore?: Date): string {
  const statement: Record<string, unknown> = { Sid: 'TrailguardContainment', Effect: 'Deny', Action: '*', Resource: '*' };
  if (issuedBefore) statement.Condition = { DateLessThan: { 'aws:TokenIssueTime': issuedBefore.toISOString() } };
  return JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
}

function lastSegment(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const i = arn.lastIndexOf('/');
  return i >= 0 ? arn.slice(i + 1) : undefined;
}

export const attachDenyAllPolicy: RemediationAction = {
  id: 'attach-deny-all-policy',
  title: 'Deny everything to a presumed-compromised user or role (containment)',
  description: 'Containment, opt-in: an inline deny-all policy on the IAM user or role that made the event (optionally only its sessions issued before now).',
  triggers: { rules: [], events: [] },
  containment: true,
  permissions: [
    { actions: ['iam:PutUserPolicy'], resource: 'arn:${Partition}:iam::${Account}:user/*', purpose: 'remediate' },
    { actions: ['iam:PutRolePolicy'], resource: 'arn:${Partition}:iam::${Account}:role/*', purpose: 'remediate' },
    { actions: ['iam:ListUserTags', 'iam:ListRoleTags'], resource: '*', purpose: 'lookup', note: 'user / role tags (scope)' },
  ],
  optionsSchema,
  async plan(input, context) {
    const { actor, record } = input;
    const options = context.options as z.infer<typeof optionsSchema>;
    const policyName = options.policyName ?? DEFAULT_DENY_POLICY_NAME;
    const account = actor.accountId ?? input.account;
    if (actor.invokedBy && actor.type === 'AWSService') return { kind: 'skip', reason: 'not-applicable', detail: `the call was made by the AWS service ${actor.invokedBy}` };
    let target: { type: 'iam-user' | 'iam-role'; name: string } | undefined;
    if (actor.type === 'IAMUser') target = { type: 'iam-user', name: typeof record.userIdentity?.userName === 'string' ? record.userIdentity.userName : actor.name };
    else if (actor.type === 'FederatedUser' && actor.sessionIssuerName) target = { type: 'iam-user', name: actor.sessionIssuerName };
    else if (actor.type === 'AssumedRole') {
      const issuer = actor.sessionIssuerArn;
      if (issuer?.includes(':role/aws-service-role/')) return { kind: 'skip', reason: 'not-applicable', detail: `${issuer} is a service-linked role: it cannot be edited` };
      const name = actor.sessionIssuerName ?? lastSegment(issuer);
      if (name?.startsWith('AWSReservedSSO_')) return { kind: 'skip', reason: 'not-applicable', detail: `${name} is an IAM Identity Center role: revoke the permission-set session in Identity Center` };
      if (name) target = { type: 'iam-role', name };
    }
    if (!target) return { kind: 'skip', reason: 'not-applicable', detail: `${actor.type} ${actor.name} is not an IAM user or role an inline policy can contain${actor.type === 'Root' ? ' (root is not governed by IAM policies)' : ''}` };
    const olderOnly = options.olderSessionsOnly === true && target.type === 'iam-role';
    const document = denyAllDocument(olderOnly ? context.now : undefined);
    const isUser = target.type === 'iam-user';
    const what = `${isUser ? 'IAM user' : 'IAM role'} ${target.name}`;
    const notes = ['containment: delete the inline policy ' + policyName + ' to lift it'];
    if (options.olderSessionsOnly && !olderOnly) notes.push('olderSessionsOnly applies to roles only: the user is denied everything');
    return singlePlan(
      attachDenyAllPolicy.id,
      [
        {
          service: 'iam',
          operation: isUser ? 'PutUserPolicy' : 'PutRolePolicy',
          input: { ...(isUser ? { UserName: target.name } : { RoleName: target.name }), PolicyName: policyName, PolicyDocument: document },
          region: input.region,
          account,
          description: `attach inline policy ${policyName} (deny ${olderOnly ? 'sessions issued before ' + context.now.toISOString() : 'all'}) to ${what}`,
        },
      ],
      {
        done: `${what} contained (inline deny-all ${policyName}${olderOnly ? ', sessions issued before now' : ''}) after ${record.eventName}`,
        todo: `contain ${what} with inline deny-all policy ${policyName}${olderOnly ? ' (sessions issued before now)' : ''} (made ${record.eventName})`,
      },
      [{ type: target.type, id: target.name, region: input.region, account }],
      notes,
    );
  },
  execute,
  readTags: readUserOrRoleTags,
};

export default attachDenyAllPolicy;
