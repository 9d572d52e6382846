/**
 * What an AWS SDK v3 error says, in one line, without loading the SDK: its error code and its message. Where
 * the answer could not be read as the service's (an HTML error page from a proxy or a load balancer, which the
 * SDK reports as "Unexpected token '<' … Deserialization error: to see the raw response, inspect the hidden
 * field {error}.$response"), the service's own error when the page carries one (an `x-amzn-errortype` header,
 * an XML `<Code>` / JSON `__type`), else "HTTP 502 from ec2 RevokeSecurityGroupIngress".
 *
 * The classification (throttled, transient, retryable) is in aws-errors.ts, which loads the SDK's; this part is
 * kept apart so that code which only names errors (remediation decisions, the DynamoDB store's messages) does
 * not load it.
 */
import { STATUS_CODES } from 'node:http';

/** What the call was, for messages: "ec2 RevokeSecurityGroupIngress". */
export interface AwsCallContext {
  service?: string;
  operation?: string;
}

interface SdkErrorShape {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
  $responseBodyText?: unknown;
}

const shape = (error: unknown): SdkErrorShape => (error && typeof error === 'object' ? (error as SdkErrorShape) : {});

/** The HTTP status the service (or whatever answered) gave, if any answer came. */
export function awsHttpStatus(error: unknown): number | undefined {
  const e = shape(error);
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Whether the SDK could not read the answer as the service's (it holds the raw response in `$response`). */
export function isUnreadableAnswer(error: unknown): boolean {
  const e = shape(error);
  const message = typeof e.message === 'string' ? e.message : '';
  return /Deserialization error/i.test(message) || (e.$response !== undefined && (e.name === 'SyntaxError' || /XML parse error|is not valid JSON|Unexpected token/i.test(message)));
}

/** The service's own error in an answer the SDK could not read: the error-type header, or a code in the body. */
function serviceErrorIn(error: unknown): { code: string; message?: string } | undefined {
  const e = shape(error);
  const headers = e.$response?.headers ?? {};
  const header = headers['x-amzn-errortype'] ?? headers['x-amz-error-code'];
  const body = typeof e.$responseBodyText === 'string' ? e.$responseBodyText : '';
  const xmlCode = /<Code>([A-Za-z0-9_.:-]{1,100})<\/Code>/.exec(body)?.[1];
  const xmlMessage = /<Message>([^<]{1,500})<\/Message>/.exec(body)?.[1];
  let json: { __type?: unknown; code?: unknown; message?: unknown; Message?: unknown } | undefined;
  if (/^\s*\{/.test(body)) {
    try {
      json = JSON.parse(body) as typeof json;
    } catch {
      json = undefined;
    }
  }
  const jsonCode = typeof json?.__type === 'string' ? json.__type : typeof json?.code === 'string' ? json.code : undefined;
  const code = (header ?? xmlCode ?? jsonCode)?.split(':')[0]?.split('#').pop();
  if (!code) return undefined;
  const message = xmlMessage ?? (typeof json?.message === 'string' ? json.message : typeof json?.Message === 'string' ? json.Message : undefined);
  return { code, ...(message ? { message } : {}) };
}

/** "BadGateway" for 502: a code for an answer that carried none. */
function statusCode(status: number | undefined): string {
  if (status === undefined) return 'Error';
  const phrase = STATUS_CODES[status];
  return phrase ? phrase.replace(/[^A-Za-z0-9]+/g, '') : `Http${status}`;
}

/**
 * The error code of an SDK v3 error (`Code`, `name`, `code`), the service's code behind an answer the SDK could
 * not read, or the HTTP status's name ("BadGateway"); "Error" when nothing names it.
 */
export function awsErrorCode(error: unknown): string {
  if (isUnreadableAnswer(error)) return serviceErrorIn(error)?.code ?? statusCode(awsHttpStatus(error));
  const e = shape(error);
  for (const candidate of [e.Code, e.name, e.code]) if (typeof candidate === 'string' && candidate !== '' && candidate !== 'Error') return candidate;
  return 'Error';
}

/**
 * The message of an error, on one line and at most `max` characters; for an answer the SDK could not read,
 * the service's message when the answer carries one, else "HTTP 502 from ec2 RevokeSecurityGroupIngress"
 * (with the page's title when it has one) — never the parser's complaint.
 */
export function awsErrorMessage(error: unknown, context: AwsCallContext = {}, max = 500): string {
  let message: string;
  if (isUnreadableAnswer(error)) {
    const service = serviceErrorIn(error);
    const status = awsHttpStatus(error);
    const what = [context.service, context.operation].filter(Boolean).join(' ') || 'the service';
    if (service?.message) message = service.message;
    else {
      const body = typeof shape(error).$responseBodyText === 'string' ? (shape(error).$responseBodyText as string) : '';
      const title = /<title>([^<]{1,120})<\/title>/i.exec(body)?.[1]?.trim();
      message = `HTTP ${status ?? '(no status)'} from ${what}${title && !/^\d{3}$/.test(title) ? ` (${title})` : ''}`;
    }
  } else message = error instanceof Error ? error.message : typeof shape(error).message === 'string' ? String(shape(error).message) : String(error);
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
