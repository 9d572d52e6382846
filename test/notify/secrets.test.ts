/**
 * Secret references, and the guarantee around them: a secret never appears in a log line, an error
 * (thrown or stored), `notify status` output, or the store — even when a misbehaving service echoes
 * the request (URL, headers, body) back in its error answer.
 */
import './support/loopback-only.js';
import { readFileSync, readdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { Reporter } from '../../src/cli/reporter.js';
import { runNotifyStatus, runNotifyTest } from '../../src/cli/notify-run.js';
import { loadConfig } from '../../src/config/load.js';
import { createNotifier } from '../../src/notify/notifier.js';
import { Redactor, secretRedactor } from '../../src/notify/redact.js';
import { SecretError, SecretResolver } from '../../src/notify/secrets.js';
import { openStore } from '../../src/store/index.js';
import { blockedConnections } from './support/loopback-only.js';
import { makeFinding } from './support/findings.js';
import { startServer } from './support/http-server.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  expect(blockedConnections).toEqual([]);
});

describe('secret references', () => {
  it('resolves ${env:...} anywhere in a value and caches each reference', async () => {
    let calls = 0;
    const resolver = new SecretResolver({ env: new Proxy({ TOKEN: 'abc12345' } as NodeJS.ProcessEnv, { get: (t, k) => (calls++, t[k as string]) }) }, new Redactor());
    expect(await resolver.resolve('https://example.com/hook/${env:TOKEN}?x=${env:TOKEN}')).toBe('https://example.com/hook/abc12345?x=abc12345');
    await resolver.resolve('${env:TOKEN}');
    expect(calls).toBe(1);
    expect(await resolver.resolve('no references')).toBe('no references');
  });

  it('a missing variable is a permanent error naming the variable', async () => {
    const error = await new SecretResolver({ env: {} }, new Redactor()).resolve('${env:SLACK_WEBHOOK_URL}').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect(error).toMatchObject({ retryable: false, message: 'secret ${env:SLACK_WEBHOOK_URL}: environment variable SLACK_WEBHOOK_URL is not set' });
  });

  it('registers resolved values and literal secret fields with the redactor, in their encoded forms too', async () => {
    const redactor = new Redactor();
    const resolver = new SecretResolver({ env: { KEY: 'p@ss/wörd"x' } }, redactor);
    await resolver.resolve('${env:KEY}');
    await resolver.resolve('literal-webhook-token', { secret: true });
    await resolver.resolve('not-a-secret');
    expect(redactor.redact('a p@ss/wörd"x b p%40ss%2Fw%C3%B6rd%22x c p@ss/wörd\\"x d literal-webhook-token e not-a-secret')).toBe('a [REDACTED] b [REDACTED] c [REDACTED] d [REDACTED] e not-a-secret');
  });

  it('redacts credential-shaped text it was never told about', () => {
    const r = new Redactor();
    expect(r.redact('POST https://hooks.slack.com/services/T0001/B0001/abcdefXYZ failed')).toBe('POST https://hooks.slack.com/[REDACTED] failed');
    expect(r.redact('Authorization: GenieKey eb243592-faa2-4ba2-a551-1afdf565c889')).toBe('Authorization: GenieKey [REDACTED]');
    expect(r.redact('Bearer abcdefghijklmnop')).toBe('Bearer [REDACTED]');
    expect(r.redact('https://prod-01.westus.logic.azure.com:443/workflows/x/triggers/manual/paths/invoke?api-version=2016&sp=%2F&sv=1.0&sig=AbCdEf123')).toBe('https://prod-01.westus.logic.azure.com/[REDACTED]');
  });
});

describe('secrets never leak', () => {
  it('not in logs, thrown errors, stored errors, notify status (table and JSON), or the store file', async () => {
    const secrets = {
      SLACK_TOKEN: 'xoxSLACKTOKEN0123456789',
      PD_KEY: 'PDROUTINGKEY0123456789abcdefABCD',
      OG_KEY: 'OPSGENIEKEY-0123-4567-89ab-cdef',
      HOOK_SECRET: 'whsec_SIGNINGKEY0123456789abcdef==',
      HOOK_TOKEN: 'HOOKBEARER0123456789',
    };
    Object.assign(process.env, secrets);
    // A hostile service: every answer is an error that echoes the whole request back.
    const server = await startServer((req) => ({ status: 400, body: `bad request to ${req.path} auth=${req.headers.authorization ?? ''} body=${req.body}` }));
    const dir = mkdtempSync(path.join(tmpdir(), 'tg-leak-'));
    dirs.push(dir);
    const configFile = path.join(dir, 'trailguard.config.yaml');
    writeFileSync(
      configFile,
      `store: { path: ./trailguard.db }
notifications:
  delivery: { maxAttempts: 1 }
  channels:
    slack: { type: slack, webhookUrl: "${server.url}/services/T1/B1/\${env:SLACK_TOKEN}" }
    pager: { type: pagerduty, routingKey: "\${env:PD_KEY}", endpoint: "${server.url}/v2/enqueue" }
    genie: { type: opsgenie, apiKey: "\${env:OG_KEY}", endpoint: "${server.url}" }
    hook: { type: webhook, url: "${server.url}/hook", signingSecret: "\${env:HOOK_SECRET}", headers: { Authorization: "Bearer \${env:HOOK_TOKEN}" } }
`,
    );
    const captured: string[] = [];
    const reporter: Reporter = { info: (m) => captured.push(m), warn: (m) => captured.push(m), error: (m) => captured.push(m), color: false, counts: () => ({ warnings: 0, errors: 0 }) };
    const stdout = new PassThrough();
    stdout.on('data', (c: Buffer) => captured.push(c.toString()));
    try {
      const { notifications, store: storeConfig } = loadConfig(configFile).config;
      const store = await openStore(storeConfig);
      const notifier = createNotifier({ config: notifications!, store, log: (_l, m) => captured.push(m) });
      await notifier.enqueue([makeFinding(1)]);
      const report = await notifier.deliver({ deadline: Date.now() + 10_000 });
      expect(report.failed).toBe(4);
      // Thrown by a direct send, as `notify test` would see it.
      for (const channel of ['slack', 'pager', 'genie', 'hook']) {
        const [row] = await store.outbox.list();
        const error = (await notifier.sendNow(channel, { ...(await notifier.dispatcher.loadNotification(row!)), channel }).catch((e: unknown) => e)) as Error;
        captured.push(error.message, String(error.stack));
      }
      await notifier.close();
      const stored = (await store.outbox.list()).map((r) => r.lastError ?? '');
      captured.push(...stored);
      await store.close();
      expect(await runNotifyStatus({ config: configFile }, { stdout, reporter, cwd: dir })).toBe(0);
      expect(await runNotifyStatus({ config: configFile, format: 'json' }, { stdout, reporter, cwd: dir })).toBe(0);
      expect(await runNotifyTest({ config: configFile, channel: 'pager' }, { stdout, reporter, cwd: dir })).toBe(1);

      // The services did receive the secrets (the requests were real)...
      expect(server.requests.some((r) => r.path.includes(secrets.SLACK_TOKEN))).toBe(true);
      expect(server.requests.some((r) => r.body.includes(secrets.PD_KEY))).toBe(true);
      // ...and they echoed them back, yet nothing we print or store contains them.
      expect(stored.every((e) => e.includes('[REDACTED]'))).toBe(true);
      const output = captured.join('\n');
      const files = readdirSync(dir).filter((f) => f.startsWith('trailguard.db')).map((f) => readFileSync(path.join(dir, f)).toString('latin1'));
      for (const value of Object.values(secrets)) {
        for (const form of [value, encodeURIComponent(value), Buffer.from(value).toString('base64')]) {
          expect(output).not.toContain(form);
          for (const file of files) expect(file).not.toContain(form);
        }
      }
      // A secret URL's path is secret as a whole (it holds the token): echoed alone, it is redacted whole.
      expect(output).toContain('HTTP 400: bad request to [REDACTED] auth=');
      expect(output).not.toContain('/services/T1/B1/');
    } finally {
      for (const key of Object.keys(secrets)) delete process.env[key];
      secretRedactor.clear();
      await server.close();
    }
  });
});
