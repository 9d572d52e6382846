/**
 * The detector with the real catalog: reachability of every rule through the index, stable findings, the full
 * Finding shape for one fully specified event, isolation of a throwing rule, disabled rules, and a property test
 * against a naive loop over all rules.
 */
import { catalogSize } from '../cli/helpers.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeRecords } from '../../src/cloudtrail/decode.js';
import { toEventBridgeEnvelope } from '../../src/cloudtrail/envelope.js';
import type { CloudTrailRecord, EventBridgeEnvelope } from '../../src/cloudtrail/types.js';
import { createDetector, evaluateRule } from '../../src/detect/detector.js';
import { buildFinding } from '../../src/findings/build.js';
import type { Finding } from '../../src/findings/types.js';
import { compileRuleText, loadRules } from '../../src/rules/load.js';
import type { Rule, RuleCheck } from '../../src/rules/types.js';

const catalog = loadRules();
const rules = catalog.rules;
const detector = createDetector(rules);

/** A rule test record as the pipeline sees it: through the decoder first. */
function decoded(record: unknown): CloudTrailRecord {
  const r = decodeRecords(structuredClone(record) as object, { source: 'test' });
  expect(r.rejects).toEqual([]);
  expect(r.records).toHaveLength(1);
  return r.records[0]!.record;
}

const byId = (findings: readonly Finding[]) => [...findings].sort((a, b) => a.ruleId.localeCompare(b.ruleId));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('detector over the built-in catalog', () => {
  it('loads the catalog without errors or warnings', () => {
    expect(catalog.errors.map((e) => e.message)).toEqual([]);
    expect(catalog.warnings.map((w) => w.message)).toEqual([]);
    expect(rules).toHaveLength(catalogSize());
    expect(detector.rules).toHaveLength(catalogSize());
    const stats = detector.indexStats();
    expect(Object.values(stats.indexed).reduce((a, b) => a + b, 0) + stats.unindexed).toBe(catalogSize());
  });

  it.each(rules.map((r) => [r.id, r] as const))('%s: every must-match record comes out of the index; the same record twice gives identical findings (ids included)', (_id, rule) => {
    for (const testCase of rule.tests.match) {
      const record = decoded(testCase.record);
      const first = detector.evaluate(record);
      expect(first.map((f) => f.ruleId), testCase.name).toContain(rule.id);
      const again = detector.evaluate(record);
      expect(again, testCase.name).toEqual(first);
      // A fresh detector on a fresh copy of the record: the same ids (stable across runs and machines).
      const elsewhere = createDetector(rules).evaluate(decoded(testCase.record));
      expect(elsewhere.map((f) => [f.ruleId, f.id, f.dedupeKey]), testCase.name).toEqual(first.map((f) => [f.ruleId, f.id, f.dedupeKey]));
      for (const f of first) expect(f.id).toMatch(/^[0-9a-f]{32}$/);
    }
    for (const testCase of rule.tests.noMatch) {
      expect(detector.evaluate(decoded(testCase.record)).map((f) => f.ruleId), testCase.name).not.toContain(rule.id);
    }
  });

  it('findings of different rules on the same event, and of the same rule on different events, have different ids', () => {
    const ids = new Set<string>();
    let count = 0;
    for (const rule of rules) {
      for (const testCase of rule.tests.match) {
        for (const f of detector.evaluate(decoded(testCase.record))) {
          count++;
          ids.add(`${f.id}|${f.eventId}|${f.ruleId}`);
        }
      }
    }
    const unique = new Map<string, string>();
    for (const key of ids) {
      const [id, eventId, ruleId] = key.split('|');
      const owner = `${eventId}|${ruleId}`;
      expect(unique.get(id!) ?? owner, `finding id ${id} shared by two (event, rule) pairs`).toBe(owner);
      unique.set(id!, owner);
    }
    expect(count).toBeGreaterThan(rules.length);
  });
});

describe('one fully specified event: StopLogging by an assumed role', () => {
  const eventID = '3f0b2a52-7c1d-4e8a-9b6f-0d4c2e1a5b77';
  const trailArn = 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/org-audit';
  const record = {
    eventVersion: '1.10',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEROLEID42:mallory@example.com',
      arn: 'arn:aws:sts::123456789012:assumed-role/OpsAdmin/mallory@example.com',
      accountId: '123456789012',
      accessKeyId: 'ASIAEXAMPLEKEY424242',
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEROLEID42', arn: 'arn:aws:iam::123456789012:role/ops/OpsAdmin', accountId: '123456789012', userName: 'OpsAdmin' },
        attributes: { creationDate: '2026-11-20T09:58:00Z', mfaAuthenticated: 'false' },
        sourceIdentity: 'mallory',
      },
    },
    eventTime: '2026-11-20T10:01:02Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.77',
    userAgent: 'aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8 command/cloudtrail.stop-logging',
    requestParameters: { name: 'org-audit' },
    responseElements: null,
    requestID: '5c1d0c6e-2a8b-4f55-8a0e-7b4d5e6f7a8b',
    eventID,
    readOnly: false,
    resources: [{ accountId: '123456789012', type: 'AWS::CloudTrail::Trail', ARN: trailArn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '123456789012',
    eventCategory: 'Management',
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'cloudtrail.eu-west-1.amazonaws.com' },
  };

  it('carries every field of the Finding type with the right value', () => {
    const rule = rules.find((r) => r.id === 'cloudtrail-disabled')!;
    const written = parseYaml(readFileSync(rule.file, 'utf8')) as Record<string, unknown>;
    const input = decoded(record);
    const findings = detector.evaluate(input);
    expect(findings.map((f) => f.ruleId).sort()).toEqual(['cloudtrail-config-changes', 'cloudtrail-disabled']);
    const f = findings.find((x) => x.ruleId === 'cloudtrail-disabled')!;
    const expectedId = createHash('sha256').update(`cloudtrail-disabled\u0000123456789012\u0000${eventID}`).digest('hex').slice(0, 32);
    expect(f).toEqual({
      id: expectedId,
      ruleId: 'cloudtrail-disabled',
      title: 'CloudTrail logging stopped or trail deleted',
      severity: 'critical',
      eventId: eventID,
      eventTime: '2026-11-20T10:01:02Z',
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      account: '123456789012',
      region: 'eu-west-1',
      actor: {
        type: 'AssumedRole',
        name: 'OpsAdmin/mallory@example.com',
        arn: 'arn:aws:sts::123456789012:assumed-role/OpsAdmin/mallory@example.com',
        accountId: '123456789012',
        accessKeyId: 'ASIAEXAMPLEKEY424242',
        principalId: 'AROAEXAMPLEROLEID42:mallory@example.com',
        mfa: false,
        sessionName: 'mallory@example.com',
        sessionIssuerName: 'OpsAdmin',
        sessionIssuerArn: 'arn:aws:iam::123456789012:role/ops/OpsAdmin',
        sourceIdentity: 'mallory',
      },
      sourceIp: '203.0.113.77',
      userAgent: record.userAgent,
      resources: [trailArn, 'org-audit'],
      summary: 'OpsAdmin/mallory@example.com ran StopLogging on org-audit in 123456789012/eu-west-1',
      compliance: written.compliance,
      attack: ['T1562.008'],
      tags: written.tags,
      remediation: written.remediation,
      dedupeKey: `cloudtrail-disabled:123456789012:org-audit:${eventID}`,
      facts: {},
      consoleUrl: `https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/${eventID}`,
      record: input,
    });
    // The raw record is kept whole (every field, not only the typed ones), and nothing is invented.
    expect(f.record).toEqual(record);
    expect(f.errorCode).toBeUndefined();
    expect(f.errorMessage).toBeUndefined();
    // JSON round trip (what --format jsonl writes) keeps all of it.
    expect(JSON.parse(JSON.stringify(f))).toEqual(JSON.parse(JSON.stringify({ ...f })));
  });

  it('the errorCode and errorMessage of a failed call are carried (on the rule that reports failures)', () => {
    const denied = { ...record, eventID: '4f0b2a52-7c1d-4e8a-9b6f-0d4c2e1a5b78', errorCode: 'AccessDenied', errorMessage: 'User: ... is not authorized to perform: cloudtrail:StopLogging' };
    const findings = detector.evaluate(decoded(denied));
    expect(findings.map((f) => f.ruleId)).toEqual(['unauthorized-api-calls']);
    expect(findings[0]).toMatchObject({ errorCode: 'AccessDenied', errorMessage: denied.errorMessage, severity: 'low' });
  });
});

describe('a rule whose check throws', () => {
  const boom: RuleCheck = {
    name: 'boom',
    description: 'always throws',
    run: () => {
      throw new Error('boom on purpose');
    },
  };
  const compiled = compileRuleText(
    [
      'id: throws-on-stop-logging',
      'title: Throws',
      'severity: high',
      'description: A rule whose check throws.',
      'match:',
      '  detail:',
      '    eventName: [StopLogging]',
      'tests:',
      '  match:',
      "    - {name: stop, record: {eventTime: '2026-11-20T10:01:02Z', eventSource: cloudtrail.amazonaws.com, eventName: StopLogging}}",
      '  noMatch:',
      "    - {name: start, record: {eventTime: '2026-11-20T10:01:02Z', eventSource: cloudtrail.amazonaws.com, eventName: StartLogging}}",
      '',
    ].join('\n'),
    '<inline>',
    'user',
    false,
  );
  const throwing: Rule = { ...compiled.rule!, compiledChecks: [boom] };
  const stop = decoded(rules.find((r) => r.id === 'cloudtrail-disabled')!.tests.match[0]!.record);

  it('does not stop the other rules, and is reported through onRuleError', () => {
    expect(compiled.error).toBeUndefined();
    const errors: { rule: string; eventId: unknown; message: string }[] = [];
    const d = createDetector([throwing, ...rules], { onRuleError: (rule, event, error) => errors.push({ rule: rule.id, eventId: event.detail.eventID, message: (error as Error).message }) });
    expect(d.evaluate(stop).map((f) => f.ruleId).sort()).toEqual(['cloudtrail-config-changes', 'cloudtrail-disabled']);
    expect(errors).toEqual([{ rule: 'throws-on-stop-logging', eventId: stop.eventID, message: 'boom on purpose' }]);
    // Placed last instead of first: same result.
    const e2: string[] = [];
    const d2 = createDetector([...rules, throwing], { onRuleError: (rule) => e2.push(rule.id) });
    expect(d2.evaluate(stop).map((f) => f.ruleId).sort()).toEqual(['cloudtrail-config-changes', 'cloudtrail-disabled']);
    expect(e2).toEqual(['throws-on-stop-logging']);
  });

  it('without onRuleError, a one-line warning goes to stderr', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const d = createDetector([throwing, ...rules]);
    expect(d.evaluate(stop).map((f) => f.ruleId).sort()).toEqual(['cloudtrail-config-changes', 'cloudtrail-disabled']);
    expect(write.mock.calls.map((c) => String(c[0]))).toEqual([`trailguard: rule throws-on-stop-logging failed on event ${stop.eventID}: boom on purpose\n`]);
  });
});

describe('errors below the rule: the pattern engine and the finding builder', () => {
  const compile = (lines: string[]): Rule => {
    const { rule, error } = compileRuleText(
      [
        ...lines,
        'tests:',
        '  match:',
        "    - {name: stop, record: {eventTime: '2026-11-20T10:01:02Z', eventSource: cloudtrail.amazonaws.com, eventName: StopLogging, requestParameters: {name: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/t'}}}",
        '  noMatch:',
        "    - {name: start, record: {eventTime: '2026-11-20T10:01:02Z', eventSource: cloudtrail.amazonaws.com, eventName: StartLogging}}",
        '',
      ].join('\n'),
      '<inline>',
      'user',
      false,
    );
    expect(error).toBeUndefined();
    return rule!;
  };
  /** A StopLogging record whose requestParameters.name cannot be read: what an engine bug looks like from outside. */
  const hostile = (): CloudTrailRecord => {
    const record = decoded(rules.find((r) => r.id === 'cloudtrail-disabled')!.tests.match[0]!.record);
    record.requestParameters = Object.defineProperty({}, 'name', {
      enumerable: true,
      get: () => {
        throw new Error('engine failure on purpose');
      },
    });
    return record;
  };

  it('an error thrown while matching the pattern reaches onRuleError (not "no match") and is counted', () => {
    const rule = compile([
      'id: trail-name-is-arn',
      'title: Trail named by ARN',
      'severity: low',
      'description: Reads requestParameters.name in its pattern.',
      'match:',
      '  detail:',
      '    eventName: [StopLogging]',
      '    requestParameters:',
      '      name: [{prefix: "arn:"}]',
    ]);
    const errors: string[] = [];
    const d = createDetector([rule], { onRuleError: (r, _event, error) => errors.push(`${r.id}: ${(error as Error).message}`) });
    expect(d.evaluate(hostile())).toEqual([]);
    expect(errors).toEqual(['trail-name-is-arn: engine failure on purpose']);
    expect(d.evaluate(hostile())).toEqual([]);
    expect(d.ruleErrors()).toEqual({ total: 2, byRule: { 'trail-name-is-arn': 2 } });
  });

  it('an error thrown while building the finding (a template reading the record) reaches onRuleError; the other rules still report', () => {
    const rule = compile([
      'id: names-the-trail',
      'title: Names the trail',
      'severity: low',
      'description: Reads requestParameters.name in its summary only.',
      'match:',
      '  detail:',
      '    eventName: [StopLogging]',
      'summary: "stopped {{detail.requestParameters.name}}"',
    ]);
    const plain = compile(['id: stop-logging-plain', 'title: StopLogging', 'severity: low', 'description: Default summary.', 'match:', '  detail:', '    eventName: [StopLogging]']);
    const errors: string[] = [];
    const d = createDetector([rule, plain], { onRuleError: (r, _event, error) => errors.push(`${r.id}: ${(error as Error).message}`) });
    expect(d.evaluate(hostile()).map((f) => f.ruleId)).toEqual(['stop-logging-plain']);
    expect(errors).toEqual(['names-the-trail: engine failure on purpose']);
    expect(d.ruleErrors()).toEqual({ total: 1, byRule: { 'names-the-trail': 1 } });
  });
});

describe('disabled rules (enabled: false)', () => {
  it('never fire, whichever rule is disabled', () => {
    for (const rule of rules) {
      const d = createDetector(rules.map((r) => (r === rule ? { ...r, enabled: false } : r)));
      expect(d.rules.map((r) => r.id)).not.toContain(rule.id);
      for (const testCase of rule.tests.match) {
        expect(d.evaluate(decoded(testCase.record)).map((f) => f.ruleId), `${rule.id}: ${testCase.name}`).not.toContain(rule.id);
      }
    }
  });

  it('a rule file with enabled: false loads, but its own must-match event raises nothing', () => {
    const stopRecord = rules.find((r) => r.id === 'cloudtrail-disabled')!.tests.match[0]!.record;
    const { rule, error } = compileRuleText(
      [
        'id: house-stop-logging',
        'title: House rule, switched off',
        'severity: critical',
        'description: Disabled.',
        'enabled: false',
        'match:',
        '  detail:',
        '    eventName: [StopLogging]',
        'tests:',
        '  match:',
        `    - {name: stop, record: ${JSON.stringify(stopRecord)}}`,
        '  noMatch:',
        "    - {name: start, record: {eventTime: '2026-11-20T10:01:02Z', eventSource: cloudtrail.amazonaws.com, eventName: StartLogging}}",
        '',
      ].join('\n'),
      '<inline>',
      'user',
      false,
    );
    expect(error).toBeUndefined();
    expect(rule!.enabled).toBe(false);
    const d = createDetector([rule!]);
    expect(d.rules).toEqual([]);
    expect(d.evaluate(decoded(stopRecord))).toEqual([]);
    expect(d.indexStats().unindexed).toBe(0);
  });
});

describe('property: the indexed detector finds exactly what a naive loop over every rule finds', () => {
  const tests = rules.flatMap((r) => [...r.tests.match, ...r.tests.noMatch]).map((t) => decoded(t.record));
  const uniq = <T>(xs: T[]) => [...new Map(xs.map((x) => [JSON.stringify(x), x])).values()];
  const patternValues = (path: string[]) => rules.flatMap((r) => r.pattern.valuesAt(path)?.exact ?? []);
  const eventNames = uniq([
    ...tests.map((t) => t.eventName),
    ...patternValues(['detail', 'eventName']),
    'stoplogging',
    'STOPLOGGING',
    'StopLoggingX',
    'Stop',
    'HeadBucket',
    'ConsoleLogin',
    'DescribeInstances',
    'AddPermission20150331v2',
    '',
  ]);
  const eventSources = uniq([...tests.map((t) => t.eventSource), ...patternValues(['detail', 'eventSource']), 'CloudTrail.amazonaws.com', 'example.amazonaws.com', 'monitoring.amazonaws.com', 'cloudtrail']);
  const identities = uniq<unknown>([
    ...tests.map((t) => t.userIdentity),
    { type: 'Root', principalId: '123456789012', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' },
    { type: 'Root', principalId: '123456789012', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012', invokedBy: 'cloudformation.amazonaws.com' },
    { type: 'AWSService', invokedBy: 'delivery.logs.amazonaws.com' },
    { accountId: '123456789012', invokedBy: 'secretsmanager.amazonaws.com' },
    { type: 'IAMUser', userName: 'HIDDEN_DUE_TO_SECURITY_REASONS', accountId: '123456789012' },
    null,
    'not an object',
    undefined,
  ]);
  const errorCodes = [undefined, 'AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation', 'accessdenied', 'TrailNotFoundException', 'Client.DryRunOperation', 'ThrottlingException', ''];
  const keep = Symbol('keep');

  const arbitraryRecord = fc
    .record({
      base: fc.integer({ min: 0, max: tests.length - 1 }),
      // Each field is kept as in the test record most of the time, so that mutated records still reach the rules.
      eventName: fc.oneof({ arbitrary: fc.constant<string | typeof keep>(keep), weight: 4 }, fc.constantFrom(...eventNames), fc.string({ maxLength: 12 })),
      eventSource: fc.oneof({ arbitrary: fc.constant<string | typeof keep>(keep), weight: 5 }, fc.constantFrom(...eventSources)),
      errorCode: fc.oneof({ arbitrary: fc.constant<string | undefined | typeof keep>(keep), weight: 3 }, fc.constantFrom(...errorCodes)),
      userIdentity: fc.oneof({ arbitrary: fc.constant<unknown>(keep), weight: 3 }, fc.constantFrom(...identities)),
      eventType: fc.oneof({ arbitrary: fc.constant<string | undefined | typeof keep>(keep), weight: 4 }, fc.constantFrom<string | undefined>('AwsApiCall', 'AwsServiceEvent', 'AwsConsoleSignIn', 'AwsConsoleAction', undefined)),
      sourceIPAddress: fc.oneof({ arbitrary: fc.constant<string | typeof keep>(keep), weight: 4 }, fc.constantFrom('delivery.logs.amazonaws.com', 'AWS Internal', '203.0.113.9')),
    })
    .map((m) => {
      const record = structuredClone(tests[m.base]!) as Record<string, unknown>;
      const set = (key: string, value: unknown) => {
        if (value === keep) return;
        if (value === undefined) delete record[key];
        else record[key] = value;
      };
      set('eventName', m.eventName);
      set('eventSource', m.eventSource);
      set('errorCode', m.errorCode);
      set('userIdentity', m.userIdentity);
      set('eventType', m.eventType);
      set('sourceIPAddress', m.sourceIPAddress);
      return record as CloudTrailRecord;
    });

  function naive(record: CloudTrailRecord): Finding[] {
    const event: EventBridgeEnvelope = toEventBridgeEnvelope(record);
    const out: Finding[] = [];
    for (const rule of rules) {
      if (rule.enabled === false) continue;
      let hit;
      try {
        hit = evaluateRule(rule, event);
      } catch {
        continue;
      }
      if (hit) out.push(buildFinding(hit, event));
    }
    return out;
  }

  it('for records built from the catalog test records with mutated eventName, eventSource, errorCode, userIdentity, eventType, sourceIPAddress', () => {
    const errors: string[] = [];
    const d = createDetector(rules, { onRuleError: (rule, _event, error) => errors.push(`${rule.id}: ${(error as Error).message}`) });
    let matched = 0;
    const hitRules = new Set<string>();
    fc.assert(
      fc.property(arbitraryRecord, (record) => {
        const got = d.evaluate(record);
        if (got.length > 0) matched++;
        for (const f of got) hitRules.add(f.ruleId);
        expect(byId(got)).toEqual(byId(naive(record)));
      }),
      { numRuns: 600, seed: 20261123 },
    );
    // The generator reaches matching records of most rules, so the comparison means something.
    expect(matched).toBeGreaterThan(150);
    expect(hitRules.size).toBeGreaterThan(25);
    expect(errors).toEqual([]);
  });
});
