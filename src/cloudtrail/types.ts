/**
 * CloudTrail record shapes, as documented in the CloudTrail record contents reference.
 * Only what trailguard reads is typed; every record keeps all of its other fields untouched.
 */

export interface SessionIssuer {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  userName?: string;
}

export interface SessionContext {
  attributes?: { creationDate?: string; mfaAuthenticated?: string | boolean };
  sessionIssuer?: SessionIssuer;
  webIdFederationData?: { federatedProvider?: string; attributes?: Record<string, unknown> };
  sourceIdentity?: string;
  ec2RoleDelivery?: string;
  assumedRoot?: string;
  [key: string]: unknown;
}

export interface UserIdentity {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  invokedBy?: string;
  identityProvider?: string;
  credentialId?: string;
  sessionContext?: SessionContext;
  onBehalfOf?: { userId?: string; identityStoreArn?: string };
  [key: string]: unknown;
}

export interface CloudTrailResource {
  ARN?: string;
  accountId?: string;
  type?: string;
}

/** One CloudTrail event record (the element of a log file's `Records` array, or an EventBridge event's `detail`). */
export interface CloudTrailRecord {
  eventVersion?: string;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion?: string;
  eventID?: string;
  eventType?: string;
  eventCategory?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  userIdentity?: UserIdentity;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown> | null;
  serviceEventDetails?: Record<string, unknown> | null;
  errorCode?: string;
  errorMessage?: string;
  requestID?: string;
  readOnly?: boolean;
  managementEvent?: boolean;
  resources?: CloudTrailResource[];
  recipientAccountId?: string;
  sharedEventID?: string;
  vpcEndpointId?: string;
  [key: string]: unknown;
}

/** Where a record (or a rejected piece of input) came from: precise enough for a human to find it. */
export interface RecordLocation {
  /** File path, `-` for stdin, or a caller-supplied label. */
  source: string;
  /** Index of the record within its container (`Records[i]`, array element, SNS/SQS record), when there is one. */
  index?: number;
  /** 1-based line number for line-oriented input (JSON Lines). */
  line?: number;
  /** Byte offset into the (decompressed) input, when known. */
  offset?: number;
  /** The chain of envelopes unwrapped to reach the record, outermost first, e.g. ["sqs", "sns", "eventbridge"]. */
  envelope?: string[];
  /** 1-based column (in characters) of an invalid-JSON error, on its line. */
  column?: number;
  /** For damaged gzip input: how many compressed bytes were read before the damage (`offset` is then the decompressed offset). */
  compressedOffset?: number;
}

export interface DecodedRecord {
  record: CloudTrailRecord;
  location: RecordLocation;
}

export type RejectKind =
  | 'invalid-gzip'
  | 'invalid-json'
  | 'unknown-envelope'
  | 'invalid-record'
  | 'digest-file'
  /** A CloudTrail Insights file (`CloudTrail-Insight/` in a trail bucket): Insights events, not API calls; skipped. */
  | 'insights-file'
  | 'control-message'
  | 'empty-input'
  | 'io-error';

/** A piece of input that produced no evaluable record, with the reason. Skips (digest files, CONTROL_MESSAGE) are rejects too, so every input is accounted for. */
export interface Reject {
  kind: RejectKind;
  reason: string;
  location: RecordLocation;
  /** True when the input is recognised and deliberately not evaluated (digest file, CloudWatch Logs control message), not broken. */
  skipped?: boolean;
  /**
   * How many input records (or envelope elements) this reject stands for, when that can be known:
   * 1 for one invalid record or broken JSON line, N for a damaged stretch of a log file that held N records,
   * 0 for damage that lost no record (e.g. a broken closing bracket). Undefined when it cannot be known
   * (the unreadable rest of a truncated gzip file, a CSV file, an S3 notification that points at objects).
   */
  count?: number;
  /** How many bytes of the (decompressed) input this reject covers, when known. */
  bytes?: number;
}

export interface DecodeResult {
  records: DecodedRecord[];
  rejects: Reject[];
  /** What the input was recognised as, e.g. "cloudtrail-log-file", "eventbridge-event", "jsonl". */
  format: string;
  /** "gzip" when the input was gzip-compressed (detected by its magic bytes). */
  compression?: 'gzip';
  /** Size of the (decompressed) input in bytes, when it was bytes or text. */
  bytes?: number;
}

/** The event exactly as EventBridge would deliver a CloudTrail record to a rule target. */
export interface EventBridgeEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: CloudTrailRecord;
}

/** The normalized "who": the same shape whatever the userIdentity type. */
export interface Actor {
  /** userIdentity.type as recorded, or "Unknown". */
  type: string;
  /** Short human name: user name, role/session, service, "root". */
  name: string;
  /** The principal's ARN (for assumed roles, the session ARN), when known. */
  arn?: string;
  /** For assumed roles: the role the session was issued from. */
  sessionIssuerArn?: string;
  /** For assumed roles: the role (or user) name of the session issuer. */
  sessionIssuerName?: string;
  /** For assumed roles: the session name (the part after the role in the ARN). */
  sessionName?: string;
  accountId?: string;
  accessKeyId?: string;
  principalId?: string;
  /** Whether the session or sign-in was MFA-authenticated; undefined when the record does not say. */
  mfa?: boolean;
  /** The AWS service that made the call on the principal's behalf (userIdentity.invokedBy), if any. */
  invokedBy?: string;
  /** For IAM Identity Center / web identity federation: the identity provider or store. */
  identityProvider?: string;
  /** For IAM Identity Center users (userIdentity.onBehalfOf.userId): the Identity Store user id. */
  userId?: string;
  /** The source identity set on the role session (sessionContext.sourceIdentity), if any. */
  sourceIdentity?: string;
}
