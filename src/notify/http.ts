/**
 * The HTTP client of the webhook-style sinks: Node's built-in fetch (undici inside Node, with its
 * keep-alive connection pool), a timeout per attempt, no redirects followed and no retries inside (the
 * dispatcher owns retrying). Responses are classified into success, retryable (408/425/429/5xx, network
 * errors, timeouts — with Retry-After) and permanent. Using the runtime's client keeps a separate HTTP
 * library out of the package and out of the Lambda bundle.
 */
import { DeliveryError, isRetryableStatus, parseRetryAfter } from './errors.js';
import type { SendContext } from './types.js';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The most of a response body kept for error messages. */
const MAX_BODY = 64 * 1024;

/** A sink's HTTP client: requests in flight are aborted when it closes. */
export interface HttpClient {
  post(url: string, body: string, headers: Record<string, string>, context: SendContext, label: string): Promise<HttpResponse>;
  close(): Promise<void>;
}

export function createHttpClient(): HttpClient {
  const closing = new AbortController();
  return {
    post: (url, body, headers, context, label) => postJson(url, body, headers, { ...context, signal: AbortSignal.any([context.signal, closing.signal]) }, label),
    close: async () => closing.abort(),
  };
}

/**
 * POSTs `body` and returns the response, whatever its status; throws a retryable DeliveryError
 * when no response arrives (refused, reset, DNS, timeout). `label` names the channel in messages
 * (never the URL: it can hold a token).
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, context: SendContext, label: string): Promise<HttpResponse> {
  // The attempt's whole budget, headers and body included (the dispatcher's signal also ends it).
  const signal = AbortSignal.any([context.signal, AbortSignal.timeout(context.timeoutMs)]);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'trailguard-notify', ...headers },
      body,
      signal,
      redirect: 'manual',
    });
    const text = await readCapped(response.body);
    const plain: HttpResponse['headers'] = {};
    response.headers.forEach((value, name) => (plain[name] = value));
    return { status: response.status, headers: plain, body: text };
  } catch (error) {
    throw networkError(error, label, context, signal);
  }
}

async function readCapped(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (!body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.from(chunk);
    if (size < MAX_BODY) chunks.push(buf.subarray(0, MAX_BODY - size));
    size += buf.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function networkError(error: unknown, label: string, context: SendContext, signal: AbortSignal): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const err = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (signal.aborted || err.name === 'AbortError' || err.name === 'TimeoutError' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') {
    return new DeliveryError(`${label}: no answer within ${context.timeoutMs} ms`, { retryable: true });
  }
  const code = err.code ?? err.cause?.code;
  const message = err.cause?.message ?? err.message ?? String(error);
  // fetch's errors name host:port at most (in their cause), never the path; the redactor is the backstop anyway.
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
