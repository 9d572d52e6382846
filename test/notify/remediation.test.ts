/**
 * Remediation decisions through the notification channels: each decision is written to the shared
 * store's outbox (with its remediation log entry, in one commit), routed like its finding,
 * rendered with its status headline, delivered to local 127.0.0.1 fakes of the services, and never
 * becomes a second incident or a second notice.
 */
import './support/loopback-only.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { notificationsConfigSchema } from '../../src/notify/config.js';
import { createNotifier, type Notifier } from '../../src/notify/notifier.js';
import { createRemediationNotices, type RemediationNotifier } from '../../src/notify/remediation.js';
import { renderRemediation } from '../../src/notify/render/remediation.js';
import { renderHtml, renderText } from '../../src/notify/render/text.js';
import { SecretResolver } from '../../src/notify/secrets.js';
import { buildSlackMessage } from '../../src/notify/sinks/slack.js';
import { buildTeamsMessage } from '../../src/notify/sinks/teams.js';
import type { Notification } from '../../src/notify/types.js';
import type { RemediationClients } from '../../src/remediate/clients.js';
import { remediationConfigSchema } from '../../src/remediate/config.js';
import { createRemediationRunner, RemediationCommitError, type RemediationRunner } from '../../src/remediate/runner.js';
import type { RemediationDecision } from '../../src/remediate/types.js';
import type { RemediationStore } from '../../src/store/index.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/index.js';
import { authorize, stopLogging } from '../remediate/support/events.js';
import { findingFor, NOW } from '../remediate/support/harness.js';
import { blockedConnections } from './support/loopback-only.js';
import { startServer, type RecordedRequest, type TestServer } from './support/http-server.js';

let server: TestServer;
const opened: { notifier: Notifier; store: SqliteStore }[] = [];
const logs: string[] = [];

beforeAll(async () => {
  server = await startServer(() => ({ status: 200, body: 'ok' }));
});
afterEach(async () => {
  for (const { notifier, store } of opened.splice(0)) {
    await notifier.close();
    await store.close();
  }
  server.requests.length = 0;
  server.respond(() => ({ status: 200, body: 'ok' }));
  logs.length = 0;
});
afterAll(async () => {
  await server.close();
  expect(blockedConnections).toEqual([]);
});

const FAST = { initialBackoffSeconds: 0.02, maxBackoffSeconds: 0.1, timeoutSeconds: 2, maxAttempts: 5 };

/** AWS clients that answer every call (ListTags: no tags), or fail the changing ones. */
function fakeClients(fail?: { code: string; message: string }): RemediationClients {
  const clients: RemediationClients = {
    send: async (call) => {
      if (call.operation === 'ListTags') return { ResourceTagList: [{ TagsList: [] }] };
      if (fail) throw Object.assign(new Error(fail.message), { name: fail.code });
      return {};
    },
    forAccount: () => clients,
  };
  return clients;
}

interface Setup {
  store: SqliteStore;
  notifier: Notifier;
  /** Where each decision's notices went. */
  notices: RemediationNotifier;
  runner: RemediationRunner;
  log: RemediationStore;
}

function setup(options: { notifications?: Record<string, unknown>; remediation?: unknown; clients?: RemediationClients; lookups?: boolean; env?: NodeJS.ProcessEnv } = {}): Setup {
  const store = openSqliteStore(':memory:');
  const config = notificationsConfigSchema.parse(
    options.notifications ?? {
      channels: {
        hook: { type: 'webhook', url: `${server.url}/hook`, delivery: FAST },
        slack: { type: 'slack', webhookUrl: `${server.url}/slack`, delivery: FAST, rateLimit: { perSecond: 100 } },
      },
    },
  );
  const notifier = createNotifier({ config, store, log: (level, m) => logs.push(`${level}: ${m}`), pollMs: 20, secrets: new SecretResolver({ env: options.env ?? {} }) });
  opened.push({ notifier, store });
  const notices = createRemediationNotices(notifier);
  const log = store.remediation;
  let ids = 0;
  const runner = createRemediationRunner({
    config: remediationConfigSchema.parse(options.remediation ?? { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging', mode: 'enforce' } } }),
    clients: options.clients ?? fakeClients(),
    store: log,
    notices,
    now: () => NOW,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    lookups: options.lookups ?? true,
  });
  return { store, notifier, notices, runner, log };
}

const titleOf = (r: RecordedRequest) => (r.json as { data: { title: string } }).data.title;
const at = (path: string) => server.requests.filter((r) => r.path === path);

describe('remediation decisions become durable deliveries in the shared outbox', () => {
  it('logged and enqueued together, then delivered to the webhook and Slack with the AUTO-MITIGATED headline', async () => {
    const s = setup({ remediation: { rules: { 'security-group-ingress-open-to-world': { action: 'revoke-security-group-ingress', mode: 'enforce' } } }, lookups: false });
    const finding = findingFor(authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }]), 'security-group-ingress-open-to-world');
    const [decision] = await s.runner.handleFinding(finding);
    expect(decision?.status, decision?.message).toBe('executed');
    expect(s.runner.problems).toEqual([]);

    // Before anything is sent: the log entry and one notice per channel, with the decision, in the same store.
    expect((await s.log.getDecision(decision!.id))?.message).toBe(decision!.message);
    const rows = await s.store.outbox.list();
    expect(rows.map((r) => [r.channel, r.kind, r.state])).toEqual([
      ['hook', 'remediation', 'pending'],
      ['slack', 'remediation', 'pending'],
    ]);
    expect(await Promise.all(rows.map(async (r) => (await s.store.outbox.remediationOf(r.id))?.decisionId))).toEqual([decision!.id, decision!.id]);
    expect(s.notices.enqueued.get(decision!.id)).toEqual({ channels: ['hook', 'slack'], outboxIds: rows.map((r) => r.id), created: 2 });
    expect(server.requests).toHaveLength(0);

    const report = await s.notifier.deliver({ kinds: ['remediation'] });
    expect(report).toMatchObject({ delivered: 2, failed: 0, outstanding: 0 });
    const headline = /^AUTO-MITIGATED: ingress tcp\/22 from 0\.0\.0\.0\/0 removed from sg-0a1b2c3d4e5f60718 that was added by arn:aws:iam::123456789012:user\/bob \(AuthorizeSecurityGroupIngress\)$/;
    const [hook] = at('/hook');
    expect(hook!.json).toMatchObject({ type: 'trailguard.remediation', data: { severity: 'critical', findings: [], remediation: { id: decision!.id, status: 'executed', finding: { id: finding.id } } } });
    expect(titleOf(hook!)).toMatch(headline);
    expect(hook!.headers['webhook-id']).toBe(rows[0]!.idempotencyKey);
    const slack = at('/slack')[0]!.json as { text: string; blocks: { text: { text: string } }[]; attachments: { color: string; blocks: { text?: { text: string } }[] }[] };
    expect(slack.blocks[0]!.text.text).toMatch(/^✅ AUTO-MITIGATED: ingress tcp\/22 from 0\.0\.0\.0\/0 removed from sg-0a1b2c3d4e5f60718/);
    expect(slack.attachments[0]!.color).toBe('#2E7D32');
    expect(JSON.stringify(slack.attachments[0]!.blocks)).toContain('ec2:RevokeSecurityGroupIngress in 123456789012/us-east-1');
    expect((await s.store.outbox.counts()).map((c) => [c.channel, c.state, c.count])).toEqual([
      ['hook', 'delivered', 1],
      ['slack', 'delivered', 1],
    ]);
  });

  it('dry-run, approve, enforce, failed and skipped each carry their own headline and next step', async () => {
    const finding = findingFor(stopLogging(), 'cloudtrail-disabled');
    const trail = 'start logging on trail management-events \\(stopped by arn:aws:sts::123456789012:assumed-role/Admin/alice\\)';
    const cases: { name: string; remediation: unknown; clients?: RemediationClients; status: string; title: RegExp; text: string }[] = [
      { name: 'dry-run', remediation: { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' } } }, status: 'dry-run', title: new RegExp(`^DRY-RUN: would ${trail}$`), text: 'Nothing was changed (dry-run). To act on events like this one, set remediation.rules.cloudtrail-disabled.mode to approve or enforce.' },
      {
        name: 'approve',
        remediation: { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging', mode: 'approve' } } },
        status: 'pending-approval',
        title: new RegExp(`^APPROVAL NEEDED: ${trail} \\(approve with \`trailguard remediate approve ([0-9a-f-]+)\`, expires 2026-11-21T10:06:00\\.000Z\\)$`),
        text: 'before 2026-11-21 10:06:00 UTC; unapproved, the plan expires.',
      },
      { name: 'enforce', remediation: { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging', mode: 'enforce' } } }, status: 'executed', title: /^AUTO-MITIGATED: logging restarted on trail management-events that was stopped by arn:aws:sts::123456789012:assumed-role\/Admin\/alice$/, text: 'trailguard made 1 call and the change is undone.' },
      {
        name: 'failed',
        remediation: { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging', mode: 'enforce' } } },
        clients: fakeClients({ code: 'AccessDeniedException', message: 'not authorized to perform cloudtrail:StartLogging' }),
        status: 'failed',
        title: new RegExp(`^REMEDIATION FAILED: start logging on trail management-events .* for StopLogging by arn:aws:sts::123456789012:assumed-role/Admin/alice \\(123456789012/us-east-1, event [0-9a-f-]+\\): StartLogging: AccessDeniedException: not authorized`),
        text: 'The change may still be in place: check it and undo it by hand, or fix the cause and re-run the plan: `trailguard remediate retry ',
      },
      {
        name: 'skipped',
        remediation: { allowPrincipals: ['arn:aws:iam::123456789012:role/Admin'], rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging', mode: 'enforce' } } },
        status: 'skipped',
        title: /^SKIPPED: start-cloudtrail-logging on StopLogging by .*: arn:aws:sts::123456789012:assumed-role\/Admin\/alice is allowlisted \(arn:aws:iam::123456789012:role\/Admin\) \(allowlisted-principal\)$/,
        text: 'Not acted on (allowlisted-principal)',
      },
    ];
    for (const c of cases) {
      const s = setup({ remediation: c.remediation, ...(c.clients ? { clients: c.clients } : {}) });
      const [decision] = await s.runner.handleFinding(finding);
      expect(decision?.status, c.name).toBe(c.status);
      await s.notifier.deliver({ kinds: ['remediation'] });
      const hook = at('/hook').at(-1)!;
      expect(titleOf(hook), c.name).toMatch(c.title);
      expect(titleOf(hook), c.name).toBe(decision!.message);
      const content = renderRemediation(notificationOf(decision!));
      const text = renderText(content);
      expect(text, c.name).toContain(c.text);
      expect(text, c.name).toContain(`Finding: ${finding.title} — ${finding.summary}`);
      expect(renderHtml(content), c.name).toContain(c.status === 'executed' || c.status === 'failed' ? 'Calls made' : c.status === 'skipped' ? 'Reason' : 'Planned calls');
      if (c.status === 'pending-approval') {
        const id = c.title.exec(titleOf(hook))![1]!;
        expect(id).toBe(decision!.approvalId);
        expect(text).toContain(`\`trailguard remediate approve ${id}\` (or \`trailguard remediate reject ${id}\`)`);
      }
      const slack = JSON.stringify(buildSlackMessage(content));
      expect(slack, c.name).toContain(content.style.slackEmoji);
      expect(JSON.stringify(buildTeamsMessage(content))).toContain(`"style":"${content.style.teamsStyle}"`);
    }
  });

  it('approving and rejecting held plans are notified too, with the finding they came from', async () => {
    const s = setup({ remediation: { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging', mode: 'approve' } } } });
    const [held] = await s.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    const done = await s.runner.approve(held!.approvalId!, 'carol');
    expect(done.finding).toEqual(held!.finding);
    await s.notifier.deliver({ kinds: ['remediation'] });
    expect(at('/hook').map(titleOf)).toEqual([held!.message, done.message]);
    expect(done.message).toMatch(/^AUTO-MITIGATED: logging restarted on trail management-events/);
  });
});

function notificationOf(decision: RemediationDecision): Notification {
  return { id: '1', channel: 'c', kind: 'remediation', idempotencyKey: 'tg_x', incidentKey: 'trailguard:x', count: 1, findings: [], findingIds: [], windowStart: 0, windowEnd: 0, attempt: 1, remediation: decision };
}

describe('routing: like the finding, narrowed by notifications.remediation', () => {
  const channels = {
    pager: { type: 'webhook', url: `http://127.0.0.1:9/pager` },
    hook: { type: 'webhook', url: `http://127.0.0.1:9/hook` },
    chat: { type: 'webhook', url: `http://127.0.0.1:9/chat` },
  };
  const routes = [
    { match: { minSeverity: 'critical' }, channels: ['pager'] },
    { match: { minSeverity: 'medium', excludeRules: ['cloudtrail-config-changes'] }, channels: ['hook'] },
  ];

  async function decide(remediation: Record<string, unknown> | undefined, policy: unknown = { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' } } }) {
    const s = setup({ notifications: { channels, routes, ...(remediation ? { remediation } : {}) }, remediation: policy });
    const [decision] = await s.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    return { s, decision: decision!, rows: (await s.store.outbox.list()).map((r) => r.channel) };
  }

  it('inherit (default): the channels the finding\'s routes pick', async () => {
    expect((await decide(undefined)).rows).toEqual(['pager', 'hook']);
    expect((await decide({ channels: 'inherit' })).rows).toEqual(['pager', 'hook']);
  });

  it('a list of channels replaces the routes; statuses and skip reasons filter', async () => {
    expect((await decide({ channels: ['chat'] })).rows).toEqual(['chat']);
    const filtered = await decide({ statuses: ['executed', 'failed'] });
    expect(filtered.rows).toEqual([]);
    expect(filtered.s.notices.enqueued.get(filtered.decision.id)).toMatchObject({ channels: [], filtered: 'status' });
    // The decision is logged whatever is notified.
    expect((await filtered.s.log.getDecision(filtered.decision.id))?.status).toBe('dry-run');
  });

  it('duplicate-event skips are quiet by default (the first decision was notified); skipReasons opts in', async () => {
    const enforce = { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging', mode: 'enforce' } } };
    const first = await decide(undefined, enforce);
    const again = await first.s.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    expect(again[0]?.status).toBe('executed'); // another event id: acted on, notified
    const record = stopLogging();
    const finding = findingFor(record, 'cloudtrail-disabled');
    await first.s.runner.handleFinding(finding);
    const [dup] = await first.s.runner.handleFinding(finding);
    expect(dup).toMatchObject({ status: 'skipped', reason: 'duplicate-event' });
    expect(first.s.notices.enqueued.get(dup!.id)).toMatchObject({ filtered: 'skip-reason' });
    const loud = await decide({ skipReasons: ['duplicate-event'] }, enforce);
    await loud.s.runner.handleFinding(finding);
    const [dup2] = await loud.s.runner.handleFinding(finding);
    expect(loud.s.notices.enqueued.get(dup2!.id)?.channels).toEqual(['pager', 'hook']);
  });

  it('a decision no route takes goes nowhere (and says so); unknown channels are config errors', async () => {
    const s = setup({ notifications: { channels, routes: [{ match: { rules: ['root-*'] }, channels: ['pager'] }] }, remediation: { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' } } } });
    const [decision] = await s.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    expect(s.notices.enqueued.get(decision!.id)).toMatchObject({ channels: [], filtered: 'unrouted' });
    const bad = notificationsConfigSchema.safeParse({ channels, remediation: { channels: ['pagr'] } });
    expect(bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['remediation.channels.0: no channel named "pagr" (channels: pager, hook, chat)']);
    expect(notificationsConfigSchema.safeParse({ channels, remediation: { statuses: ['done'] } }).success).toBe(false);
  });
});

describe('idempotent and never silently lost', () => {
  it('the same decision enqueued twice is one notice per channel; a retried delivery keeps its webhook-id', async () => {
    const s = setup({ notifications: { channels: { hook: { type: 'webhook', url: `${server.url}/hook`, delivery: FAST } } }, remediation: { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' } } } });
    const [decision] = await s.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    const first = s.notices.enqueued.get(decision!.id)!;
    expect(first).toMatchObject({ channels: ['hook'], created: 1 });
    // Committed again (a retried commit, a redelivered event replayed): the same notice, nothing new.
    const again = await s.store.remediation.commit({ decision: decision!, notices: s.notifier.remediationNotices(decision!).notices, now: Date.now() });
    expect(again.notices.map((n) => [n.row.id, n.created])).toEqual([[first.outboxIds[0], false]]);
    expect(await s.store.outbox.list()).toHaveLength(1);
    server.respond((_r, i) => (i === 0 ? { status: 503, body: 'busy' } : { status: 200 }));
    const report = await s.notifier.deliver({ kinds: ['remediation'] });
    expect(report).toMatchObject({ delivered: 1, retried: 1 });
    const ids = at('/hook').map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
  });

  it('a failing delivery stays in the outbox as failed, with its redacted error; a notice that cannot be written fails the whole commit, loudly', async () => {
    const secret = 'tok-0123456789abcdef';
    const s = setup({
      notifications: { channels: { hook: { type: 'webhook', url: `${server.url}/hook/\${env:HOOK_TOKEN}`, delivery: { ...FAST, maxAttempts: 2 } } } },
      remediation: { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' } } },
      env: { HOOK_TOKEN: secret },
    });
    server.respond((r) => ({ status: 500, body: `cannot post to ${r.path}` }));
    const [decision] = await s.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    const report = await s.notifier.deliver({ kinds: ['remediation'] });
    expect(report).toMatchObject({ delivered: 0, failed: 1 });
    expect(server.requests[0]!.path).toBe(`/hook/${secret}`);
    const [row] = await s.store.outbox.list({ states: ['failed'] });
    expect(row).toMatchObject({ kind: 'remediation', attempts: 2 });
    expect(row!.lastError).toContain('webhook channel "hook": HTTP 500: cannot post to [REDACTED]');
    expect(row!.lastError).not.toContain('/hook/');
    expect(logs.join('\n')).not.toContain(secret);
    expect(await s.store.outbox.requeueFailed({ now: Date.now() })).toBe(1); // notify retry re-drives it

    // The notice cannot be written (its table is gone): the decision and its notices are one commit, so nothing
    // of it is kept and the runner says so — an error for the caller to retry, never a decision nobody hears of.
    s.store.sqlite.db.exec('DROP TABLE outbox_remediation');
    const next = await s.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled')).catch((e: unknown) => e);
    expect(next).toBeInstanceOf(RemediationCommitError);
    expect((next as Error).message).toMatch(/^could not record remediation decision [0-9a-f-]+ \(dry-run start-cloudtrail-logging on event [0-9a-f-]+\): no such table: .*outbox_remediation/);
    expect((await s.log.listDecisions()).map((d) => d.id)).toEqual([decision!.id]);
    expect(s.runner.problems).toEqual([]);
  });
});

describe('incident tools: a remediation notice never opens a second incident for its finding', () => {
  const finding = () => findingFor(stopLogging(), 'cloudtrail-disabled');

  it('PagerDuty: REMEDIATION FAILED joins the finding\'s alert (same dedup_key); AUTO-MITIGATED is a change event', async () => {
    const notifications = { channels: { pd: { type: 'pagerduty', routingKey: 'R0UT1NGKEY0123456789', endpoint: `${server.url}/pd/v2/enqueue`, delivery: FAST } } };
    const failing = setup({ notifications, clients: fakeClients({ code: 'AccessDeniedException', message: 'denied' }) });
    const f = finding();
    await failing.notifier.enqueue([f]); // the finding's own alert
    const [failed] = await failing.runner.handleFinding(f);
    await failing.notifier.deliver({});
    const triggers = at('/pd/v2/enqueue').map((r) => r.json as { event_action: string; dedup_key: string; payload: { summary: string; class: string } });
    expect(triggers).toHaveLength(2);
    expect(triggers.map((t) => t.event_action)).toEqual(['trigger', 'trigger']);
    expect(triggers[1]!.dedup_key).toBe(triggers[0]!.dedup_key);
    expect(triggers[1]!.dedup_key).toBe(`trailguard:${f.dedupeKey}`);
    expect(triggers[1]!.payload).toMatchObject({ summary: failed!.message, class: 'remediation:failed' });

    const ok = setup({ notifications });
    const [executed] = await ok.runner.handleFinding(finding());
    await ok.notifier.deliver({ kinds: ['remediation'] });
    const [change] = at('/pd/v2/change/enqueue');
    expect(change!.json).toMatchObject({ routing_key: 'R0UT1NGKEY0123456789', payload: { summary: executed!.message, source: 'aws:123456789012:us-east-1' } });
    expect(change!.json).not.toHaveProperty('dedup_key');
    expect(change!.json).not.toHaveProperty('event_action');
  });

  it('OpsGenie: APPROVAL NEEDED is an alert on the finding\'s alias; DRY-RUN is a note on that alert', async () => {
    const notifications = { channels: { og: { type: 'opsgenie', apiKey: 'og-key-0123456789', endpoint: `${server.url}/og`, delivery: FAST } } };
    const held = setup({ notifications, remediation: { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging', mode: 'approve' } } } });
    const f = finding();
    await held.notifier.enqueue([f]);
    const [pending] = await held.runner.handleFinding(f);
    await held.notifier.deliver({});
    const alerts = at('/og/v2/alerts').map((r) => r.json as { alias: string; message: string; note?: string });
    expect(alerts).toHaveLength(2);
    expect(alerts[1]!.alias).toBe(alerts[0]!.alias);
    expect(alerts[1]!.note).toBe(pending!.message);

    const dry = setup({ notifications, remediation: { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' } } } });
    const g = finding();
    await dry.runner.handleFinding(g);
    await dry.notifier.deliver({ kinds: ['remediation'] });
    const note = server.requests.at(-1)!;
    expect(note.path).toBe(`/og/v2/alerts/${encodeURIComponent(`trailguard:${g.dedupeKey}`)}/notes?identifierType=alias`);
    expect(note.headers.authorization).toBe('GenieKey og-key-0123456789');
    expect((note.json as { note: string }).note).toMatch(/^📝 DRY-RUN: would start logging/);
  });
});
