/**
 * Check `role-trust-allows-external-principal`: a role trust policy written by CreateRole or
 * UpdateAssumeRolePolicy lets a principal outside the role's own account assume the role.
 *
 * The policy. `requestParameters.policyDocument` (UpdateAssumeRolePolicy) or
 * `requestParameters.assumeRolePolicyDocument` (CreateRole): a JSON string as the caller sent it;
 * when the request lacks it, CreateRole's `responseElements.role.assumeRolePolicyDocument`, which
 * IAM returns URL-encoded (both as in real CloudTrail records). A string is read as JSON, else
 * URL-decoded and read again; an already-parsed object is accepted. Bad input is reported as a
 * problem in the facts, never thrown.
 *
 * Statements. `Statement` an object or an array; only `Effect: Allow` statements whose `Action`
 * (or, for `NotAction`, whatever it does not exclude) covers one of the role-assumption actions
 * (sts:AssumeRole, sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity; IAM wildcards `*` and
 * `?`, case-insensitive) grant anything. `Principal` may be `"*"` or an object whose `AWS`,
 * `Federated` and `Service` entries are strings or arrays; `NotPrincipal` in an Allow statement
 * admits everyone it does not name and counts as `"*"`.
 *
 * Judgement per principal (own account = `recipientAccountId`, else `userIdentity.accountId`,
 * else the envelope's account):
 *  - Service principals (`ec2.amazonaws.com`, ...) never count.
 *  - AWS `"*"` (or Principal `"*"`): every AWS account, unless a restricting condition (below)
 *    limits it: aws:PrincipalAccount / aws:SourceAccount naming only the own account, or
 *    aws:PrincipalArn / aws:SourceArn naming only own-account ARNs, make it internal; other
 *    accounts named there make it those accounts; aws:PrincipalOrgID / aws:PrincipalOrgPaths make
 *    it "an organization" (`org`); sts:ExternalId alone leaves it public (an external id is not a
 *    secret).
 *  - AWS account ids and IAM/STS ARNs: external when their account is not the own account (other
 *    partitions included); an account field that is not 12 digits or a value that is not an ARN
 *    or an account id is `unknown`.
 *  - Federated: a SAML/OIDC provider ARN of another account is external; a multi-tenant identity
 *    provider (GitHub Actions, GitLab, Terraform Cloud: `<host>:sub`; Cognito identity pools and
 *    Google: `<host>:aud`) without a condition that pins its tenant claim admits any tenant of that
 *    provider (`any-tenant`). Other federated principals (own-account SAML, EKS and other OIDC
 *    providers) are not judged.
 *
 * Restricting conditions: operators StringEquals, StringEqualsIgnoreCase, StringLike, ArnEquals,
 * ArnLike, optionally with `ForAnyValue:`; never with `IfExists` (a missing key passes), never
 * negated or `ForAllValues:` (a missing key passes). Keys are compared without case. For the
 * tenant claims a value counts only when it does not start with a wildcard after its claim type
 * (`repo:octo-org/*` pins GitHub, `repo:*` and `*` do not).
 *
 * Severity (the rule's base severity is the floor; this only raises):
 *  - critical: a public grant (any AWS account) with no restricting condition;
 *  - high: another account, another account's identity provider, any tenant of a multi-tenant
 *    identity provider, or a public grant limited only by sts:ExternalId;
 *  - the rule's own severity (medium): another account with sts:ExternalId (the third-party
 *    vendor pattern), an organization-restricted wildcard, or a principal that cannot be read.
 */
import type { CheckInput, CheckOutcome, RuleCheck, Severity } from '../types.js';
import { severityRank } from '../types.js';
import type { CloudTrailRecord } from '../../cloudtrail/types.js';
import { globMatch } from '../../util/glob.js';

export type ExternalKind = 'public' | 'external-account' | 'org' | 'external-federated' | 'any-tenant' | 'unknown';

export interface ExternalGrant {
  /** Statement position (0-based) and its Sid when it has one. */
  statement: number;
  sid?: string;
  /** Which principal entry admitted it: `AWS`, `Federated`, `*` (Principal "*") or `NotPrincipal`. */
  principalType: 'AWS' | 'Federated' | '*' | 'NotPrincipal';
  /** The principal as written. */
  principal: string;
  kind: ExternalKind;
  /** The outside accounts concerned, when known (from the principal or from account/ARN conditions). */
  accounts: string[];
  /** The restricting condition keys of the statement (lower-cased), e.g. `sts:externalid`. */
  conditions: string[];
  /** The statement requires an sts:ExternalId. */
  externalId: boolean;
  /** The severity this grant raises the rule to; undefined leaves the rule's own severity. */
  severity?: Severity;
}

export interface TrustPolicyAnalysis {
  /** Whether a policy document was found and read. */
  parsed: boolean;
  /** Why it could not be read, or oddities met while reading it. */
  problems: string[];
  ownAccount?: string;
  grants: ExternalGrant[];
  /** Service principals trusted (facts only). */
  services: string[];
  /** Federated principals not judged (facts only). */
  federated: string[];
}

export interface RoleTrustOptions {
  /** Accounts treated as the own account too (e.g. the organization's accounts). */
  trustedAccounts?: readonly string[];
  /** Severity for an AWS-wide grant without a restricting condition; default critical. */
  publicSeverity?: Severity;
  /** Severity for another account (or identity provider) without sts:ExternalId; default high. */
  externalSeverity?: Severity;
}

const ASSUME_ACTIONS = ['sts:assumerole', 'sts:assumerolewithsaml', 'sts:assumerolewithwebidentity'];

/** Multi-tenant identity providers and the claim that pins the tenant. */
const MULTI_TENANT_IDPS: ReadonlyArray<{ host: string; claim: string; prefixes: readonly string[] }> = [
  { host: 'token.actions.githubusercontent.com', claim: 'sub', prefixes: ['repo:', 'environment:'] },
  { host: 'gitlab.com', claim: 'sub', prefixes: ['project_path:'] },
  { host: 'app.terraform.io', claim: 'sub', prefixes: ['organization:'] },
  { host: 'cognito-identity.amazonaws.com', claim: 'aud', prefixes: [] },
  { host: 'accounts.google.com', claim: 'aud', prefixes: [] },
];

const RESTRICTING_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike', 'arnequals', 'arnlike']);

const ACCOUNT_ID = /^\d{12}$/;
const PRINCIPAL_ARN = /^arn:(aws[a-z-]*):(iam|sts)::([^:]*):(.+)$/;

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A string or a list of strings as a list (other values dropped). */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** A key of an object, looked up without case (IAM policy element names are case-sensitive, but be lenient). */
function field(o: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(o, name)) return o[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(o)) if (key.toLowerCase() === lower) return o[key];
  return undefined;
}

/** IAM wildcard match (`*` any run, `?` one character), case-insensitive: the one wildcard matcher (src/util/glob.ts). */
export function iamWildcardMatch(pattern: string, value: string): boolean {
  return globMatch(pattern, value, { singleCharacter: true, ignoreCase: true });
}

/** A policy document from a request or response value: JSON text, URL-encoded JSON text, or an object. */
export function readPolicyDocument(value: unknown): { document?: Record<string, unknown>; problem?: string } {
  if (obj(value)) return { document: obj(value) };
  if (typeof value !== 'string') return { problem: value === undefined || value === null ? 'no policy document in the record' : 'the policy document is not a string or an object' };
  const attempts = [value];
  if (value.includes('%')) {
    try {
      attempts.push(decodeURIComponent(value));
    } catch {
      // Not URL-encoded after all; the JSON attempt's problem is reported.
    }
  }
  let problem = 'the policy document is not JSON';
  for (const text of attempts) {
    try {
      const parsed: unknown = JSON.parse(text);
      const document = obj(parsed);
      if (document) return { document };
      problem = 'the policy document is not a JSON object';
    } catch {
      // Try the next form.
    }
  }
  return { problem };
}

/** Whether an Allow statement's Action / NotAction covers assuming the role. */
function grantsAssume(statement: Record<string, unknown>): boolean {
  const action = field(statement, 'Action');
  const notAction = field(statement, 'NotAction');
  if (action !== undefined) return strings(action).some((a) => ASSUME_ACTIONS.some((x) => iamWildcardMatch(a, x)));
  if (notAction !== undefined) {
    const excluded = strings(notAction);
    return ASSUME_ACTIONS.some((x) => !excluded.some((a) => iamWildcardMatch(a, x)));
  }
  // No action at all: IAM refuses such a policy; if it got through, assume the worst.
  return true;
}

interface Conditions {
  /** Restricting condition keys (lower-cased) and their values. */
  restricting: Map<string, string[]>;
}

function readConditions(statement: Record<string, unknown>): Conditions {
  const restricting = new Map<string, string[]>();
  const condition = obj(field(statement, 'Condition'));
  if (!condition) return { restricting };
  for (const [operatorRaw, block] of Object.entries(condition)) {
    let operator = operatorRaw.toLowerCase();
    if (operator.startsWith('foranyvalue:')) operator = operator.slice('foranyvalue:'.length);
    if (!RESTRICTING_OPERATORS.has(operator)) continue;
    const entries = obj(block);
    if (!entries) continue;
    for (const [key, value] of Object.entries(entries)) {
      const values = strings(value);
      if (values.length === 0) continue;
      const k = key.toLowerCase();
      restricting.set(k, [...(restricting.get(k) ?? []), ...values]);
    }
  }
  return { restricting };
}

/** The account of an AWS principal value: 12 digits, `*` for everyone, or undefined when it cannot be read. */
function principalAccount(value: string): string | undefined {
  if (value === '*') return '*';
  if (ACCOUNT_ID.test(value)) return value;
  const m = PRINCIPAL_ARN.exec(value);
  if (!m) return undefined;
  const account = m[3] ?? '';
  if (ACCOUNT_ID.test(account)) return account;
  if (account === '*') return '*';
  return undefined;
}

function severityMax(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

/** Analyse one trust policy document against the own account(s). Never throws. */
export function analyzeTrustPolicyDocument(
  document: Record<string, unknown>,
  ownAccounts: ReadonlySet<string>,
  options: RoleTrustOptions = {},
): Omit<TrustPolicyAnalysis, 'parsed' | 'ownAccount'> {
  const publicSeverity = options.publicSeverity ?? 'critical';
  const externalSeverity = options.externalSeverity ?? 'high';
  const out: Omit<TrustPolicyAnalysis, 'parsed' | 'ownAccount'> = { problems: [], grants: [], services: [], federated: [] };
  const raw = field(document, 'Statement');
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (raw === undefined) out.problems.push('the policy has no Statement');
  statements.forEach((entry, index) => {
    const statement = obj(entry);
    if (!statement) {
      out.problems.push(`statement ${index} is not an object`);
      return;
    }
    const effect = str(field(statement, 'Effect'));
    if (effect === undefined || effect.toLowerCase() !== 'allow') return;
    if (!grantsAssume(statement)) return;
    const sid = str(field(statement, 'Sid'));
    const { restricting } = readConditions(statement);
    const conditionKeys = [...restricting.keys()].sort();
    const externalId = restricting.has('sts:externalid');
    const base = { statement: index, ...(sid !== undefined ? { sid } : {}), conditions: conditionKeys, externalId };
    const push = (grant: Omit<ExternalGrant, keyof typeof base>): void => {
      out.grants.push({ ...base, ...grant });
    };
    const accountGrant = (principalType: ExternalGrant['principalType'], principal: string, accounts: string[]): void => {
      push({ principalType, principal, kind: 'external-account', accounts, ...(externalId ? {} : { severity: externalSeverity }) });
    };

    // Everyone: Principal "*", AWS "*", or an Allow with NotPrincipal.
    const wildcard = (principalType: ExternalGrant['principalType'], principal: string): void => {
      const accountsIn = [...(restricting.get('aws:principalaccount') ?? []), ...(restricting.get('aws:sourceaccount') ?? [])];
      const arnsIn = [...(restricting.get('aws:principalarn') ?? []), ...(restricting.get('aws:sourcearn') ?? [])];
      const restrictors: string[][] = [];
      if (accountsIn.length > 0) restrictors.push(accountsIn.map((a) => (ACCOUNT_ID.test(a) ? a : '*')));
      if (arnsIn.length > 0) restrictors.push(arnsIn.map((a) => principalAccount(a) ?? '*'));
      // Conditions are ANDed: the narrowest account restriction decides.
      for (const accounts of restrictors) {
        if (accounts.every((a) => ownAccounts.has(a))) return; // only the own account: internal
      }
      const named = restrictors.find((accounts) => accounts.every((a) => a !== '*'));
      if (named) {
        accountGrant(principalType, principal, [...new Set(named.filter((a) => !ownAccounts.has(a)))]);
        return;
      }
      if (restricting.has('aws:principalorgid') || restricting.has('aws:principalorgpaths')) {
        push({ principalType, principal, kind: 'org', accounts: [] });
        return;
      }
      push({ principalType, principal, kind: 'public', accounts: [], severity: externalId ? externalSeverity : publicSeverity });
    };

    if (field(statement, 'NotPrincipal') !== undefined && field(statement, 'Principal') === undefined) {
      wildcard('NotPrincipal', JSON.stringify(field(statement, 'NotPrincipal')) ?? '');
      return;
    }
    const principal = field(statement, 'Principal');
    if (principal === '*') {
      wildcard('*', '*');
      return;
    }
    const principals = obj(principal);
    if (!principals) {
      if (principal !== undefined) out.problems.push(`statement ${index}: Principal is neither "*" nor an object`);
      return;
    }
    for (const value of strings(field(principals, 'Service'))) if (!out.services.includes(value)) out.services.push(value);
    for (const value of strings(field(principals, 'AWS'))) {
      const account = principalAccount(value.trim());
      if (account === '*') wildcard('AWS', value);
      else if (account === undefined) push({ principalType: 'AWS', principal: value, kind: 'unknown', accounts: [] });
      else if (!ownAccounts.has(account)) accountGrant('AWS', value, [account]);
    }
    for (const value of strings(field(principals, 'Federated'))) {
      const m = PRINCIPAL_ARN.exec(value);
      if (m) {
        const account = m[3] ?? '';
        if (!ownAccounts.has(account)) {
          push({ principalType: 'Federated', principal: value, kind: 'external-federated', accounts: ACCOUNT_ID.test(account) ? [account] : [], severity: externalSeverity });
          continue;
        }
      }
      const host = (m ? (m[4] ?? '').replace(/^oidc-provider\//, '') : value).toLowerCase();
      const idp = MULTI_TENANT_IDPS.find((p) => host === p.host || host.startsWith(`${p.host}/`));
      if (idp && !pinsTenant(restricting, idp)) {
        push({ principalType: 'Federated', principal: value, kind: 'any-tenant', accounts: [], severity: externalSeverity });
        continue;
      }
      if (!out.federated.includes(value)) out.federated.push(value);
    }
  });
  return out;
}

/** Whether the conditions pin a multi-tenant provider's tenant claim to something specific. */
function pinsTenant(restricting: ReadonlyMap<string, string[]>, idp: (typeof MULTI_TENANT_IDPS)[number]): boolean {
  const values = restricting.get(`${idp.host}:${idp.claim}`);
  if (!values || values.length === 0) return false;
  return values.every((value) => {
    const lower = value.toLowerCase();
    const prefix = idp.prefixes.find((p) => lower.startsWith(p)) ?? '';
    const rest = value.slice(prefix.length);
    return rest !== '' && rest[0] !== '*' && rest[0] !== '?';
  });
}

/** The own account of a record: recipientAccountId, else the caller's account, else the envelope's. */
function ownAccountOf(record: Record<string, unknown>, envelopeAccount: unknown): string | undefined {
  return str(record.recipientAccountId) ?? str(obj(record.userIdentity)?.accountId) ?? str(envelopeAccount);
}

/** The trust policy of a CreateRole / UpdateAssumeRolePolicy record, analysed. Never throws. */
export function analyzeRoleTrust(record: CloudTrailRecord | null | undefined, envelopeAccount?: string, options: RoleTrustOptions = {}): TrustPolicyAnalysis {
  const r = obj(record) ?? {};
  const ownAccount = ownAccountOf(r, envelopeAccount);
  const result: TrustPolicyAnalysis = { parsed: false, problems: [], grants: [], services: [], federated: [], ...(ownAccount ? { ownAccount } : {}) };
  const request = obj(r.requestParameters);
  const eventName = str(r.eventName);
  let value: unknown;
  if (eventName === 'UpdateAssumeRolePolicy') value = request?.policyDocument;
  else if (eventName === 'CreateRole') value = request?.assumeRolePolicyDocument ?? obj(obj(r.responseElements)?.role)?.assumeRolePolicyDocument;
  else {
    result.problems.push(`not a role trust policy event: ${eventName ?? '(no eventName)'}`);
    return result;
  }
  const { document, problem } = readPolicyDocument(value);
  if (!document) {
    result.problems.push(problem ?? 'the policy document could not be read');
    return result;
  }
  result.parsed = true;
  const own = new Set<string>([...(ownAccount ? [ownAccount] : []), ...(options.trustedAccounts ?? [])]);
  const analysis = analyzeTrustPolicyDocument(document, own, options);
  result.problems.push(...analysis.problems);
  result.grants = analysis.grants;
  result.services = analysis.services;
  result.federated = analysis.federated;
  return result;
}

const KIND_LABEL: Readonly<Record<ExternalKind, string>> = {
  public: 'any AWS account',
  'external-account': 'another account',
  org: 'an organization',
  'external-federated': "another account's identity provider",
  'any-tenant': 'any tenant of the identity provider',
  unknown: 'an unreadable principal',
};

export function createRoleTrustExternalCheck(options: RoleTrustOptions = {}): RuleCheck {
  return {
    name: 'role-trust-allows-external-principal',
    description:
      'A successful CreateRole / UpdateAssumeRolePolicy trust policy lets a principal outside the role\'s account assume it: ' +
      'another account (id or IAM/STS ARN), "*" not limited to the own account by aws:PrincipalAccount/SourceAccount/PrincipalArn/' +
      'SourceArn, another account\'s identity provider, or a multi-tenant identity provider (GitHub, GitLab, Terraform Cloud, ' +
      'Cognito, Google) whose tenant claim is not pinned. Services never count. Critical for any AWS account without a ' +
      'restricting condition; high for another account without sts:ExternalId.',
    run({ record, event }: CheckInput): CheckOutcome {
      const r = obj(record) ?? {};
      if (str(r.eventSource) !== 'iam.amazonaws.com') return { matched: false };
      if (r.errorCode !== undefined && r.errorCode !== null && r.errorCode !== '') return { matched: false };
      const analysis = analyzeRoleTrust(record, str(obj(event)?.account), options);
      const facts: NonNullable<CheckOutcome['facts']> = {};
      if (analysis.ownAccount) facts.ownAccount = analysis.ownAccount;
      if (analysis.problems.length > 0) facts.problems = analysis.problems.slice(0, 20);
      if (analysis.services.length > 0) facts.services = analysis.services;
      if (analysis.federated.length > 0) facts.federated = analysis.federated;
      if (analysis.grants.length === 0) return { matched: false, facts };
      const grants = analysis.grants;
      facts.principals = [...new Set(grants.map((g) => g.principal))];
      facts.kinds = [...new Set(grants.map((g) => g.kind))];
      facts.trusted = [...new Set(grants.map((g) => `${g.principal} (${KIND_LABEL[g.kind]}${g.externalId ? ', with sts:ExternalId' : ''})`))];
      const accounts = [...new Set(grants.flatMap((g) => g.accounts))];
      if (accounts.length > 0) facts.accounts = accounts;
      facts.externalId = grants.every((g) => g.externalId);
      const conditions = [...new Set(grants.flatMap((g) => g.conditions))];
      if (conditions.length > 0) facts.conditions = conditions;
      const raised = grants.flatMap((g) => (g.severity !== undefined ? [g.severity] : []));
      const outcome: CheckOutcome = { matched: true, facts };
      if (raised.length > 0) outcome.severity = raised.reduce(severityMax);
      return outcome;
    },
  };
}

export const roleTrustAllowsExternalPrincipal: RuleCheck = createRoleTrustExternalCheck();
