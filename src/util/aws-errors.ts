/**
 * The one classification of AWS SDK v3 errors, for everything in trailguard that calls AWS — notification
 * sinks (SNS, SES) and secret references (SSM, Secrets Manager), remediation, the audit: the SDK's own rules
 * (`@smithy/core/retry`: isThrottlingError, isTransientError, isServerError — the lists the SDK's retry strategy
 * uses), the error's modelled traits (`$retryable`, `$fault`), plus what the SDK lists miss (any code naming
 * throttling, e.g. KMSThrottlingException). Codes and one-line messages come from aws-error-text.ts.
 *
 * Loads the SDK's retry module: import it where an AWS client is loaded anyway, or lazily.
 */
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { SdkError } from '@smithy/types';
import { awsErrorCode, awsErrorMessage, awsHttpStatus, isUnreadableAnswer, type AwsCallContext } from './aws-error-text.js';

export { awsErrorCode, awsErrorMessage, awsHttpStatus, isUnreadableAnswer, type AwsCallContext } from './aws-error-text.js';

export interface AwsErrorClass {
  /** The service's error code, or the HTTP status's name for an answer that carried none ("BadGateway"). */
  code: string;
  /** One line: the service's message, or "HTTP 502 from <service> <operation>" for an answer the SDK could not read. */
  message: string;
  /** The HTTP status of the answer; undefined when none came (refused, reset, DNS, timeout). */
  status?: number;
  /** The service is pushing back (429, a throttling code, `$retryable.throttling`): slow down, then try again. */
  throttled: boolean;
  /** Transient by the SDK's rules: a timeout, a network error, a 500/502/503/504, a corrected clock skew, `$retryable`. */
  transient: boolean;
  /** The service's fault (`$fault: server`, or another 5xx). */
  serverFault: boolean;
  /** The SDK could not read the answer as the service's (an HTML page from a proxy or load balancer). */
  unreadable: boolean;
  /** Worth trying again: throttled, transient, a server fault, modelled as retryable, or no answer at all. */
  retryable: boolean;
}

interface ErrorTraits {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

/** The error as the SDK's classifiers take it (they read name, message, code, $metadata, $retryable, cause). */
function asSdkError(error: unknown, code: string): SdkError {
  const e = (error && typeof error === 'object' ? error : {}) as ErrorTraits;
  // The classifiers match on `name`; an error whose code is in `Code` (some XML services) is matched by that code.
  const view = Object.create(error && typeof error === 'object' ? (error as object) : null) as Record<string, unknown>;
  view.name = typeof e.name === 'string' && e.name !== 'Error' ? e.name : code;
  view.message = typeof e.message === 'string' ? e.message : '';
  return view as unknown as SdkError;
}

/** Throttling by the SDK's list, the status or the trait — or any code that names it (KMSThrottlingException). */
export function isAwsThrottling(error: unknown): boolean {
  const code = awsErrorCode(error);
  return isThrottlingError(asSdkError(error, code)) || /Throttl/i.test(code);
}

/** The classification of an AWS SDK error (any thrown value is accepted: what is not an SDK error has no answer). */
export function classifyAwsError(error: unknown, context: AwsCallContext = {}): AwsErrorClass {
  const code = awsErrorCode(error);
  const sdk = asSdkError(error, code);
  const e = (error && typeof error === 'object' ? error : {}) as ErrorTraits;
  const status = awsHttpStatus(error);
  const throttled = isThrottlingError(sdk) || /Throttl/i.test(code);
  const transient = isTransientError(sdk);
  const serverFault = e.$fault === 'server' || isServerError(sdk) || (status !== undefined && status >= 500);
  const modelled = e.$retryable !== undefined;
  return {
    code,
    message: awsErrorMessage(error, context),
    ...(status !== undefined ? { status } : {}),
    throttled,
    transient,
    serverFault,
    unreadable: isUnreadableAnswer(error),
    // No HTTP status at all: the request never got an answer (refused, reset, DNS) — worth trying again.
    retryable: throttled || transient || serverFault || modelled || status === undefined,
  };
}
