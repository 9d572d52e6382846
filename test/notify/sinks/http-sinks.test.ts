import '../support/loopback-only.js';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../../src/notify/errors.js';
import { ContentRenderer } from '../../../src/notify/render/content.js';
import { createSink } from '../../../src/notify/sinks/index.js';
import { OPSGENIE_ENDPOINTS } from '../../../src/notify/sinks/opsgenie.js';
import { PAGERDUTY_ENDPOINT } from '../../../src/notify/sinks/pagerduty.js';
import { buildSlackMessage, escapeMrkdwn } from '../../../src/notify/sinks/slack.js';
import { TEAMS_MAX_BYTES } from '../../../src/notify/sinks/teams.js';
import type { Sink } from '../../../src/notify/types.js';
import { blockedConnections } from '../support/loopback-only.js';
import { makeFinding, realFindings } from '../support/findings.js';
import { startServer, type TestServer } from '../support/http-server.js';
import { notificationOf, sendContext, sinkDeps } from '../support/sinks.js';

let server: TestServer;
const sinks: Sink[] = [];

beforeAll(async () => {
  server = await startServer();
});
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close?.()));
  server.requests.length = 0;
  server.respond(() => ({ status: 200, body: 'ok' }));
});
afterAll(async () => {
  await server.close();
  expect(blockedConnections).toEqual([]);
});

async function sink(config: Parameters<typeof createSink>[0], env: NodeJS.ProcessEnv = {}): Promise<Sink> {
  const s = await createSink(config, sinkDeps('sec-alerts', { env }));
  sinks.push(s);
  return s;
}

const critical = () => realFindings().find((f) => f.ruleId === 'cloudtrail-disabled')!;

describe('slack', () => {
  it('posts Block Kit to the webhook path: header, severity colour, who/what/where/when, compliance, remediation, console button', async () => {
    const s = await sink({ type: 'slack', webhookUrl: `${server.url}/services/T000/B000/\${env:SLACK_TOKEN}`, username: 'trailguard' }, { SLACK_TOKEN: 'XXXXsecretXXXX' });
    const finding = critical();
    const result = await s.send(notificationOf([finding]), sendContext());
    expect(result.status).toBe(200);
    const [req] = server.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/services/T000/B000/XXXXsecretXXXX' });
    expect(req!.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = req!.json as { text: string; username: string; blocks: { type: string; text: { text: string } }[]; attachments: { color: string; blocks: Record<string, unknown>[] }[] };
    expect(body.username).toBe('trailguard');
    expect(body.text).toContain(':rotating_light: CRITICAL: CloudTrail logging stopped or trail deleted');
    expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '🚨 CRITICAL: CloudTrail logging stopped or trail deleted', emoji: true } });
    expect(body.blocks[1]!.text.text).toBe(escapeMrkdwn(finding.summary));
    expect(body.attachments[0]!.color).toBe('#B71C1C');
    const details = JSON.stringify(body.attachments[0]!.blocks);
    for (const text of ['*Who*\\nAdmin/alice (AssumedRole, MFA)', '*What*\\nStopLogging (cloudtrail.amazonaws.com)', '*Where*\\naccount 123456789012, us-east-1', '*When*\\n2026-11-20 10:01:02 UTC', '*Source IP*\\n198.51.100.23', 'CIS AWS Foundations: v3.0.0 4.5', 'NIST 800-53 r5: AU-6, AU-9, SI-4', '*Remediation*', 'aws cloudtrail start-logging']) {
      expect(details).toContain(text);
    }
    const actions = body.attachments[0]!.blocks.find((b) => b.type === 'actions') as { elements: { url: string; style: string }[] };
    expect(actions.elements[0]).toMatchObject({ url: finding.consoleUrl, style: 'danger' });
  });

  it('keeps Block Kit limits and escapes mrkdwn control characters', () => {
    const long = makeFinding(1, { title: 'x'.repeat(400), summary: '<!channel> & <script>' + 'y'.repeat(5000), resources: Array.from({ length: 40 }, (_, i) => `arn:${i}`) });
    const message = buildSlackMessage(new ContentRenderer().render(notificationOf([long])));
    const header = (message.blocks as { text: { text: string } }[])[0]!;
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    const section = (message.blocks as { text: { text: string } }[])[1]!;
    expect(section.text.text.length).toBeLessThanOrEqual(3000);
    expect(section.text.text.startsWith('&lt;!channel&gt; &amp; &lt;script&gt;')).toBe(true);
    const blocks = (message.attachments as { blocks: unknown[] }[])[0]!.blocks;
    expect(blocks.length + 2).toBeLessThanOrEqual(50);
  });

  it.each([
    [400, 'invalid_payload', false],
    [403, 'action_prohibited', false],
    [404, 'channel_not_found', false],
    [410, 'channel_is_archived', false],
    [500, 'rollup_error', true],
    [429, 'rate limited', true],
  ])('HTTP %i %s → retryable %s', async (status, text, retryable) => {
    server.respond(() => ({ status, body: text, headers: status === 429 ? { 'retry-after': '30' } : ({} as Record<string, string>) }));
    const s = await sink({ type: 'slack', webhookUrl: `${server.url}/services/x` });
    const error = (await s.send(notificationOf([makeFinding(1)]), sendContext()).catch((e: unknown) => e)) as DeliveryError;
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable, status });
    expect(error.message).toContain(text);
    if (status === 429) expect(error).toMatchObject({ throttled: true, retryAfterMs: 30_000 });
  });
});

describe('teams', () => {
  it('posts an Adaptive Card in the message envelope Workflows and incoming webhooks accept', async () => {
    server.respond(() => ({ status: 202, body: '' }));
    const s = await sink({ type: 'teams', webhookUrl: `${server.url}/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=SIGSECRET` });
    const finding = critical();
    await s.send(notificationOf([finding]), sendContext());
    const [req] = server.requests;
    expect(req!.path).toBe('/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=SIGSECRET');
    const body = req!.json as { type: string; attachments: { contentType: string; contentUrl: null; content: Record<string, unknown> }[] };
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments[0]).toMatchObject({ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null });
    const card = body.attachments[0]!.content as { type: string; version: string; body: Record<string, unknown>[]; actions: unknown[] };
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' });
    expect(card.body[0]).toMatchObject({ type: 'Container', style: 'attention' });
    const facts = card.body.find((b) => b.type === 'FactSet') as { facts: { title: string; value: string }[] };
    expect(facts.facts.map((f) => f.title)).toEqual(['Who', 'Principal', 'What', 'Where', 'When', 'Source IP', 'Rule']);
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open in CloudTrail console', url: finding.consoleUrl }]);
    expect(Buffer.byteLength(req!.body)).toBeLessThan(TEAMS_MAX_BYTES);
  });

  it('treats a legacy connector\'s "HTTP error 429" inside a 200 as throttling', async () => {
    server.respond(() => ({ status: 200, body: 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId x' }));
    const s = await sink({ type: 'teams', webhookUrl: `${server.url}/webhookb2/x` });
    await expect(s.send(notificationOf([makeFinding(1)]), sendContext())).rejects.toMatchObject({ retryable: true, throttled: true, status: 429 });
  });

  it('drops compliance and remediation when the card would exceed the size limit', async () => {
    server.respond(() => ({ status: 202 }));
    const s = await sink({ type: 'teams', webhookUrl: `${server.url}/w` });
    const huge = makeFinding(1, { remediation: { summary: 'z'.repeat(30_000), console: [], cli: [] } });
    await s.send(notificationOf([huge]), sendContext());
    expect(server.requests[0]!.body).not.toContain('zzzz');
  });
});

describe('pagerduty', () => {
  it('sends an Events API v2 trigger with dedup_key, mapped severity and links', async () => {
    server.respond(() => ({ status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"x"}', headers: { 'content-type': 'application/json' } }));
    const s = await sink({ type: 'pagerduty', routingKey: '${env:PD_KEY}', endpoint: `${server.url}/v2/enqueue` }, { PD_KEY: 'R0UTINGKEY0123456789abcdefABCDEF' });
    const finding = critical();
    const n = notificationOf([finding]);
    await s.send(n, sendContext());
    const [req] = server.requests;
    expect(req!.path).toBe('/v2/enqueue');
    const body = req!.json as Record<string, unknown>;
    expect(body).toMatchObject({
      routing_key: 'R0UTINGKEY0123456789abcdefABCDEF',
      event_action: 'trigger',
      dedup_key: n.incidentKey,
      client: 'trailguard',
      client_url: finding.consoleUrl,
      links: [{ href: finding.consoleUrl, text: 'Event in the CloudTrail console' }],
      payload: { summary: 'CRITICAL: CloudTrail logging stopped or trail deleted', source: 'aws:123456789012:us-east-1', severity: 'critical', timestamp: finding.eventTime, component: 'cloudtrail.amazonaws.com', group: '123456789012', class: 'cloudtrail-disabled' },
    });
    const details = (body.payload as { custom_details: Record<string, unknown> }).custom_details;
    expect(details).toMatchObject({ who: 'Admin/alice (AssumedRole, MFA)', finding_id: finding.id, occurrences: 1 });
    expect(details.compliance).toContain('AWS Security Hub: CloudWatch.5');
    expect(PAGERDUTY_ENDPOINT).toBe('https://events.pagerduty.com/v2/enqueue');
  });

  it.each([
    ['critical', 'critical'],
    ['high', 'error'],
    ['medium', 'warning'],
    ['low', 'info'],
    ['info', 'info'],
  ] as const)('maps %s to %s (overridable)', async (severity, expected) => {
    server.respond(() => ({ status: 202, body: '{}' }));
    const s = await sink({ type: 'pagerduty', routingKey: 'k'.repeat(32), endpoint: `${server.url}/v2/enqueue`, severityMap: { info: 'warning' } });
    await s.send(notificationOf([makeFinding(1, { severity })]), sendContext());
    expect((server.requests[0]!.json as { payload: { severity: string } }).payload.severity).toBe(severity === 'info' ? 'warning' : expected);
  });

  it('keeps dedup_key within 255 characters, stably', async () => {
    server.respond(() => ({ status: 202, body: '{}' }));
    const s = await sink({ type: 'pagerduty', routingKey: 'k'.repeat(32), endpoint: `${server.url}/v2/enqueue` });
    const n = notificationOf([makeFinding(1)], { incidentKey: `trailguard:${'a'.repeat(400)}` });
    await s.send(n, sendContext());
    await s.send(n, sendContext());
    const keys = server.requests.map((r) => (r.json as { dedup_key: string }).dedup_key);
    expect(keys[0]!.length).toBeLessThanOrEqual(255);
    expect(keys[0]).toBe(keys[1]);
  });

  it('does not retry 400 (invalid event) and quotes PagerDuty\'s errors', async () => {
    server.respond(() => ({ status: 400, body: '{"status":"invalid event","message":"Event object is invalid","errors":["Length of \'routing_key\' is incorrect (should be 32 characters)"]}' }));
    const s = await sink({ type: 'pagerduty', routingKey: 'short', endpoint: `${server.url}/v2/enqueue` });
    await expect(s.send(notificationOf([makeFinding(1)]), sendContext())).rejects.toMatchObject({ retryable: false, status: 400, message: expect.stringContaining("Length of 'routing_key' is incorrect") });
  });
});

describe('opsgenie', () => {
  it('creates an alert with GenieKey auth, alias, priority and limits respected', async () => {
    server.respond(() => ({ status: 202, body: '{"result":"Request will be processed","took":0.302,"requestId":"43a29c5c-3dbf-4fa4-9c26-f4f71023e120"}' }));
    const s = await sink({ type: 'opsgenie', apiKey: 'eb243592-faa2-4ba2-a551-1afdf565c889', endpoint: server.url, responders: [{ type: 'team', name: 'secops' }], tags: ['aws'] });
    const finding = critical();
    const n = notificationOf([finding]);
    const result = await s.send(n, sendContext());
    expect(result.detail).toBe('requestId 43a29c5c-3dbf-4fa4-9c26-f4f71023e120');
    const [req] = server.requests;
    expect(req!.path).toBe('/v2/alerts');
    expect(req!.headers.authorization).toBe('GenieKey eb243592-faa2-4ba2-a551-1afdf565c889');
    const body = req!.json as Record<string, unknown>;
    expect(body).toMatchObject({ alias: n.incidentKey, priority: 'P1', source: 'trailguard', entity: 'aws:123456789012:us-east-1', responders: [{ type: 'team', name: 'secops' }] });
    expect((body.message as string).length).toBeLessThanOrEqual(130);
    expect((body.description as string).length).toBeLessThanOrEqual(15000);
    expect(body.tags).toEqual(['trailguard', 'critical', 'cloudtrail-disabled', ...finding.tags, 'aws']);
    const details = body.details as Record<string, string>;
    expect(Object.values(details).every((v) => typeof v === 'string')).toBe(true);
    expect(Object.entries(details).reduce((n, [k, v]) => n + k.length + v.length, 0)).toBeLessThanOrEqual(8000);
    expect(details['CloudTrail console']).toBe(finding.consoleUrl);
  });

  it('maps severities to P1..P5 and knows the US and EU endpoints', async () => {
    server.respond(() => ({ status: 202, body: '{}' }));
    const s = await sink({ type: 'opsgenie', apiKey: 'key-1234', endpoint: `${server.url}/` });
    for (const severity of ['critical', 'high', 'medium', 'low', 'info'] as const) await s.send(notificationOf([makeFinding(1, { severity })]), sendContext());
    expect(server.requests.map((r) => (r.json as { priority: string }).priority)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5']);
    expect(OPSGENIE_ENDPOINTS).toEqual({ us: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' });
  });

  it('sends EU accounts to api.eu.opsgenie.com (refused here by the network guard, so nothing leaves the machine)', async () => {
    const s = await sink({ type: 'opsgenie', apiKey: 'key-1234', region: 'eu' });
    await expect(s.send(notificationOf([makeFinding(1)]), sendContext())).rejects.toMatchObject({ retryable: true });
    expect(blockedConnections.splice(0)).toEqual(['api.eu.opsgenie.com:443']);
  });

  it('treats 422 as permanent and 429 as throttling', async () => {
    const s = await sink({ type: 'opsgenie', apiKey: 'key-1234', endpoint: server.url });
    server.respond(() => ({ status: 422, body: '{"message":"Request body is not processable. Please check the errors.","errors":{"message":"Message can not be empty."}}' }));
    await expect(s.send(notificationOf([makeFinding(1)]), sendContext())).rejects.toMatchObject({ retryable: false, status: 422, message: expect.stringContaining('not processable') });
    server.respond(() => ({ status: 429, body: '{"message":"Too many requests"}' }));
    await expect(s.send(notificationOf([makeFinding(1)]), sendContext())).rejects.toMatchObject({ retryable: true, throttled: true });
  });
});

describe('webhook', () => {
  it('posts JSON with Standard Webhooks id, timestamp and an HMAC-SHA256 signature a receiver can verify', async () => {
    const secretBytes = Buffer.from('an-example-signing-key-of-32-byt');
    const s = await sink({ type: 'webhook', url: `${server.url}/hooks/trailguard`, signingSecret: `whsec_${secretBytes.toString('base64')}`, headers: { Authorization: 'Bearer ${env:HOOK_TOKEN}' } }, { HOOK_TOKEN: 'tok-123456' });
    const finding = critical();
    const n = notificationOf([finding]);
    await s.send(n, sendContext());
    const [req] = server.requests;
    expect(req!.path).toBe('/hooks/trailguard');
    expect(req!.headers.authorization).toBe('Bearer tok-123456');
    expect(req!.headers['webhook-id']).toBe(n.idempotencyKey);
    const timestamp = req!.headers['webhook-timestamp'] as string;
    expect(timestamp).toBe(String(Math.floor(Date.UTC(2026, 10, 20, 10, 5, 0) / 1000)));
    // Verify exactly as a receiver would: HMAC over "<id>.<timestamp>.<raw body>" with the decoded key.
    const expected = createHmac('sha256', secretBytes).update(`${n.idempotencyKey}.${timestamp}.${req!.body}`).digest();
    const [version, signature] = (req!.headers['webhook-signature'] as string).split(',');
    expect(version).toBe('v1');
    expect(timingSafeEqual(Buffer.from(signature!, 'base64'), expected)).toBe(true);
    expect(req!.json).toMatchObject({
      type: 'trailguard.finding',
      id: n.idempotencyKey,
      channel: 'test-channel',
      data: { incidentKey: n.incidentKey, count: 1, severity: 'critical', title: 'CRITICAL: CloudTrail logging stopped or trail deleted', findings: [{ id: finding.id, consoleUrl: finding.consoleUrl }] },
    });
  });

  it('signs with the UTF-8 bytes of a secret without the whsec_ prefix, and sends no signature without a secret', async () => {
    const s = await sink({ type: 'webhook', url: `${server.url}/a`, signingSecret: 'plain secret' });
    const plain = await sink({ type: 'webhook', url: `${server.url}/b` });
    await s.send(notificationOf([makeFinding(1)]), sendContext());
    await plain.send(notificationOf([makeFinding(1)]), sendContext());
    const [signed, unsigned] = server.requests;
    const mac = createHmac('sha256', 'plain secret').update(`${signed!.headers['webhook-id']}.${signed!.headers['webhook-timestamp']}.${signed!.body}`).digest('base64');
    expect(signed!.headers['webhook-signature']).toBe(`v1,${mac}`);
    expect(unsigned!.headers['webhook-signature']).toBeUndefined();
    expect(unsigned!.headers['webhook-id']).toBeDefined();
  });

  it('times out on a receiver that never answers (retryable)', async () => {
    server.respond(() => ({ hang: true }));
    const s = await sink({ type: 'webhook', url: `${server.url}/slow` });
    const started = Date.now();
    await expect(s.send(notificationOf([makeFinding(1)]), sendContext(300))).rejects.toMatchObject({ retryable: true, message: expect.stringContaining('no answer within 300 ms') });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a refused connection as retryable', async () => {
    const closed = await startServer();
    const url = closed.url;
    await closed.close();
    const s = await sink({ type: 'webhook', url: `${url}/x` });
    await expect(s.send(notificationOf([makeFinding(1)]), sendContext())).rejects.toMatchObject({ retryable: true, message: expect.stringContaining('ECONNREFUSED') });
  });
});
