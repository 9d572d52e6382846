import type { CloudTrailRecord, EventBridgeEnvelope } from '../cloudtrail/types.js';
import type { CompiledPattern } from '../patterns/types.js';
import type { CompiledTemplate } from './template.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/**
 * Compliance frameworks a rule may map to. CIS is keyed by benchmark version because the same
 * control moved between sections (3.x in v1.2.0, 4.x from v1.3.0 on).
 */
export const COMPLIANCE_FRAMEWORKS = [
  'cis-aws-foundations',
  'aws-security-hub',
  'nist-800-53-r5',
  'pci-dss-v4.0',
  'soc2',
  'hipaa',
  'iso-27001-2022',
  'apra-cps-234',
  'mas-trm',
] as const;
export type ComplianceFramework = (typeof COMPLIANCE_FRAMEWORKS)[number];

export interface Compliance {
  'cis-aws-foundations'?: Record<string, string[]>;
  'aws-security-hub'?: string[];
  'nist-800-53-r5'?: string[];
  'pci-dss-v4.0'?: string[];
  soc2?: string[];
  hipaa?: string[];
  'iso-27001-2022'?: string[];
  'apra-cps-234'?: string[];
  'mas-trm'?: string[];
}

export interface RemediationGuidance {
  summary: string;
  console?: string[];
  cli?: string[];
  sdk?: string[];
  references?: string[];
}

/** A test event of a rule: a CloudTrail record (wrapped in the EventBridge envelope before matching) or a whole EventBridge event. */
export interface RuleTestCase {
  name: string;
  record?: CloudTrailRecord;
  event?: EventBridgeEnvelope;
  /** Path of a JSON file holding the record or event, relative to the rule file. */
  file?: string;
  /** For must-match cases: what the finding must say. */
  expect?: { severity?: Severity; summaryIncludes?: string[] };
}

/** A rule as written in its YAML file, after schema validation. */
export interface RuleDefinition {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  enabled?: boolean;
  tags?: string[];
  compliance?: Compliance;
  attack?: string[];
  /** An EventBridge event pattern over the EventBridge envelope; deployable to EventBridge verbatim. */
  match?: Record<string, unknown>;
  /**
   * A CloudWatch Logs filter pattern over the CloudTrail record (what CIS metric filters are written in).
   * With `match` too, both must match.
   */
  filterPattern?: string;
  /** Named TypeScript checks that must all pass after the pattern matched (see src/rules/checks). */
  checks?: string[];
  /** One-line summary template, e.g. "{{actor.name}} stopped logging on trail {{detail.requestParameters.name}}". */
  summary?: string;
  /** Field paths (in the template language) naming the target resources, in addition to the record's own `resources`. */
  resources?: string[];
  remediation?: RemediationGuidance;
  /** Template of the de-duplication key; defaults to "{{rule.id}}:{{detail.eventID}}". */
  dedupe?: string;
  references?: string[];
  falsePositives?: string[];
  /** Free-form notes, e.g. where the rule departs from a published CIS filter and why. */
  notes?: string;
  /**
   * The rule's own test events (`trailguard rules test`): required of the built-in catalog; optional for a user's
   * rule (the loader warns about a rule without them; `rules test --strict` refuses it).
   */
  tests?: { match?: RuleTestCase[]; noMatch?: RuleTestCase[] };
}

/** What a named check says about one event. */
export interface CheckOutcome {
  matched: boolean;
  /** Raises (never lowers) the rule's severity for this event, e.g. an admin port opened to the world. */
  severity?: Severity;
  /** Facts for the summary template, available as {{check.<name>}}. */
  facts?: Record<string, string | number | boolean | string[]>;
}

export interface CheckInput {
  record: CloudTrailRecord;
  event: EventBridgeEnvelope;
}

/** A named check: logic no pattern language can express, tested on its own and referenced by rules. */
export interface RuleCheck {
  name: string;
  description: string;
  run(input: CheckInput): CheckOutcome;
}

/** A loaded, compiled rule, ready for the detector. */
export interface Rule extends RuleDefinition {
  /** Where the rule came from (file path, or "<inline>"). */
  file: string;
  /** Whether this rule came with trailguard or from a user directory. */
  origin: 'builtin' | 'user';
  /** The test events, both lists always present (empty for a user's rule written without them). */
  tests: { match: RuleTestCase[]; noMatch: RuleTestCase[] };
  /** The rule's match as one pattern over the EventBridge envelope: `match`, `filterPattern` (on `detail`), or both. */
  pattern: CompiledPattern;
  compiledChecks: RuleCheck[];
  templates: { summary?: CompiledTemplate; dedupe: CompiledTemplate; resources: CompiledTemplate[] };
}
