/**
 * normalizeActor: the "who" of a CloudTrail record in one shape, whatever the userIdentity type.
 *
 * Types and fields follow the CloudTrail userIdentity element reference
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html):
 * Root, IAMUser, AssumedRole, Role, FederatedUser, AWSService, AWSAccount, IdentityCenterUser, Directory,
 * Unknown, plus the STS federation types WebIdentityUser and SAMLUser (AssumeRoleWithWebIdentity /
 * AssumeRoleWithSAML records) and records without a type (AWS service events with only accountId/invokedBy).
 *
 * Display names are what a person expects to read: `root`, `bob`, `Admin/alice` (role/session),
 * `guardduty.amazonaws.com` (a service), `anonymous` (unauthenticated S3 requests).
 */
import type { Actor, CloudTrailRecord, UserIdentity } from './types.js';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The resource part of an ARN (`arn:partition:service:region:account:resource`), or undefined. */
export function arnResource(arn: string | undefined): string | undefined {
  if (!arn || !arn.startsWith('arn:')) return undefined;
  let i = 0;
  for (let n = 0; n < 5; n++) {
    i = arn.indexOf(':', i) + 1;
    if (i === 0) return undefined;
  }
  return arn.slice(i);
}

/** Last path segment of an IAM resource such as `user/path/bob` → `bob`. */
function lastSegment(resource: string | undefined): string | undefined {
  if (!resource) return undefined;
  const j = resource.lastIndexOf('/');
  return j >= 0 ? resource.slice(j + 1) || undefined : undefined;
}

/**
 * Role and session of an assumed-role session ARN: `arn:aws:sts::123456789012:assumed-role/Admin/alice` →
 * { role: 'Admin', session: 'alice' }. The role name carries no path in this ARN; the session name may
 * contain characters such as `@`, `=`, `,`, `.`, `-` but not `/`.
 */
export function parseAssumedRoleArn(arn: string | undefined): { role: string; session: string } | undefined {
  const res = arnResource(arn);
  if (!res || !res.startsWith('assumed-role/')) return undefined;
  const rest = res.slice('assumed-role/'.length);
  const j = rest.indexOf('/');
  if (j <= 0) return undefined;
  return { role: rest.slice(0, j), session: rest.slice(j + 1) };
}

/** "true"/"false" (as CloudTrail writes them), booleans, and "Yes"/"No" (ConsoleLogin MFAUsed). */
function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  const s = v.toLowerCase();
  if (s === 'true' || s === 'yes') return true;
  if (s === 'false' || s === 'no') return false;
  return undefined;
}

function mfaOf(ui: UserIdentity | undefined, record: CloudTrailRecord | undefined): boolean | undefined {
  if (record && record.eventName === 'ConsoleLogin') {
    const aed = obj(record.additionalEventData);
    const used = aed ? toBool(aed.MFAUsed) : undefined;
    if (used !== undefined) return used;
  }
  const sc = obj(ui?.sessionContext);
  const attrs = sc ? obj(sc.attributes) : undefined;
  return attrs ? toBool(attrs.mfaAuthenticated) : undefined;
}

const SSO_ROLE = /^AWSReservedSSO_(.+)_[0-9a-f]{16}$/;

/**
 * Normalize a userIdentity element (pass the record too, for MFA of ConsoleLogin events and for identities
 * without a type). Never throws; unknown shapes give `{ type: 'Unknown', name: 'unknown' }` at worst.
 */
export function normalizeActor(userIdentity: UserIdentity | undefined | null, record?: CloudTrailRecord): Actor {
  const ui = obj(userIdentity) as UserIdentity | undefined;
  const rawType = str(ui?.type);
  const type = rawType ?? 'Unknown';
  const arn = str(ui?.arn);
  const accountId = str(ui?.accountId);
  const principalId = str(ui?.principalId);
  const accessKeyId = str(ui?.accessKeyId);
  const invokedBy = str(ui?.invokedBy);
  const userName = str(ui?.userName);
  const sc = obj(ui?.sessionContext);
  const issuer = sc ? obj(sc.sessionIssuer) : undefined;
  const issuerArn = issuer ? str(issuer.arn) : undefined;
  const issuerName = issuer ? str(issuer.userName) ?? lastSegment(arnResource(issuerArn)) : undefined;
  const sourceIdentity = sc ? str(sc.sourceIdentity) : undefined;

  const actor: Actor = { type, name: 'unknown' };
  if (arn) actor.arn = arn;
  if (accountId) actor.accountId = accountId;
  if (accessKeyId) actor.accessKeyId = accessKeyId;
  if (principalId) actor.principalId = principalId;
  if (invokedBy) actor.invokedBy = invokedBy;
  if (sourceIdentity) actor.sourceIdentity = sourceIdentity;
  const mfa = mfaOf(ui, record);
  if (mfa !== undefined) actor.mfa = mfa;

  switch (rawType) {
    case 'Root':
      actor.name = 'root';
      break;
    case 'IAMUser':
      actor.name = userName ?? lastSegment(arnResource(arn)) ?? principalId ?? 'unknown';
      break;
    case 'AssumedRole': {
      const parsed = parseAssumedRoleArn(arn);
      const colon = principalId ? principalId.indexOf(':') : -1;
      const session = parsed?.session ?? (colon >= 0 && principalId ? principalId.slice(colon + 1) : undefined);
      const role = issuerName ?? parsed?.role;
      if (session) actor.sessionName = session;
      if (role) actor.sessionIssuerName = role;
      if (issuerArn) actor.sessionIssuerArn = issuerArn;
      // IAM Identity Center permission-set roles (AWSReservedSSO_<PermissionSet>_<16 hex>): the session is the
      // person's user name, which is what a responder looks for; the hash suffix only adds noise.
      const permissionSet = role ? SSO_ROLE.exec(role)?.[1] : undefined;
      if (permissionSet && session) actor.name = `${session} (SSO ${permissionSet})`;
      else actor.name = role && session ? `${role}/${session}` : (role ?? session ?? principalId ?? 'unknown');
      break;
    }
    case 'Role': {
      actor.name = userName ?? lastSegment(arnResource(arn)) ?? principalId ?? 'unknown';
      break;
    }
    case 'FederatedUser': {
      // GetFederationToken: arn:aws:sts::123456789012:federated-user/Bob, issued by an IAM user (or root).
      const res = arnResource(arn);
      const fed = res && res.startsWith('federated-user/') ? res.slice('federated-user/'.length) : undefined;
      const colon = principalId ? principalId.indexOf(':') : -1;
      const name = fed ?? (colon >= 0 && principalId ? principalId.slice(colon + 1) : undefined) ?? userName;
      if (name) actor.sessionName = name;
      if (issuerName) actor.sessionIssuerName = issuerName;
      if (issuerArn) actor.sessionIssuerArn = issuerArn;
      actor.name = name ?? principalId ?? 'unknown';
      break;
    }
    case 'AWSService':
      actor.name = invokedBy ?? principalId ?? 'unknown';
      break;
    case 'AWSAccount':
      // Another account (principalId may name its role session), or ANONYMOUS_PRINCIPAL for unsigned S3 requests.
      if (accountId === 'ANONYMOUS_PRINCIPAL' || principalId === 'ANONYMOUS_PRINCIPAL') actor.name = 'anonymous';
      else actor.name = accountId ?? principalId ?? 'unknown';
      break;
    case 'IdentityCenterUser': {
      const ob = obj(ui?.onBehalfOf);
      const userId = ob ? str(ob.userId) : undefined;
      const store = ob ? str(ob.identityStoreArn) : undefined;
      if (userId) actor.userId = userId;
      if (store) actor.identityProvider = store;
      actor.name = userName ?? userId ?? principalId ?? 'unknown';
      break;
    }
    case 'WebIdentityUser':
    case 'SAMLUser': {
      const idp = str(ui?.identityProvider);
      if (idp) actor.identityProvider = idp;
      actor.name = userName ?? principalId ?? 'unknown';
      break;
    }
    case 'Directory':
    case 'Unknown':
      actor.name = userName ?? lastSegment(arnResource(arn)) ?? principalId ?? invokedBy ?? 'unknown';
      break;
    default: {
      // No type (AWS service events carry only accountId and invokedBy), or a type this version does not know.
      const fromRecord = !ui && record && record.eventType === 'AwsServiceEvent' ? str(record.eventSource) : undefined;
      actor.name = invokedBy ?? userName ?? lastSegment(arnResource(arn)) ?? principalId ?? fromRecord ?? 'unknown';
      const idp = str(ui?.identityProvider);
      if (idp) actor.identityProvider = idp;
      if (issuerArn) actor.sessionIssuerArn = issuerArn;
      if (issuerName) actor.sessionIssuerName = issuerName;
      break;
    }
  }
  return actor;
}

/** Shorthand: the normalized actor of a record. */
export function actorOf(record: CloudTrailRecord): Actor {
  return normalizeActor(record.userIdentity, record);
}
