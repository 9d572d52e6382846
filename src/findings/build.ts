import { createHash } from 'node:crypto';
import { normalizeActor } from '../cloudtrail/actor.js';
import type { CloudTrailRecord, EventBridgeEnvelope } from '../cloudtrail/types.js';
import type { TemplateContext } from '../rules/template.js';
import type { Rule, Severity } from '../rules/types.js';
import type { Finding } from './types.js';

export interface RuleHit {
  rule: Rule;
  severity: Severity;
  facts: Finding['facts'];
}

const MISSING = '(unknown)';

/** Turns a rule hit into a finding: actor, resources, summary and dedupe key rendered from the rule's templates. */
export function buildFinding(hit: RuleHit, event: EventBridgeEnvelope): Finding {
  const { rule } = hit;
  const record = event.detail;
  const actor = normalizeActor(record.userIdentity, record);
  const context: TemplateContext = { rule, event, detail: record, actor, check: hit.facts };
  const eventId = typeof record.eventID === 'string' ? record.eventID : '';
  const summary = rule.templates.summary?.render(context, MISSING) ?? defaultSummary(record, event, actor.name);

  return {
    id: findingId(rule.id, event),
    ruleId: rule.id,
    title: rule.title,
    severity: hit.severity,
    eventId,
    eventTime: record.eventTime,
    eventSource: record.eventSource,
    eventName: record.eventName,
    account: event.account,
    region: event.region,
    actor,
    sourceIp: stringOrUndefined(record.sourceIPAddress),
    userAgent: stringOrUndefined(record.userAgent),
    errorCode: stringOrUndefined(record.errorCode),
    errorMessage: stringOrUndefined(record.errorMessage),
    resources: resourcesOf(rule, record, context),
    summary,
    compliance: rule.compliance ?? {},
    attack: rule.attack ?? [],
    tags: rule.tags ?? [],
    remediation: rule.remediation,
    dedupeKey: rule.templates.dedupe.render(context, ''),
    facts: hit.facts,
    consoleUrl: consoleUrl(event.region, eventId),
    record,
  };
}

function defaultSummary(record: CloudTrailRecord, event: EventBridgeEnvelope, who: string): string {
  const outcome = typeof record.errorCode === 'string' ? ` (failed: ${record.errorCode})` : '';
  return `${who} called ${record.eventSource.replace(/\.amazonaws\.com$/, '')}:${record.eventName}${outcome} in ${event.account || MISSING}/${event.region || MISSING}`;
}

function resourcesOf(rule: Rule, record: CloudTrailRecord, context: TemplateContext): string[] {
  const out = new Set<string>();
  if (Array.isArray(record.resources)) {
    for (const resource of record.resources) if (resource && typeof resource.ARN === 'string') out.add(resource.ARN);
  }
  for (const template of rule.templates.resources) {
    const rendered = template.render(context, '');
    for (const value of rendered.split(', ')) if (value !== '') out.add(value);
  }
  return [...out];
}

/** Same rule + same event → same id, across runs and machines (used for idempotent delivery). */
function findingId(ruleId: string, event: EventBridgeEnvelope): string {
  const eventKey = event.detail.eventID ?? `${event.detail.eventTime}|${event.detail.eventSource}|${event.detail.eventName}|${event.detail.requestID ?? ''}`;
  return createHash('sha256').update(`${ruleId}\u0000${event.account}\u0000${eventKey}`).digest('hex').slice(0, 32);
}

function consoleUrl(region: string, eventId: string): string | undefined {
  if (region === '' || eventId === '') return undefined;
  return `https://${region}.console.aws.amazon.com/cloudtrailv2/home?region=${region}#/events/${encodeURIComponent(eventId)}`;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
