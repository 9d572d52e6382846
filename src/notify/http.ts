/**
 * The HTTP client of the webhook-style sinks: undici, one connection pool per sink, a timeout per
 * attempt, no retries inside (the dispatcher owns retrying). Responses are classified into
 * success, retryable (408/425/429/5xx, network errors, timeouts — with Retry-After) and permanent.
 */
import { Agent, request } from 'undici';
import { DeliveryError, isRetryableStatus, parseRetryAfter } from './errors.js';
import type { SendContext } from './types.js';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The most of a response body kept for error messages. */
const MAX_BODY = 64 * 1024;

export function createHttpAgent(): Agent {
  return new Agent({ connect: { timeout: 10_000 }, keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
}

/**
 * POSTs `body` and returns the response, whatever its status; throws a retryable DeliveryError
 * when no response arrives (refused, reset, DNS, timeout). `label` names the channel in messages
 * (never the URL: it can hold a token).
 */
export async function postJson(agent: Agent, url: string, body: string, headers: Record<string, string>, context: SendContext, label: string): Promise<HttpResponse> {
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'trailguard-notify', ...headers },
      body,
      dispatcher: agent,
      signal: context.signal,
      headersTimeout: context.timeoutMs,
      bodyTimeout: context.timeoutMs,
    });
    const text = await readCapped(response.body);
    return { status: response.statusCode, headers: response.headers, body: text };
  } catch (error) {
    throw networkError(error, label, context);
  }
}

async function readCapped(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.from(chunk);
    if (size < MAX_BODY) chunks.push(buf.subarray(0, MAX_BODY - size));
    size += buf.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function networkError(error: unknown, label: string, context: SendContext): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const err = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (context.signal.aborted || err.name === 'AbortError' || err.name === 'TimeoutError' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') {
    return new DeliveryError(`${label}: no answer within ${context.timeoutMs} ms`, { retryable: true });
  }
  const code = err.code ?? err.cause?.code;
  const message = err.cause?.message ?? err.message ?? String(error);
  // undici errors name host:port at most, never the path; the redactor is the backstop anyway.
  return new DeliveryError(`${label}: network error${code ? ` ${code}` : ''}: ${message}`, { retryable: true, cause: error });
}

/** Throws the right DeliveryError for a non-2xx answer; `detail` extracts the service's error text. */
export function checkResponse(response: HttpResponse, label: string, detail: (body: string) => string = snippet): void {
  if (response.status >= 200 && response.status < 300) return;
  const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
  const throttled = response.status === 429;
  throw new DeliveryError(`${label}: HTTP ${response.status}${detailSuffix(detail(response.body))}`, {
    retryable: isRetryableStatus(response.status),
    status: response.status,
    retryAfterMs,
    throttled,
  });
}

function detailSuffix(text: string): string {
  return text ? `: ${text}` : '';
}

/** The first 300 characters of a body, on one line. */
export function snippet(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
