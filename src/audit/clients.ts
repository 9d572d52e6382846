/**
 * The AWS SDK v3 clients the audit uses, one per service and region, made on demand. Injectable: tests pass a factory
 * pointing at moto, or mock the client classes with aws-sdk-client-mock; the CLI uses the standard credential chain
 * (environment, shared config and SSO, --profile, container and instance roles).
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';

export interface AwsClients {
  cloudTrail(region: string): CloudTrailClient;
  logs(region: string): CloudWatchLogsClient;
  cloudWatch(region: string): CloudWatchClient;
  sns(region: string): SNSClient;
  sts(region: string): STSClient;
  ec2(region: string): EC2Client;
}

/** Client configuration for a region (endpoint, credentials, retries ...). */
export type ClientConfigFor = (region: string) => Record<string, unknown> & { region?: string };

/** Clients built from a per-region configuration, cached by service and region. */
export function createAwsClients(configFor: ClientConfigFor): AwsClients {
  const cache = new Map<string, unknown>();
  const make = <T>(service: string, region: string, ctor: new (config: Record<string, unknown>) => T): T => {
    const key = `${service}:${region}`;
    let client = cache.get(key) as T | undefined;
    if (!client) {
      client = new ctor({ ...configFor(region), region });
      cache.set(key, client);
    }
    return client;
  };
  return {
    cloudTrail: (region) => make('cloudtrail', region, CloudTrailClient),
    logs: (region) => make('logs', region, CloudWatchLogsClient),
    cloudWatch: (region) => make('cloudwatch', region, CloudWatchClient),
    sns: (region) => make('sns', region, SNSClient),
    sts: (region) => make('sts', region, STSClient),
    ec2: (region) => make('ec2', region, EC2Client),
  };
}

export interface DefaultClientOptions {
  /** A profile of the shared config/credentials files (--profile). */
  profile?: string;
  /** Attempts per call, the SDK's own retry strategy (throttling, 5xx). Default 5. */
  maxAttempts?: number;
}

/** The standard credential chain, optionally for one profile. Credentials are never logged. */
export function defaultAwsClients(options: DefaultClientOptions = {}): AwsClients {
  const credentials = fromNodeProviderChain(options.profile ? { profile: options.profile } : {});
  return createAwsClients(() => ({
    credentials,
    maxAttempts: options.maxAttempts ?? 5,
    ...(options.profile ? { profile: options.profile } : {}),
  }));
}

/**
 * The region to start in when --region is not given: what the SDK resolves from AWS_REGION / AWS_DEFAULT_REGION and
 * the profile's config, or undefined.
 */
export async function resolveDefaultRegion(profile?: string): Promise<string | undefined> {
  const envRegion = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (envRegion) return envRegion;
  const client = new STSClient(profile ? { profile } : {});
  try {
    const region = await client.config.region();
    return typeof region === 'string' && region !== '' ? region : undefined;
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}
