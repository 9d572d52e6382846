/**
 * One AWS call, its failure turned into data. The audit never throws because a permission is missing or a service is
 * busy: the error is recorded next to what it was about and the controls that needed it report ERROR.
 */
import { awsErrorCode, awsErrorMessage, isAwsThrottling } from '../util/aws-errors.js';
import type { AwsCallError } from './types.js';

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'NotAuthorized',
  'InsufficientPrivilegesException',
  'OperationNotPermittedException',
  'CloudTrailAccessNotEnabledException',
]);
const NOT_FOUND = new Set(['ResourceNotFoundException', 'ResourceNotFound', 'TrailNotFoundException', 'NotFound', 'NotFoundException', 'ResourceNotFoundFault']);

/** The error code (src/util/aws-errors.ts: the one AWS error classification). */
export function errorCode(error: unknown): string {
  return awsErrorCode(error);
}

export function classify(code: string, error?: unknown): AwsCallError['kind'] {
  if (ACCESS_DENIED.has(code) || /AccessDenied|Unauthorized/.test(code)) return 'access-denied';
  if (isAwsThrottling(error ?? { name: code })) return 'throttled';
  if (NOT_FOUND.has(code)) return 'not-found';
  return 'other';
}

export function toCallError(error: unknown, action: string, region: string, resource?: string): AwsCallError {
  const code = errorCode(error);
  return { action, region, ...(resource !== undefined ? { resource } : {}), code, message: awsErrorMessage(error, { operation: action }), kind: classify(code, error) };
}

/** The sentence a human reads: "no permission to call logs:DescribeMetricFilters on log group x in us-east-1 (AccessDeniedException)". */
export function describeCallError(error: AwsCallError): string {
  const on = error.resource ? ` on ${error.resource}` : '';
  switch (error.kind) {
    case 'access-denied':
      return `no permission to call ${error.action}${on} in ${error.region} (${error.code})`;
    case 'throttled':
      return `${error.action}${on} in ${error.region} was throttled and retries ran out (${error.code})`;
    case 'not-found':
      return `${error.action}${on} in ${error.region}: not found (${error.code}: ${error.message})`;
    default:
      return `${error.action}${on} in ${error.region} failed: ${error.code}: ${error.message}`;
  }
}

export interface RetryOptions {
  /** Attempts in total for a throttled call (the SDK's own retries happen inside each attempt). Default 4. */
  attempts?: number;
  /** Delay before retry n (1-based); default 250 ms * 2^(n-1). */
  delayMs?: (retry: number) => number;
  sleep?: (ms: number) => Promise<void>;
}

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: AwsCallError };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn`; a throttled failure is retried with backoff (on top of the SDK's retries, which a busy account can
 * exhaust when an audit lists every region); any failure comes back as an AwsCallError, never as an exception.
 */
export async function callAws<T>(action: string, region: string, resource: string | undefined, fn: () => Promise<T>, retry: RetryOptions = {}): Promise<CallResult<T>> {
  const attempts = Math.max(1, retry.attempts ?? 4);
  const delay = retry.delayMs ?? ((n: number) => 250 * 2 ** (n - 1));
  const sleep = retry.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, value: await fn() };
    } catch (error) {
      const callError = toCallError(error, action, region, resource);
      if (callError.kind === 'throttled' && attempt < attempts) {
        await sleep(delay(attempt));
        continue;
      }
      return { ok: false, error: callError };
    }
  }
}
