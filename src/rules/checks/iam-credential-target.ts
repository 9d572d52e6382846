/**
 * Checks `targets-other-iam-user` and `targets-own-iam-user`: whose IAM user an IAM credential
 * call (a new access key, console password, service-specific credential, SSH key or signing
 * certificate) was made for, compared with who made it.
 *
 * An IAM user creating its own access key is how keys are normally issued; an assumed role, the
 * root user or another IAM user creating credentials for a user is the backdoor footprint
 * (Stratus Red Team aws.persistence.iam-backdoor-user, iam-create-admin-user,
 * iam-create-user-login-profile, aws.privilege-escalation.iam-update-user-login-profile).
 *
 * Target. `requestParameters.userName`; when the request names none, the user the response
 * names (`responseElements.accessKey.userName`, `loginProfile.userName`, ...); when neither
 * does, the caller's own identity, as the IAM API documents for CreateAccessKey ("If you do not
 * specify a user name, IAM determines the user name implicitly based on the access key ID
 * signing the request"; for the root user's key that is the root user's own credential).
 *
 * Caller. For `userIdentity.type` IAMUser: its `userName` (or the last segment of its ARN).
 * IAM user names are unique case-insensitively in an account, so names are compared without
 * case. Root without a target is the root user's own credential (not another user's); every
 * other identity type (AssumedRole, FederatedUser, IdentityCenterUser, AWSService, ...) cannot
 * own IAM user credentials, so whatever user it targets is another user.
 *
 * Only successful calls to iam.amazonaws.com of the events in CREDENTIAL_EVENTS are judged;
 * anything else is not matched. Never throws, whatever the record holds.
 */
import type { CheckInput, CheckOutcome, RuleCheck } from '../types.js';
import type { CloudTrailRecord } from '../../cloudtrail/types.js';

/** IAM calls that give a user a credential, with what the credential is. */
export const CREDENTIAL_EVENTS: Readonly<Record<string, string>> = {
  CreateAccessKey: 'access key',
  CreateLoginProfile: 'console password',
  UpdateLoginProfile: 'console password (reset)',
  CreateServiceSpecificCredential: 'service-specific credential',
  ResetServiceSpecificCredential: 'service-specific credential (reset)',
  UploadSSHPublicKey: 'SSH public key',
  UploadSigningCertificate: 'signing certificate',
};

/** Where each event's response names the user the credential belongs to. */
const RESPONSE_OWNER: Readonly<Record<string, readonly string[]>> = {
  CreateAccessKey: ['accessKey', 'userName'],
  CreateLoginProfile: ['loginProfile', 'userName'],
  CreateServiceSpecificCredential: ['serviceSpecificCredential', 'userName'],
  ResetServiceSpecificCredential: ['serviceSpecificCredential', 'userName'],
  UploadSSHPublicKey: ['sSHPublicKey', 'userName'],
  UploadSigningCertificate: ['certificate', 'userName'],
};

/** Where each event's response carries the new credential's id (never a secret). */
const RESPONSE_ID: Readonly<Record<string, readonly string[]>> = {
  CreateAccessKey: ['accessKey', 'accessKeyId'],
  CreateServiceSpecificCredential: ['serviceSpecificCredential', 'serviceSpecificCredentialId'],
  ResetServiceSpecificCredential: ['serviceSpecificCredential', 'serviceSpecificCredentialId'],
  UploadSSHPublicKey: ['sSHPublicKey', 'sSHPublicKeyId'],
  UploadSigningCertificate: ['certificate', 'certificateId'],
};

export type CredentialRelation =
  /** An IAM user's call for itself (or for no named user). */
  | 'self'
  /** The root user's call for its own credential (no user named). */
  | 'root-self'
  /** A call that gives credentials to a user other than the caller. */
  | 'other';

export interface CredentialTarget {
  /** A successful iam.amazonaws.com call of CREDENTIAL_EVENTS. */
  eligible: boolean;
  eventName: string;
  /** What was created, e.g. "access key". */
  credential?: string;
  /** The user the credential is for, when the record names one. */
  target?: string;
  /** Where `target` came from. */
  targetFrom: 'request' | 'response' | 'implicit';
  /** userIdentity.type, or "Unknown". */
  callerType: string;
  /** The caller's IAM user name (IAMUser only), "root" for Root, otherwise the ARN or principal id when recorded. */
  caller?: string;
  relation?: CredentialRelation;
  /** The new credential's id from the response (access key id, SSH key id, ...), when recorded. */
  credentialId?: string;
  /** For service-specific credentials: the service (requestParameters.serviceName). */
  serviceName?: string;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function at(root: unknown, path: readonly string[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    const o = obj(cur);
    if (!o) return undefined;
    cur = o[key];
  }
  return cur;
}

/** Last segment of an IAM user ARN's resource: `arn:aws:iam::123456789012:user/ops/bob` → `bob`. */
function userNameFromArn(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const m = /^arn:[^:]*:iam::[^:]*:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m?.[1];
}

/** Who the credential call is for and who made it. Never throws. */
export function analyzeCredentialTarget(record: CloudTrailRecord | null | undefined): CredentialTarget {
  const r = obj(record) ?? {};
  const eventName = str(r.eventName) ?? '';
  const ui = obj(r.userIdentity);
  const callerType = str(ui?.type) ?? 'Unknown';
  const out: CredentialTarget = { eligible: false, eventName, targetFrom: 'implicit', callerType };
  const credential = Object.hasOwn(CREDENTIAL_EVENTS, eventName) ? CREDENTIAL_EVENTS[eventName] : undefined;
  if (credential === undefined) return out;
  out.credential = credential;
  if (str(r.eventSource) !== 'iam.amazonaws.com') return out;
  if (r.errorCode !== undefined && r.errorCode !== null && r.errorCode !== '') return out;
  out.eligible = true;

  const request = obj(r.requestParameters);
  const requested = str(request?.userName);
  const ownerPath = RESPONSE_OWNER[eventName];
  const responded = ownerPath ? str(at(r.responseElements, ownerPath)) : undefined;
  if (requested !== undefined) {
    out.target = requested;
    out.targetFrom = 'request';
  } else if (responded !== undefined) {
    out.target = responded;
    out.targetFrom = 'response';
  }
  const idPath = RESPONSE_ID[eventName];
  const credentialId = idPath ? str(at(r.responseElements, idPath)) : undefined;
  if (credentialId !== undefined) out.credentialId = credentialId;
  const serviceName = str(request?.serviceName);
  if (serviceName !== undefined) out.serviceName = serviceName;

  if (callerType === 'IAMUser') {
    const own = str(ui?.userName) ?? userNameFromArn(str(ui?.arn));
    if (own !== undefined) out.caller = own;
    if (out.target === undefined) out.relation = 'self';
    else out.relation = own !== undefined && own.toLowerCase() === out.target.toLowerCase() ? 'self' : 'other';
    return out;
  }
  if (callerType === 'Root') {
    out.caller = 'root';
    out.relation = out.target === undefined ? 'root-self' : 'other';
    return out;
  }
  const who = str(ui?.arn) ?? str(ui?.principalId) ?? str(ui?.invokedBy);
  if (who !== undefined) out.caller = who;
  // No IAM user is the caller's own: whatever user is named (or created, per the response) is another one.
  out.relation = 'other';
  return out;
}

function factsOf(t: CredentialTarget): NonNullable<CheckOutcome['facts']> {
  const facts: NonNullable<CheckOutcome['facts']> = { callerType: t.callerType, targetFrom: t.targetFrom };
  if (t.credential !== undefined) facts.credential = t.credential;
  facts.target = t.target ?? (t.relation === 'root-self' ? 'root' : t.relation === 'self' && t.caller !== undefined ? t.caller : '(not recorded)');
  if (t.caller !== undefined) facts.caller = t.caller;
  if (t.relation !== undefined) facts.relation = t.relation;
  if (t.credentialId !== undefined) facts.credentialId = t.credentialId;
  if (t.serviceName !== undefined) facts.serviceName = t.serviceName;
  return facts;
}

export const targetsOtherIamUser: RuleCheck = {
  name: 'targets-other-iam-user',
  description:
    'A successful IAM credential call (CreateAccessKey, Create/UpdateLoginProfile, Create/ResetServiceSpecificCredential, ' +
    'UploadSSHPublicKey, UploadSigningCertificate) gives credentials to a user other than the caller: an IAM user naming ' +
    'another user, the root user naming a user, or any other identity (assumed role, federated user, ...) naming a user.',
  run({ record }: CheckInput): CheckOutcome {
    const t = analyzeCredentialTarget(record);
    if (!t.eligible) return { matched: false };
    return { matched: t.relation === 'other', facts: factsOf(t) };
  },
};

export const targetsOwnIamUser: RuleCheck = {
  name: 'targets-own-iam-user',
  description:
    'A successful IAM credential call made by an IAM user (userIdentity.type IAMUser) for itself: the request names the ' +
    "caller's own user name (compared without case) or no user at all.",
  run({ record }: CheckInput): CheckOutcome {
    const t = analyzeCredentialTarget(record);
    if (!t.eligible) return { matched: false };
    return { matched: t.callerType === 'IAMUser' && t.relation === 'self', facts: factsOf(t) };
  },
};
