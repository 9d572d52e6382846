/**
 * The shapes remediation is built from: a planned AWS call (exact SDK input), an action that plans
 * and executes calls, and the decision the runner logs and reports for every finding and action.
 */
import type { ZodType } from 'zod';
import type { Actor, CloudTrailRecord } from '../cloudtrail/types.js';
import type { Finding } from '../findings/types.js';
import type { Severity } from '../rules/types.js';
import type { RemediationClients } from './clients.js';

export const REMEDIATION_MODES = ['dry-run', 'approve', 'enforce'] as const;
/** dry-run: plan and report only (the default everywhere); approve: hold the plan until a person approves it; enforce: act. */
export type RemediationMode = (typeof REMEDIATION_MODES)[number];

/** The AWS services remediation calls, as their SDK v3 client packages name them. */
export type AwsService = 'ec2' | 'cloudtrail' | 'config' | 'securityhub' | 'guardduty' | 'kms' | 's3' | 's3control' | 'iam';

/** One AWS API call, exactly as it will be sent: `new <operation>Command(input)` on the service's client in `region`. */
export interface PlannedCall {
  service: AwsService;
  /** The API operation (the SDK command without "Command"), e.g. "RevokeSecurityGroupIngress". */
  operation: string;
  /** The SDK input, exactly. */
  input: Record<string, unknown>;
  region: string;
  account: string;
  /** What the call does, for people: "revoke ingress tcp/22 from 0.0.0.0/0 on sg-0abc". */
  description: string;
  /** Error codes that mean the change is already undone (e.g. InvalidPermission.NotFound): the call counts as done. */
  alreadyDoneCodes?: string[];
}

/** A resource an action acts on: what tags are read from and what scope is judged on. */
export interface ResourceRef {
  type: 'security-group' | 'trail' | 'config-recorder' | 'securityhub-hub' | 'guardduty-detector' | 'kms-key' | 's3-bucket' | 's3-account' | 'iam-user' | 'iam-role';
  /** Id or name (sg-..., trail name or ARN, key id or ARN, bucket name, user or role name). */
  id: string;
  region: string;
  account: string;
}

export interface RemediationPlan {
  actionId: string;
  calls: PlannedCall[];
  /** What undoing means here, both ways round, action-specific and complete sentences without a status prefix. */
  effect: {
    /** After the calls: "ingress tcp/22 from 0.0.0.0/0 removed from sg-0abc that was added by arn:...". */
    done: string;
    /** Before: "remove ingress tcp/22 from 0.0.0.0/0 from sg-0abc (added by arn:...)". */
    todo: string;
  };
  /** What the event changed that policy allows and is therefore left in place, with the reason. */
  kept: string[];
  /** Anything a reviewer should know: lookups that failed, guesses not made, choices taken. */
  notes: string[];
  resources: ResourceRef[];
}

export const SKIP_REASONS = [
  'event-failed',
  'loop-guard',
  'duplicate-event',
  'not-applicable',
  'out-of-scope',
  'allowlisted-principal',
  'tagged',
  'nothing-to-undo',
  'already-remediated',
  'unsupported',
  'approval-expired',
  'approval-rejected',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type PlanResult =
  | { kind: 'plan'; plan: RemediationPlan }
  | { kind: 'skip'; reason: SkipReason; detail: string; notes?: string[]; resources?: ResourceRef[] };

/** What the runner hands an action: the event, its finding when there is one, and who made the change. */
export interface RemediationInput {
  record: CloudTrailRecord;
  finding?: Finding;
  ruleId?: string;
  account: string;
  region: string;
  actor: Actor;
  /** CloudTrail eventID ('' when missing). */
  eventId: string;
}

/** A security-group allowlist entry: a source (exactly one of cidr, prefixList, group) and optionally protocol and ports. */
export interface SecurityGroupAllowEntry {
  /** tcp, udp, icmp, icmpv6, a protocol number, or -1 / all; absent: any protocol. */
  protocol?: string;
  /** "443", "1024-65535", "all" (TCP/UDP ports; ICMP types); absent: any port. */
  ports?: string | number;
  /** The event's range must lie inside this CIDR (same family). */
  cidr?: string;
  prefixList?: string;
  /** A referenced security group id. */
  group?: string;
  description?: string;
}

export interface SecurityGroupAllowlist {
  ingress?: SecurityGroupAllowEntry[];
  egress?: SecurityGroupAllowEntry[];
}

export interface PlanContext {
  /** Clients for the event's account (assumed into it when configured). */
  clients: RemediationClients;
  /** The action's options from the config, already validated by its schema. */
  options: Record<string, unknown>;
  /** Per security group (by id, or "default"), what may stay. */
  securityGroups: Record<string, SecurityGroupAllowlist>;
  /** Read-only lookups (Describe*, Get*) may be made; false offline (`remediate --offline`). */
  lookups: boolean;
  mode: RemediationMode;
  now: Date;
}

export type CallStatus = 'succeeded' | 'already-done' | 'failed' | 'not-run';

export interface CallOutcome {
  call: PlannedCall;
  status: CallStatus;
  error?: { code: string; message: string };
  /** A short account of the response (e.g. rule ids revoked, rules EC2 did not know). */
  detail?: string;
}

/** A permission an action needs, with the resource it can be scoped to. */
export interface PermissionSpec {
  actions: string[];
  /** The resource ARN pattern, with ${Partition}, ${Account} and ${Region} placeholders, or "*". */
  resource: string;
  /** remediate: the calls that change things; lookup: reads made while planning (tags, current state). */
  purpose: 'remediate' | 'lookup';
  /** An IAM Condition block, e.g. { StringEquals: { 'iam:AWSServiceName': 'guardduty.amazonaws.com' } }. */
  condition?: Record<string, Record<string, string | string[]>>;
  note?: string;
}

export interface RemediationAction {
  id: string;
  title: string;
  description: string;
  /** Rule ids it is meant for and the events (eventSource:eventName) it undoes. Containment actions undo nothing: events is empty. */
  triggers: { rules: string[]; events: string[] };
  /** Containment of a compromised principal: opt-in only, never part of any default. */
  containment?: boolean;
  permissions: PermissionSpec[];
  /** The permissions for these options, when they depend on them (default: `permissions`). */
  permissionsFor?(options: Record<string, unknown>): PermissionSpec[];
  /** Validates the action's `options` in the config. */
  optionsSchema?: ZodType<Record<string, unknown>>;
  plan(input: RemediationInput, context: PlanContext): Promise<PlanResult>;
  execute(plan: RemediationPlan, clients: RemediationClients): Promise<CallOutcome[]>;
  /** Reads a resource's tags for tag-scoped policy; absent when the resource type has none to read. */
  readTags?(resource: ResourceRef, clients: RemediationClients): Promise<Record<string, string>>;
}

export const DECISION_STATUSES = ['executed', 'failed', 'dry-run', 'pending-approval', 'skipped'] as const;
export type DecisionStatus = (typeof DECISION_STATUSES)[number];

/**
 * What a decision carries of the finding it acts on: enough to route it like the finding (rule id,
 * severity, tags; account and region are the decision's own), to render it, and to attach it to the
 * finding's own alert (the dedupe key is the incident key of the finding's notifications).
 */
export interface DecisionFinding {
  id: string;
  ruleId: string;
  title: string;
  severity: Severity;
  tags: string[];
  dedupeKey: string;
  summary: string;
  consoleUrl?: string;
}

/** The part of a finding a decision keeps (see DecisionFinding). */
export function decisionFindingOf(finding: Finding): DecisionFinding {
  return {
    id: finding.id,
    ruleId: finding.ruleId,
    title: finding.title,
    severity: finding.severity,
    tags: [...finding.tags],
    dedupeKey: finding.dedupeKey,
    summary: finding.summary,
    ...(finding.consoleUrl ? { consoleUrl: finding.consoleUrl } : {}),
  };
}

/** One logged decision: exactly one per finding and configured action (plus one per approval outcome). */
export interface RemediationDecision {
  id: string;
  createdAt: string;
  status: DecisionStatus;
  mode: RemediationMode;
  actionId: string;
  ruleId?: string;
  findingId?: string;
  eventId: string;
  eventName: string;
  eventSource: string;
  eventTime: string;
  account: string;
  region: string;
  /** Who made the change: ARN or name. */
  actor: string;
  /** Skip reason, when skipped. */
  reason?: SkipReason;
  /** One line a human reads ("AUTO-MITIGATED: ..."). */
  message: string;
  detail?: string;
  plan?: RemediationPlan;
  outcomes?: CallOutcome[];
  approvalId?: string;
  /** When the approval a pending-approval decision holds expires (ISO 8601). */
  expiresAt?: string;
  error?: string;
  /** The failed decision (or the approval) whose plan this decision ran again (`trailguard remediate retry`). */
  retryOf?: string;
  /** The finding the decision is about (absent for a bare record: `handleRecord`). */
  finding?: DecisionFinding;
}
