/**
 * Running a plan's calls: one after the other (an undo's calls are few and ordered), each failure
 * turned into data, error codes that mean "already undone" counted as done. Never throws.
 */
import { awsErrorCode, awsErrorMessage, type AwsCallContext } from '../util/aws-error-text.js';
import type { RemediationClients } from './clients.js';
import type { CallOutcome, PlannedCall, RemediationPlan } from './types.js';

/**
 * The error code of an SDK v3 error (`Code` / `name`), the service's code behind an answer the SDK could not read,
 * or the HTTP status's name ("BadGateway"); "Error" when nothing names it (src/util/aws-error-text.ts).
 */
export function errorCodeOf(error: unknown): string {
  return awsErrorCode(error);
}

/** One line, at most 500 characters; an HTML error page is "HTTP 502 from <service> <operation>", never the parser's complaint. */
export function errorMessageOf(error: unknown, context?: AwsCallContext): string {
  return awsErrorMessage(error, context);
}

/** What a successful response says beyond "done": EC2 revokes report rules they did not know and rules they removed. */
export function interpretResponse(call: PlannedCall, response: unknown): Pick<CallOutcome, 'status' | 'detail'> {
  const r = (response ?? {}) as Record<string, unknown>;
  if (call.service === 'ec2' && call.operation.startsWith('RevokeSecurityGroup')) {
    const revoked = Array.isArray(r.RevokedSecurityGroupRules) ? (r.RevokedSecurityGroupRules as Array<{ SecurityGroupRuleId?: string }>) : [];
    const unknown = Array.isArray(r.UnknownIpPermissions) ? r.UnknownIpPermissions : [];
    const parts: string[] = [];
    if (revoked.length > 0) parts.push(`revoked ${revoked.map((x) => x.SecurityGroupRuleId ?? '?').join(', ')}`);
    if (unknown.length > 0) parts.push(`${unknown.length} permission${unknown.length === 1 ? '' : 's'} matched no rule (already gone)`);
    // Default VPC: a revoke that matches nothing is not an error, it comes back in UnknownIpPermissions.
    if (r.Return === false || (unknown.length > 0 && revoked.length === 0)) return { status: 'already-done', detail: parts.join('; ') || 'nothing matched (already gone)' };
    return parts.length > 0 ? { status: 'succeeded', detail: parts.join('; ') } : { status: 'succeeded' };
  }
  return { status: 'succeeded' };
}

export type CallFallback = (call: PlannedCall, error: unknown, clients: RemediationClients) => Promise<CallOutcome | undefined>;

/** One call; its failure (or an already-done code) as data. */
export async function executeCall(call: PlannedCall, clients: RemediationClients, fallback?: CallFallback): Promise<CallOutcome> {
  try {
    const response = await clients.send(call);
    return { call, ...interpretResponse(call, response) };
  } catch (error) {
    const code = errorCodeOf(error);
    const context = { service: call.service, operation: call.operation };
    if (call.alreadyDoneCodes?.includes(code)) return { call, status: 'already-done', detail: `${code}: ${errorMessageOf(error, context)}` };
    if (fallback) {
      try {
        const handled = await fallback(call, error, clients);
        if (handled) return handled;
      } catch (inner) {
        return { call, status: 'failed', error: { code: errorCodeOf(inner), message: errorMessageOf(inner, context) } };
      }
    }
    return { call, status: 'failed', error: { code, message: errorMessageOf(error, context) } };
  }
}

/** Every call of a plan in order; a failed call does not stop the independent calls after it. */
export async function executePlan(plan: RemediationPlan, clients: RemediationClients, fallback?: CallFallback): Promise<CallOutcome[]> {
  const out: CallOutcome[] = [];
  for (const call of plan.calls) out.push(await executeCall(call, clients.forAccount(call.account), fallback));
  return out;
}
