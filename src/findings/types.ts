import type { Actor, CloudTrailRecord } from '../cloudtrail/types.js';
import type { Compliance, RemediationGuidance, Severity } from '../rules/types.js';

/** One rule matching one CloudTrail event: everything a responder needs, plus the raw record. */
export interface Finding {
  /** Stable id of this finding: the same rule on the same event always gives the same id. */
  id: string;
  ruleId: string;
  title: string;
  severity: Severity;
  /** CloudTrail `eventID` (empty when the record has none). */
  eventId: string;
  eventTime: string;
  eventSource: string;
  eventName: string;
  account: string;
  region: string;
  actor: Actor;
  sourceIp?: string;
  userAgent?: string;
  /** The call failed: CloudTrail's errorCode / errorMessage. */
  errorCode?: string;
  errorMessage?: string;
  /** Target resources: ARNs from the record's `resources` plus the ids the rule names. */
  resources: string[];
  /** One line a human can act on. */
  summary: string;
  compliance: Compliance;
  attack: string[];
  tags: string[];
  remediation?: RemediationGuidance;
  /** Findings with the same key describe the same problem (for notification de-duplication). */
  dedupeKey: string;
  /** What the rule's named checks found, e.g. the permissions an ingress rule exposes. */
  facts: Record<string, string | number | boolean | string[]>;
  /** Link to the event in the CloudTrail console's event history. */
  consoleUrl?: string;
  record: CloudTrailRecord;
}
