/**
 * Assembling CloudTrail records, and the request/response shapes the APIs use in CloudTrail.
 *
 * Field order follows real CloudTrail output (eventVersion, userIdentity, eventTime, eventSource, eventName,
 * awsRegion, sourceIPAddress, userAgent, errorCode, errorMessage, requestParameters, responseElements,
 * additionalEventData, requestID, eventID, readOnly, resources, eventType, apiVersion, managementEvent,
 * recipientAccountId, sharedEventID, vpcEndpointId, serviceEventDetails, eventCategory, tlsDetails,
 * sessionCredentialFromConsole).
 */
import type { Rng } from './prng.js';
import { isoSeconds, javaDate } from './time.js';
import { type Actor, userAgent } from './principals.js';
import type { CloudTrailRecord } from './types.js';

export interface RecordSpec {
  actor: Actor;
  /** Epoch seconds. */
  t: number;
  src: string;
  name: string;
  region: string;
  /** recipientAccountId. */
  account: string;
  req: unknown;
  resp?: unknown;
  add?: Record<string, unknown>;
  err?: readonly [code: string, message: string];
  readOnly: boolean;
  resources?: unknown[];
  type?: 'AwsApiCall' | 'AwsServiceEvent' | 'AwsConsoleSignIn';
  /** managementEvent (default: true unless cat is Data). */
  mgmt?: boolean;
  cat?: 'Management' | 'Data';
  shared?: boolean;
  vpce?: string;
  serviceEventDetails?: Record<string, unknown>;
  /** undefined → generated UUID, string → as given, null → no requestID (console sign-in, service events). */
  requestID?: string | null;
  apiVersion?: string;
  /** TLS host override; null → no tlsDetails. */
  host?: string | null;
  /** eventVersion override. */
  v?: string;
  /** userAgent override. */
  ua?: string;
}

const GLOBAL_HOST: Record<string, string> = {
  'iam.amazonaws.com': 'iam.amazonaws.com',
  'organizations.amazonaws.com': 'organizations.us-east-1.amazonaws.com',
  'shield.amazonaws.com': 'shield.us-east-1.amazonaws.com',
  'signin.amazonaws.com': 'signin.aws.amazon.com',
};

const hostCache = new Map<string, string>();
export function serviceHost(src: string, region: string): string {
  const key = src + '|' + region;
  let h = hostCache.get(key);
  if (h === undefined) {
    h = GLOBAL_HOST[src];
    if (h === undefined) {
      const svc = src.slice(0, -'.amazonaws.com'.length);
      h = svc === 'sso' ? `portal.sso.${region}.amazonaws.com` : `${svc}.${region}.amazonaws.com`;
    }
    hostCache.set(key, h);
  }
  return h;
}

const tlsCache = new Map<string, object>();
function tlsDetails(host: string, v13: boolean): object {
  const key = (v13 ? '3' : '2') + host;
  let t = tlsCache.get(key);
  if (t === undefined) {
    t = v13
      ? { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: host }
      : { tlsVersion: 'TLSv1.2', cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256', clientProvidedHostHeader: host };
    tlsCache.set(key, t);
  }
  return t;
}

/** eventVersion by service, as current CloudTrail output has them. */
function eventVersionFor(src: string, cat: string): string {
  if (cat === 'Data') return '1.08';
  switch (src) {
    case 'sts.amazonaws.com':
    case 'sso.amazonaws.com':
      return '1.11';
    case 'signin.amazonaws.com':
    case 'organizations.amazonaws.com':
      return '1.10';
    case 'kms.amazonaws.com':
      return '1.08';
    default:
      return '1.09';
  }
}

const NO_TLS_UA = new Set(['AWS Internal', 'console.amazonaws.com', 'console.ec2.amazonaws.com']);

/** Build one record. `rng` supplies eventID/requestID (and the user-agent variant for console actors). */
export function makeRecord(rng: Rng, s: RecordSpec): CloudTrailRecord {
  const actor = s.actor;
  const cat = s.cat ?? 'Management';
  const ua = s.ua ?? userAgent(actor, s.src, s.name, rng);
  const r: Record<string, unknown> = {
    eventVersion: s.v ?? eventVersionFor(s.src, cat),
    userIdentity: actor.ui,
    eventTime: isoSeconds(s.t),
    eventSource: s.src,
    eventName: s.name,
    awsRegion: s.region,
    sourceIPAddress: actor.ip,
    userAgent: ua,
  };
  if (s.err) {
    r.errorCode = s.err[0];
    r.errorMessage = s.err[1];
  }
  r.requestParameters = s.req ?? null;
  r.responseElements = s.resp ?? null;
  if (s.add) r.additionalEventData = s.add;
  if (s.requestID !== null) r.requestID = s.requestID ?? rng.uuid();
  r.eventID = rng.uuid();
  r.readOnly = s.readOnly;
  if (s.resources) r.resources = s.resources;
  r.eventType = s.type ?? 'AwsApiCall';
  if (s.apiVersion) r.apiVersion = s.apiVersion;
  r.managementEvent = s.mgmt ?? cat === 'Management';
  r.recipientAccountId = s.account;
  if (s.shared) r.sharedEventID = rng.uuid();
  if (s.vpce) r.vpcEndpointId = s.vpce;
  if (s.serviceEventDetails) r.serviceEventDetails = s.serviceEventDetails;
  r.eventCategory = cat;
  // Direct HTTPS from a client carries tlsDetails; console-proxied calls and AWS services do not.
  const direct = actor.ip.indexOf('amazonaws.com') < 0 && !NO_TLS_UA.has(ua) && !ua.startsWith('[S3Console');
  if (s.host !== null && direct && s.type !== 'AwsServiceEvent') {
    r.tlsDetails = tlsDetails(s.host ?? serviceHost(s.src, s.region), !ua.startsWith('aws-sdk-go/'));
  }
  if (actor.console) r.sessionCredentialFromConsole = 'true';
  return r as unknown as CloudTrailRecord;
}

// ---------------------------------------------------------------------------------------------
// Shared shapes

export const ec2Filter = (name: string, ...values: string[]): object => ({ name, valueSet: { items: values.map((value) => ({ value })) } });
export const filterSet = (...filters: object[]): object => (filters.length ? { items: filters } : {});
export const tagItems = (tags: Record<string, string>): Array<{ key: string; value: string }> => Object.entries(tags).map(([key, value]) => ({ key, value }));
export const ec2Return = (requestId: string): object => ({ requestId, _return: true });

/** S3 additionalEventData (SigV4 header auth). */
export function s3Add(rng: Rng, bytesIn: number, bytesOut: number, extra?: Record<string, unknown>): Record<string, unknown> {
  const add: Record<string, unknown> = {
    SignatureVersion: 'SigV4',
    CipherSuite: 'TLS_AES_128_GCM_SHA256',
    bytesTransferredIn: bytesIn,
  };
  if (extra) Object.assign(add, extra);
  add.AuthenticationMethod = 'AuthHeader';
  add['x-amz-id-2'] = rng.b64(75) + '=';
  add.bytesTransferredOut = bytesOut;
  return add;
}

export const s3RequestId = (rng: Rng): string => rng.upper(16);
export const s3Host = (bucket: string, region: string): string => `${bucket}.s3.${region}.amazonaws.com`;
export const bucketResource = (account: string, bucket: string): object => ({ accountId: account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` });
export const objectResource = (bucket: string, key: string): object => ({ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` });
export const kmsKeyArn = (account: string, region: string, keyId: string): string => `arn:aws:kms:${region}:${account}:key/${keyId}`;
export const kmsResource = (account: string, region: string, keyId: string): object => ({
  accountId: account,
  type: 'AWS::KMS::Key',
  ARN: kmsKeyArn(account, region, keyId),
});

export interface IpPermission {
  protocol: string;
  from?: number;
  to?: number;
  v4?: string[];
  v6?: string[];
  description?: string;
}

/** AuthorizeSecurityGroupIngress requestParameters.ipPermissions (the EC2 query API's items lists). */
export function ipPermissionsReq(perms: IpPermission[]): object {
  return {
    items: perms.map((p) => {
      const item: Record<string, unknown> = { ipProtocol: p.protocol };
      if (p.from !== undefined) item.fromPort = p.from;
      if (p.to !== undefined) item.toPort = p.to;
      item.groups = {};
      item.ipRanges = p.v4?.length ? { items: p.v4.map((cidrIp) => (p.description ? { cidrIp, description: p.description } : { cidrIp })) } : {};
      item.ipv6Ranges = p.v6?.length ? { items: p.v6.map((cidrIpv6) => (p.description ? { cidrIpv6, description: p.description } : { cidrIpv6 })) } : {};
      item.prefixListIds = {};
      return item;
    }),
  };
}

/** AuthorizeSecurityGroupIngress responseElements: one securityGroupRuleSet item per CIDR. */
export function ingressResponse(rng: Rng, requestId: string, account: string, groupId: string, perms: IpPermission[]): object {
  const items: object[] = [];
  for (const p of perms) {
    const from = p.from ?? -1;
    const to = p.to ?? -1;
    const base = (cidrKey: string, cidr: string): object => {
      const rule: Record<string, unknown> = {
        groupOwnerId: account,
        groupId,
        securityGroupRuleId: `sgr-0${rng.hex(16)}`,
      };
      if (p.description) rule.description = p.description;
      rule.isEgress = false;
      rule.ipProtocol = p.protocol;
      rule.fromPort = from;
      rule.toPort = to;
      rule[cidrKey] = cidr;
      return rule;
    };
    for (const c of p.v4 ?? []) items.push(base('cidrIpv4', c));
    for (const c of p.v6 ?? []) items.push(base('cidrIpv6', c));
  }
  return { requestId, _return: true, securityGroupRuleSet: { items } };
}

/** STS credentials block in AssumeRole* responseElements. */
export function stsCredentials(rng: Rng, t: number, durationSeconds: number): object {
  return {
    accessKeyId: 'ASIA' + rng.upper(9) + 'EXAMPLE',
    sessionToken: 'IQoJb3JpZ2luX2VjE' + rng.b64(180),
    expiration: javaDate(t + durationSeconds),
  };
}
