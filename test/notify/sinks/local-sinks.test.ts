import '../support/loopback-only.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSink } from '../../../src/notify/sinks/index.js';
import { blockedConnections } from '../support/loopback-only.js';
import { makeFinding, realFindings } from '../support/findings.js';
import { startSmtpServer, type SmtpTestServer } from '../support/smtp-server.js';
import { notificationOf, sendContext, sinkDeps } from '../support/sinks.js';

let smtp: SmtpTestServer;
const dirs: string[] = [];
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterEach(() => {
  smtp.mails.length = 0;
  smtp.failures.clear();
});
afterAll(async () => {
  await smtp.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  expect(blockedConnections).toEqual([]);
});

const smtpConfig = (extra: Record<string, unknown> = {}) => ({ type: 'smtp' as const, host: '127.0.0.1', port: smtp.port, ignoreTLS: true, from: 'trailguard <alerts@example.com>', to: ['secops@example.com'], cc: ['audit@example.com'], ...extra });

describe('smtp', () => {
  it('sends text and HTML parts, authenticates with the resolved password, and sets Message-ID from the idempotency key', async () => {
    const sink = await createSink(smtpConfig({ username: 'mailer', password: '${env:SMTP_PASSWORD}' }), sinkDeps('mail', { env: { SMTP_PASSWORD: 's3cret-smtp-pass' } }));
    const finding = realFindings().find((f) => f.ruleId === 'cloudtrail-disabled')!;
    const n = notificationOf([finding]);
    await sink.send(n, sendContext());
    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail!.auth).toEqual({ user: 'mailer', pass: 's3cret-smtp-pass' });
    expect(mail!.from).toBe('alerts@example.com');
    expect(mail!.to.sort()).toEqual(['audit@example.com', 'secops@example.com']);
    expect(mail!.data).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(mail!.data).toMatch(/^Content-Type: text\/plain; charset=utf-8/m);
    expect(mail!.data).toMatch(/^Content-Type: text\/html; charset=utf-8/m);
    expect(mail!.data).toContain(`Message-ID: <${n.idempotencyKey}@trailguard.notify>`);
    expect(mail!.data).toMatch(/^X-Trailguard-Rule: cloudtrail-disabled$/im);
    const decoded = mail!.data.replace(/=\r?\n/g, '');
    expect(decoded).toContain('Open the event in the CloudTrail console');
    expect(decoded).toContain('Who:');
  });

  it.each([
    ['RCPT', '451 4.3.0 Try again later', true],
    ['EOM', '452 4.3.1 Insufficient system storage', true],
    ['RCPT', '550 5.1.1 No such user', false],
    ['EOM', '554 5.7.1 Message rejected as spam', false],
  ])('%s answered "%s" → retryable %s', async (when, answer, retryable) => {
    smtp.failures.set(when, answer);
    const sink = await createSink(smtpConfig(), sinkDeps('mail'));
    const error = await sink.send(notificationOf([makeFinding(1)]), sendContext()).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable, status: Number(answer.slice(0, 3)) });
  });

  it('failed authentication is permanent and the error does not contain the password', async () => {
    smtp.failures.set('AUTH', '535 5.7.8 Authentication credentials invalid');
    const sink = await createSink(smtpConfig({ username: 'mailer', password: '${env:SMTP_PASSWORD}' }), sinkDeps('mail', { env: { SMTP_PASSWORD: 'wr0ng-pass-word' } }));
    const error = (await sink.send(notificationOf([makeFinding(1)]), sendContext()).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ retryable: false });
    expect(error.message).not.toContain('wr0ng-pass-word');
    expect(error.message).not.toContain(Buffer.from('wr0ng-pass-word').toString('base64'));
  });

  it('a server that is not there is retryable', async () => {
    const sink = await createSink(smtpConfig({ port: 1 }), sinkDeps('mail'));
    await expect(sink.send(notificationOf([makeFinding(1)]), sendContext(2000))).rejects.toMatchObject({ retryable: true });
  });
});

describe('stdout and jsonl', () => {
  it('stdout writes the text rendering; json writes one object per line', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const text = await createSink({ type: 'stdout' }, sinkDeps('console', { stdout: out }));
    const json = await createSink({ type: 'stdout', format: 'json' }, sinkDeps('console', { stdout: out }));
    const n = notificationOf([makeFinding(1)]);
    await text.send(n, sendContext());
    await json.send(n, sendContext());
    expect(chunks[0]).toContain('🚨 CRITICAL: CloudTrail logging stopped or trail deleted');
    expect(chunks[0]).toContain('Where:     account 123456789012, us-east-1');
    expect(JSON.parse(chunks[1]!)).toMatchObject({ id: n.idempotencyKey, kind: 'finding', findingIds: [makeFinding(1).id] });
  });

  it('jsonl appends one line per notification and creates the directory', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tg-jsonl-'));
    dirs.push(dir);
    const file = path.join(dir, 'out', 'notifications.jsonl');
    const sink = await createSink({ type: 'jsonl', path: file }, sinkDeps('file'));
    await sink.send(notificationOf([makeFinding(1)], { idempotencyKey: 'tg_a' }), sendContext());
    await sink.send(notificationOf([makeFinding(2)], { idempotencyKey: 'tg_b' }), sendContext());
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(lines.map((l) => l.id)).toEqual(['tg_a', 'tg_b']);
  });
});
