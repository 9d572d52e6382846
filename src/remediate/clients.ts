/**
 * The AWS SDK v3 clients remediation uses: one per service and region, made on demand, injectable
 * (tests point them at moto or mock the client classes with aws-sdk-client-mock), optionally in
 * another account through sts:AssumeRole.
 *
 * Every planned call goes through `send(call)`, which maps `service` + `operation` onto the real
 * SDK command class, so what the plan shows is exactly what is sent.
 */
import { CloudTrailClient, ListTagsCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { ConfigServiceClient, StartConfigurationRecorderCommand } from '@aws-sdk/client-config-service';
import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { CreateDetectorCommand, GetDetectorCommand, GuardDutyClient, ListDetectorsCommand, UpdateDetectorCommand } from '@aws-sdk/client-guardduty';
import { IAMClient, ListRoleTagsCommand, ListUserTagsCommand, PutRolePolicyCommand, PutUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { CancelKeyDeletionCommand, DescribeKeyCommand, EnableKeyCommand, KMSClient, ListResourceTagsCommand } from '@aws-sdk/client-kms';
import { GetBucketTaggingCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { EnableSecurityHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsService, PlannedCall } from './types.js';

/** The package the account-level S3 Block Public Access call needs; not a dependency yet (see restore-s3-public-access-block). */
import { partitionOfRegion } from '../util/aws-partition.js';

export const S3_CONTROL_PACKAGE = '@aws-sdk/client-s3-control';

/** The user agent suffix of every remediation call, so trailguard's own calls are recognisable in CloudTrail. */
export const REMEDIATION_USER_AGENT = 'trailguard-remediation';

type AnyClient = { send(command: unknown): Promise<unknown>; destroy?(): void };
type CommandClass = new (input: never) => unknown;

/** Every operation remediation may send, per service: the plan's `operation` must be one of these. */
const COMMANDS: Record<Exclude<AwsService, 's3control'>, Record<string, CommandClass>> = {
  ec2: {
    RevokeSecurityGroupIngress: RevokeSecurityGroupIngressCommand,
    RevokeSecurityGroupEgress: RevokeSecurityGroupEgressCommand,
    DescribeSecurityGroups: DescribeSecurityGroupsCommand,
    DescribeSecurityGroupRules: DescribeSecurityGroupRulesCommand,
  },
  cloudtrail: { StartLogging: StartLoggingCommand, ListTags: ListTagsCommand },
  config: { StartConfigurationRecorder: StartConfigurationRecorderCommand },
  securityhub: { EnableSecurityHub: EnableSecurityHubCommand },
  guardduty: { UpdateDetector: UpdateDetectorCommand, CreateDetector: CreateDetectorCommand, ListDetectors: ListDetectorsCommand, GetDetector: GetDetectorCommand },
  kms: { EnableKey: EnableKeyCommand, CancelKeyDeletion: CancelKeyDeletionCommand, DescribeKey: DescribeKeyCommand, ListResourceTags: ListResourceTagsCommand },
  s3: { PutPublicAccessBlock: PutPublicAccessBlockCommand, GetBucketTagging: GetBucketTaggingCommand },
  iam: {
    UpdateAccessKey: UpdateAccessKeyCommand,
    PutUserPolicy: PutUserPolicyCommand,
    PutRolePolicy: PutRolePolicyCommand,
    ListUserTags: ListUserTagsCommand,
    ListRoleTags: ListRoleTagsCommand,
  },
};

const CLIENTS: Record<Exclude<AwsService, 's3control'>, new (config: Record<string, unknown>) => AnyClient> = {
  ec2: EC2Client,
  cloudtrail: CloudTrailClient,
  config: ConfigServiceClient,
  securityhub: SecurityHubClient,
  guardduty: GuardDutyClient,
  kms: KMSClient,
  s3: S3Client,
  iam: IAMClient,
};

/** Whether `service` has `operation` in the table (a plan naming anything else is refused before any call). */
export function isKnownOperation(service: AwsService, operation: string): boolean {
  if (service === 's3control') return operation === 'PutPublicAccessBlock';
  return Object.prototype.hasOwnProperty.call(COMMANDS[service], operation);
}

export interface RemediationClients {
  /** Sends one call (its service, region and operation) and returns the SDK response; throws the SDK error. */
  send(call: Pick<PlannedCall, 'service' | 'operation' | 'input' | 'region'>): Promise<unknown>;
  /** The same clients working in another account (assumed role when configured; the same clients otherwise). */
  forAccount(account: string): RemediationClients;
}

/** Client configuration for a region (endpoint, credentials, retries ...). */
export type ClientConfigFor = (region: string, account?: string) => Record<string, unknown>;

export interface AssumeRoleOptions {
  /** Role name in every target account, e.g. "trailguard-remediation". */
  roleName: string;
  externalId?: string;
  sessionName?: string;
  /** Accounts the base credentials already act in: no role is assumed there. */
  localAccounts?: string[];
}

export interface RemediationClientOptions {
  configFor: ClientConfigFor;
  assumeRole?: AssumeRoleOptions;
  /** Loads a module by name (tests inject it); default dynamic import. */
  importModule?: (name: string) => Promise<Record<string, unknown>>;
}

export { partitionOfRegion as partitionOf } from '../util/aws-partition.js';

/** The region IAM calls are sent to in a partition. */
function iamRegion(region: string): string {
  const partition = partitionOfRegion(region);
  return partition === 'aws-cn' ? 'cn-north-1' : partition === 'aws-us-gov' ? 'us-gov-west-1' : 'us-east-1';
}

/** Clients built from a per-region configuration, cached by account, service and region. */
export function createRemediationClients(options: RemediationClientOptions): RemediationClients {
  const cache = new Map<string, AnyClient>();
  const importModule = options.importModule ?? ((name: string) => import(name) as Promise<Record<string, unknown>>);

  const make = (account: string | undefined) => {
    const assume = options.assumeRole && account && !(options.assumeRole.localAccounts ?? []).includes(account) ? options.assumeRole : undefined;
    const configFor = (region: string): Record<string, unknown> => {
      const base: Record<string, unknown> = { ...options.configFor(region, account), region, customUserAgent: REMEDIATION_USER_AGENT };
      if (!assume || !account) return base;
      return {
        ...base,
        credentials: fromTemporaryCredentials({
          params: {
            RoleArn: `arn:${partitionOfRegion(region)}:iam::${account}:role/${assume.roleName}`,
            RoleSessionName: assume.sessionName ?? REMEDIATION_USER_AGENT,
            ...(assume.externalId ? { ExternalId: assume.externalId } : {}),
          },
          ...(base.credentials ? { masterCredentials: base.credentials as never } : {}),
          clientConfig: { region },
        }),
      };
    };
    const client = async (service: AwsService, region: string): Promise<AnyClient> => {
      const key = `${account ?? ''}:${service}:${region}`;
      let c = cache.get(key);
      if (c) return c;
      if (service === 's3control') {
        let mod: Record<string, unknown>;
        try {
          mod = await importModule(S3_CONTROL_PACKAGE);
        } catch {
          throw Object.assign(new Error(`${S3_CONTROL_PACKAGE} is not installed: the account-level S3 Block Public Access call needs it`), { name: 'MissingSdkClient' });
        }
        const ctor = mod.S3ControlClient as new (config: Record<string, unknown>) => AnyClient;
        c = new ctor(configFor(region));
      } else {
        c = new CLIENTS[service](configFor(region));
      }
      cache.set(key, c);
      return c;
    };
    const clients: RemediationClients = {
      async send(call) {
        const region = call.service === 'iam' ? iamRegion(call.region) : call.region;
        if (!isKnownOperation(call.service, call.operation)) {
          throw Object.assign(new Error(`${call.service}:${call.operation} is not an operation remediation may call`), { name: 'UnsupportedOperation' });
        }
        const c = await client(call.service, region);
        let Command: CommandClass;
        if (call.service === 's3control') {
          const mod = await importModule(S3_CONTROL_PACKAGE);
          Command = mod.PutPublicAccessBlockCommand as CommandClass;
        } else {
          Command = COMMANDS[call.service][call.operation] as CommandClass;
        }
        return c.send(new Command(call.input as never));
      },
      forAccount: (other) => (other === account ? clients : make(other)),
    };
    return clients;
  };
  return make(undefined);
}

export interface DefaultRemediationClientOptions {
  profile?: string;
  /** Attempts per call (the SDK's retry strategy for throttling and 5xx). Default 5. */
  maxAttempts?: number;
  assumeRole?: AssumeRoleOptions;
}

/** The standard credential chain (optionally one profile). Credentials are never logged. */
export function defaultRemediationClients(options: DefaultRemediationClientOptions = {}): RemediationClients {
  const credentials = fromNodeProviderChain(options.profile ? { profile: options.profile } : {});
  return createRemediationClients({
    configFor: () => ({ credentials, maxAttempts: options.maxAttempts ?? 5 }),
    ...(options.assumeRole ? { assumeRole: options.assumeRole } : {}),
  });
}
