import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  DIGEST_FILE_RE,
  LOG_FILE_RE,
  REGIONS,
  RULES,
  type CloudTrailRecord,
  type DigestFile,
  createGenerator,
  generateFiles,
  generateLogs,
  gzipDeterministic,
  serializeFile,
  serializeRecords,
} from '../../scripts/samples/generator/index.js';
import { epoch, generate } from './helpers.js';

const SMALL = { records: 1000, days: 1, seed: 'unit' };

function bytesOf(opts: Parameters<typeof generateFiles>[0]): string {
  const h = createHash('sha256');
  for (const f of generateFiles(opts)) {
    h.update(f.path);
    h.update(gzipDeterministic(serializeFile(f)));
  }
  return h.digest('hex');
}

describe('determinism', () => {
  it('same options give byte-identical files (paths, JSON and gzip)', () => {
    expect(bytesOf(SMALL)).toBe(bytesOf(SMALL));
  });

  it('a different seed gives different output', () => {
    expect(bytesOf(SMALL)).not.toBe(bytesOf({ ...SMALL, seed: 'other' }));
  });

  it('gzip members carry mtime 0 and the Unix OS byte, like CloudTrail files', () => {
    const gz = gzipDeterministic('{"Records":[]}');
    expect([...gz.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]);
    expect(gz.readUInt32LE(4)).toBe(0);
    expect(gz[9]).toBe(3);
  });

  it('scenario records do not depend on the record count', () => {
    const a = createGenerator({ ...SMALL, records: 500 }).scenarios;
    const b = createGenerator({ ...SMALL, records: 5000 }).scenarios;
    expect(a).toEqual(b);
  });

  it('generateLogs yields the same files as generateFiles', async () => {
    const paths: string[] = [];
    for await (const f of generateLogs(SMALL)) paths.push(f.path);
    expect(paths).toEqual(generate(SMALL).files.map((f) => f.path));
  });
});

describe('layout', () => {
  const g = generate(SMALL);

  it('log files follow the S3 delivery layout and name pattern', () => {
    const logs = g.files.filter((f) => f.kind === 'log');
    expect(logs.length).toBeGreaterThan(50);
    for (const f of logs) {
      const m = LOG_FILE_RE.exec(f.path);
      expect(m, f.path).not.toBeNull();
      const [, account, region, y, mo, d, stamp] = m!;
      expect(account).toBe(f.account);
      expect(region).toBe(f.region);
      expect(REGIONS).toContain(region);
      expect(DEFAULTS.accounts).toContain(account);
      const when = new Date(f.stamp * 1000);
      expect(`${y}-${mo}-${d}`).toBe(when.toISOString().slice(0, 10));
      expect(stamp).toBe(when.toISOString().slice(0, 16).replace(/[-:]/g, '') + 'Z');
      expect(f.stamp % 300).toBe(0);
      for (const r of f.records) {
        expect(r.recipientAccountId).toBe(account);
        expect(r.awsRegion).toBe(region);
      }
    }
    expect(new Set(logs.map((f) => f.path)).size).toBe(logs.length);
  });

  it('has realistic file sizes: many 1-3 record files and some large ones', () => {
    const sizes = g.files.filter((f) => f.kind === 'log').map((f) => f.records.length);
    expect(sizes.filter((n) => n <= 3).length).toBeGreaterThan(sizes.length / 4);
    expect(Math.max(...sizes)).toBeGreaterThan(40);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
  });

  it('files are serialized as compact {"Records":[...]}, exactly as JSON.stringify would', () => {
    for (const f of g.files) {
      if (f.kind !== 'log') continue;
      const raw = serializeFile(f);
      expect(raw.startsWith('{"Records":[{"eventVersion":"')).toBe(true);
      expect(raw === JSON.stringify({ Records: f.records }), f.path).toBe(true);
    }
  });

  it('includes one CloudTrail digest file in the documented format, hashing the delivered log files', () => {
    const digests = g.files.filter((f) => f.kind === 'digest');
    expect(digests).toHaveLength(1);
    const d = digests[0]!;
    expect(d.path).toMatch(DIGEST_FILE_RE);
    const body = (d as { digest: DigestFile }).digest;
    expect(Object.keys(body)).toEqual([
      'awsAccountId',
      'digestStartTime',
      'digestEndTime',
      'digestS3Bucket',
      'digestS3Object',
      'digestPublicKeyFingerprint',
      'digestSignatureAlgorithm',
      'newestEventTime',
      'oldestEventTime',
      'previousDigestS3Bucket',
      'previousDigestS3Object',
      'previousDigestHashValue',
      'previousDigestHashAlgorithm',
      'previousDigestSignature',
      'logFiles',
    ]);
    expect(body.digestS3Object).toBe(d.path);
    expect(body.digestSignatureAlgorithm).toBe('SHA256withRSA');
    expect(body.logFiles.length).toBeGreaterThan(0);
    const byPath = new Map(g.files.map((f) => [f.path, f]));
    for (const lf of body.logFiles) {
      const f = byPath.get(lf.s3Object);
      expect(f, lf.s3Object).toBeDefined();
      expect(lf.hashValue).toBe(createHash('sha256').update(serializeRecords(f!.records)).digest('hex'));
      expect(lf.oldestEventTime).toBe(f!.records[0]!.eventTime);
      expect(lf.newestEventTime).toBe(f!.records.at(-1)!.eventTime);
    }
  });
});

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DOC_IP = /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$/;

describe('records', () => {
  const g = generate(SMALL);

  it('have the mandatory fields with the right types', () => {
    const problems: string[] = [];
    const check = (ok: boolean, r: CloudTrailRecord, what: string): void => {
      if (!ok) problems.push(`${r.eventSource} ${r.eventName} ${r.eventID}: ${what}`);
    };
    for (const r of g.records) {
      check(/^1\.(08|09|10|11)$/.test(String(r.eventVersion)), r, `eventVersion ${r.eventVersion}`);
      check(typeof r.userIdentity === 'object' && r.userIdentity !== null, r, 'userIdentity');
      check(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(r.eventTime), r, `eventTime ${r.eventTime}`);
      check(/^[a-z0-9-]+\.amazonaws\.com$/.test(r.eventSource), r, 'eventSource');
      check(/^[A-Za-z0-9]+$/.test(r.eventName), r, 'eventName');
      check((REGIONS as readonly string[]).includes(String(r.awsRegion)), r, `awsRegion ${r.awsRegion}`);
      check(typeof r.sourceIPAddress === 'string', r, 'sourceIPAddress');
      check(typeof r.userAgent === 'string' && r.userAgent.length > 0, r, 'userAgent');
      check(UUID4.test(String(r.eventID)), r, 'eventID');
      check(typeof r.readOnly === 'boolean', r, 'readOnly');
      check(['AwsApiCall', 'AwsServiceEvent', 'AwsConsoleSignIn'].includes(String(r.eventType)), r, `eventType ${r.eventType}`);
      check(typeof r.managementEvent === 'boolean' && r.managementEvent === (r.eventCategory === 'Management'), r, 'managementEvent/eventCategory');
      check(['Management', 'Data'].includes(String(r.eventCategory)), r, 'eventCategory');
      check((DEFAULTS.accounts as readonly string[]).includes(String(r.recipientAccountId)), r, 'recipientAccountId');
      check('requestParameters' in r && 'responseElements' in r, r, 'requestParameters/responseElements');
      if (r.eventType === 'AwsApiCall') check(typeof r.requestID === 'string', r, 'requestID');
      if (r.errorCode !== undefined) check(typeof r.errorMessage === 'string', r, 'errorMessage');
      const ip = String(r.sourceIPAddress);
      check(DOC_IP.test(ip) || ip.endsWith('.amazonaws.com') || ip === 'AWS Internal', r, `sourceIPAddress ${ip}`);
      if (r.tlsDetails) check(JSON.stringify(Object.keys(r.tlsDetails as object)) === '["tlsVersion","cipherSuite","clientProvidedHostHeader"]', r, 'tlsDetails');
    }
    expect(problems).toEqual([]);
  });

  it('use only the configured account ids in ARNs and account fields', () => {
    const allowed = new Set<string>(DEFAULTS.accounts);
    const text = JSON.stringify(g.records);
    for (const m of text.matchAll(/arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/g)) expect(allowed, m[0]).toContain(m[1]);
    for (const m of text.matchAll(/"(?:accountId|recipientAccountId|ownerId|awsAccountId|groupOwnerId|peerOwnerId)":"(\d+)"/g)) expect(allowed, m[0]).toContain(m[1]);
    // Access key ids follow the documentation convention (…EXAMPLE), so secret scanners stay quiet.
    for (const m of text.matchAll(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g)) expect(m[0]).toMatch(/EXAMPLE$/);
  });

  it('have unique eventIDs', () => {
    expect(new Set(g.records.map((r) => r.eventID)).size).toBe(g.records.length);
  });

  it('have times inside the window, sorted within each file, delivered at the end of their 5-minute window', () => {
    const problems: string[] = [];
    for (const f of g.files) {
      if (f.kind !== 'log') continue;
      let prev = '';
      for (const r of f.records) {
        const t = epoch(r.eventTime);
        if (t < g.start || t >= g.end) problems.push(`${f.path}: ${r.eventTime} outside the window`);
        if (t >= f.stamp || t < f.stamp - 300) problems.push(`${f.path}: ${r.eventTime} not in the delivery window`);
        if (r.eventTime < prev) problems.push(`${f.path}: ${r.eventTime} after ${prev}`);
        prev = r.eventTime;
      }
    }
    expect(problems).toEqual([]);
  });

  it('cover the principal and event kinds real traffic has (default data set)', () => {
    const g = generate();
    const types = new Set(g.records.map((r) => (r.userIdentity?.type as string | undefined) ?? (r.userIdentity?.invokedBy ? 'service-no-type' : 'none')));
    for (const t of ['IAMUser', 'AssumedRole', 'AWSService', 'IdentityCenterUser', 'Root', 'SAMLUser', 'WebIdentityUser']) expect(types).toContain(t);
    const names = new Set(g.records.map((r) => `${r.eventSource}:${r.eventName}`));
    for (const n of [
      'ec2.amazonaws.com:RunInstances',
      'ec2.amazonaws.com:CreateTags',
      'monitoring.amazonaws.com:PutMetricData',
      'lambda.amazonaws.com:UpdateFunctionCode20150331v2',
      'lambda.amazonaws.com:Invoke',
      's3.amazonaws.com:GetObject',
      's3.amazonaws.com:PutObject',
      'kms.amazonaws.com:Decrypt',
      'kms.amazonaws.com:GenerateDataKey',
      'sts.amazonaws.com:AssumeRole',
      'signin.amazonaws.com:ConsoleLogin',
    ]) {
      expect(names, n).toContain(n);
    }
    expect(g.records.some((r) => r.eventType === 'AwsServiceEvent')).toBe(true);
    expect(g.records.some((r) => r.userIdentity?.type === 'AssumedRole' && String(r.userIdentity.arn).includes('AWSReservedSSO_'))).toBe(true);
    expect(g.records.some((r) => r.sessionCredentialFromConsole === 'true')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------

const ids = new Set<string>(Object.values(RULES));

/**
 * What a straightforward reading of each rule flags: CIS metric-filter event lists (successful calls only, as the
 * catalog's EventBridge patterns require `errorCode` to be absent), the CIS v1.4+ exclusions for
 * unauthorized-api-calls, console sign-in without MFA for IAM users and root.
 */
function naiveTriggers(r: CloudTrailRecord): string[] {
  const hits: string[] = [];
  const n = r.eventName;
  const src = r.eventSource;
  const ui = r.userIdentity ?? {};
  const ok = r.errorCode === undefined;
  const on = (cond: boolean, id: string): void => {
    if (cond) hits.push(id);
  };
  on(ok && src === 'ec2.amazonaws.com' && /SecurityGroup/.test(n) && !n.startsWith('Describe'), RULES.sgChanges);
  on(ok && src === 'ec2.amazonaws.com' && /^(Create|Delete|Attach|Detach)(Customer|Internet|Vpn|Nat)Gateway$/.test(n), RULES.gateways);
  on(ok && src === 'ec2.amazonaws.com' && /NetworkAcl/.test(n) && !n.startsWith('Describe'), RULES.nacl);
  on(ok && src === 'ec2.amazonaws.com' && /^(CreateRoute|CreateRouteTable|ReplaceRoute|ReplaceRouteTableAssociation|DeleteRouteTable|DeleteRoute|DisassociateRouteTable|AssociateRouteTable)$/.test(n), RULES.routes);
  on(ok && src === 'ec2.amazonaws.com' && /^(CreateVpc|DeleteVpc|ModifyVpcAttribute|\w+VpcPeeringConnection)$/.test(n), RULES.vpc);
  on(ok && src === 'iam.amazonaws.com' && /^(Put|Delete)(Group|Role|User)Policy$|^(Create|Delete)Policy(Version)?$|^(Attach|Detach)(Role|User|Group)Policy$|^SetDefaultPolicyVersion$|^UpdateAssumeRolePolicy$/.test(n), RULES.iamPolicy);
  on(ok && src === 'cloudtrail.amazonaws.com' && /^(CreateTrail|UpdateTrail|DeleteTrail|StartLogging|StopLogging|PutEventSelectors)$/.test(n), RULES.trailChanges);
  on(ok && src === 'cloudtrail.amazonaws.com' && /^(StopLogging|DeleteTrail)$/.test(n), RULES.trailDisabled);
  on(ok && src === 'config.amazonaws.com' && /^(Stop|Delete|Put)(ConfigurationRecorder|DeliveryChannel)$/.test(n), RULES.configChanges);
  on(ok && src === 's3.amazonaws.com' && /^(Put|Delete)Bucket(Acl|Policy|Cors|Lifecycle|Replication)$/.test(n), RULES.s3Policy);
  on(ok && src === 's3.amazonaws.com' && /^Delete(Bucket|Account)PublicAccessBlock$/.test(n), RULES.s3PublicAccessBlock);
  on(ok && src === 'kms.amazonaws.com' && /^(DisableKey|ScheduleKeyDeletion)$/.test(n), RULES.kms);
  on(ok && src === 'organizations.amazonaws.com' && !/^(Describe|List)/.test(n), RULES.org);
  on(ok && src === 'guardduty.amazonaws.com' && (n === 'DeleteDetector' || (n === 'UpdateDetector' && (r.requestParameters as { enable?: boolean })?.enable === false)), RULES.guardduty);
  on(
    ok &&
      (/^(DisableSecurityHub|DisableMacie|DeleteAnalyzer|DeleteFlowLogs|DeleteLogGroup|DisableEbsEncryptionByDefault|DeleteWebACL|DeleteProtection|DeleteSubscription)$/.test(n) ||
        (src === 'inspector2.amazonaws.com' && n === 'Disable') ||
        (src === 'fms.amazonaws.com' && n === 'DeletePolicy')),
    'security-service-off',
  );
  on(ui.type === 'Root' && !ui.invokedBy && r.eventType !== 'AwsServiceEvent', RULES.rootUsage);
  on(n === 'ConsoleLogin' && (r.responseElements as { ConsoleLogin?: string } | null)?.ConsoleLogin === 'Failure', RULES.authFailures);
  on(
    n === 'ConsoleLogin' &&
      (ui.type === 'IAMUser' || ui.type === 'Root') &&
      (r.responseElements as { ConsoleLogin?: string } | null)?.ConsoleLogin === 'Success' &&
      (r.additionalEventData as { MFAUsed?: string } | null)?.MFAUsed !== 'Yes',
    RULES.noMfa,
  );
  on(
    /UnauthorizedOperation$|^AccessDenied/.test(r.errorCode ?? '') && ui.invokedBy !== 'delivery.logs.amazonaws.com' && n !== 'HeadBucket',
    RULES.unauthorized,
  );
  return hits;
}

describe('scenarios (SCENARIOS.json)', () => {
  const g = generate(SMALL);
  const byId = new Map<string, CloudTrailRecord[]>();
  for (const r of g.records) byId.set(r.eventID!, [...(byId.get(r.eventID!) ?? []), r]);

  it('every scenario record is present exactly once, with matching fields', () => {
    expect(g.scenarios.length).toBeGreaterThan(50);
    for (const s of g.scenarios) {
      const found = byId.get(s.eventID) ?? [];
      expect(found, `${s.scenario}: ${s.eventName}`).toHaveLength(1);
      const r = found[0]!;
      expect(r.eventName).toBe(s.eventName);
      expect(r.eventSource).toBe(s.eventSource);
      expect(r.recipientAccountId).toBe(s.account);
      expect(r.awsRegion).toBe(s.region);
      expect(r.eventTime).toBe(s.eventTime);
      for (const id of [...s.expectedRules, ...(s.notExpectedRules ?? [])]) expect(ids, id).toContain(id);
    }
  });

  it('exercise every built-in detection and every seed event', () => {
    const covered = new Set(g.scenarios.flatMap((s) => s.expectedRules));
    for (const id of ids) expect(covered, id).toContain(id);
    const events = new Set(g.scenarios.map((s) => s.eventName));
    for (const n of [
      'AuthorizeSecurityGroupIngress',
      'ModifySecurityGroupRules',
      'CreateInternetGateway',
      'AttachInternetGateway',
      'DetachInternetGateway',
      'DeleteInternetGateway',
      'CreateCustomerGateway',
      'DeleteCustomerGateway',
      'ConsoleLogin',
      'DeleteDetector',
      'UpdateDetector',
      'DisableSecurityHub',
      'Disable',
      'StopConfigurationRecorder',
      'DeleteDeliveryChannel',
      'StopLogging',
      'DeleteTrail',
      'UpdateTrail',
      'StartLogging',
      'DisableMacie',
      'DeleteAnalyzer',
      'DeleteProtection',
      'DeleteSubscription',
      'DeletePolicy',
      'DeleteWebACL',
      'PutUserPolicy',
      'AttachRolePolicy',
      'CreatePolicyVersion',
      'DisableKey',
      'ScheduleKeyDeletion',
      'PutBucketPolicy',
      'DeleteBucketPublicAccessBlock',
      'CreateNetworkAclEntry',
      'ReplaceNetworkAclEntry',
      'CreateRoute',
      'ReplaceRouteTableAssociation',
      'CreateVpc',
      'DeleteVpc',
      'CreateVpcPeeringConnection',
      'LeaveOrganization',
      'DeleteOrganizationalUnit',
      'DeleteFlowLogs',
      'DeleteLogGroup',
      'DisableEbsEncryptionByDefault',
      'AssumeRoleWithSAML',
    ]) {
      expect(events, n).toContain(n);
    }
    expect(g.scenarios.some((s) => s.scenario.startsWith('benign:') && s.expectedRules.length === 0)).toBe(true);
  });

  it("expected rules agree with a naive reading of the records (what each scenario claims is what it contains)", () => {
    const recordOf = (id: string): CloudTrailRecord => byId.get(id)![0]!;
    for (const s of g.scenarios) {
      const naive = naiveTriggers(recordOf(s.eventID));
      for (const id of s.expectedRules) {
        if (id === RULES.sgOpen || id === RULES.rootLogin || id === RULES.cgwDeleted || id === RULES.configDisabled) continue; // refinements of a naive hit
        if ([RULES.securityhub, RULES.inspector, RULES.macie, RULES.accessAnalyzer, RULES.flowLogs, RULES.logGroup, RULES.ebs, RULES.shield, RULES.fms, RULES.waf].includes(id as never)) {
          expect(naive, `${s.scenario}: ${s.eventName}`).toContain('security-service-off');
          continue;
        }
        expect(naive, `${s.scenario}: ${s.eventName} → ${id}`).toContain(id);
      }
      for (const id of s.notExpectedRules ?? []) expect(naive, `${s.scenario}: ${s.eventName} must not → ${id}`).not.toContain(id);
    }
  });

  it('background records trigger nothing (only scenario records are meant to alert)', () => {
    const scenarioIds = new Set(g.scenarios.map((s) => s.eventID));
    const noisy = g.records.filter((r) => !scenarioIds.has(r.eventID!)).map((r) => [r.eventName, naiveTriggers(r)] as const).filter(([, hits]) => hits.length);
    expect(noisy).toEqual([]);
  });

  it('background includes the benign noise naive rules false-positive on', () => {
    const scenarioIds = new Set(g.scenarios.map((s) => s.eventID));
    const bg = g.records.filter((r) => !scenarioIds.has(r.eventID!));
    expect(bg.some((r) => r.userIdentity?.invokedBy === 'delivery.logs.amazonaws.com' && r.errorCode === 'AccessDenied')).toBe(true);
  });
});

describe('scaling', () => {
  it('--records N yields N records', () => {
    let n = 0;
    let files = 0;
    for (const f of generateFiles({ records: 50_000 })) {
      n += f.records.length;
      files++;
    }
    expect(n).toBe(50_000);
    expect(files).toBeGreaterThan(1000);
  });

  it('rejects impossible options with clear messages', () => {
    expect(() => createGenerator({ days: 0.001 })).toThrow(/days/);
    expect(() => createGenerator({ accounts: ['12345'] })).toThrow(/12 digits/);
    expect(() => createGenerator({ start: 'yesterday-ish' })).toThrow(/start/);
    expect(() => createGenerator({ records: -1 })).toThrow(/records/);
  });

  it('fewer records than scenarios still writes every scenario', () => {
    const g = generate({ records: 10, days: 1, seed: 'tiny' });
    expect(g.records.length).toBe(g.scenarios.length);
  });
});
