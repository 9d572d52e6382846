/**
 * What every deployed function sets up once per container (cold start) and reuses across invocations: the
 * deployment (rules + config, embedded in the bundle, optionally with notifications/remediation replaced
 * from an SSM parameter), the DynamoDB store, the notifier, and the remediation hand-off queue.
 */
import type { Finding } from '../findings/types.js';
import type { TrailguardConfig } from '../config/schema.js';
import { openNotifications } from '../app/notifications.js';
import type { Notifier, NotifierOptions } from '../notify/notifier.js';
import type { Rule } from '../rules/types.js';
import type { Store } from '../store/types.js';
import { TrailguardError } from '../util/errors.js';
import { remediationQueueSender } from '../app/remediation-queue.js';
import { readDeploymentDocument } from './deployment.js';
import { LAMBDA_ENV } from './environment.js';
import type { Observability } from './observability.js';

/** The deployed functions' configuration is wrong or missing: nothing can be processed until it is fixed. */
export class DeploymentError extends TrailguardError {
  override readonly name = 'DeploymentError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'deployment', ...options });
  }
}

export interface LambdaRuntime {
  name: string;
  rules: Rule[];
  config: Pick<TrailguardConfig, 'notifications' | 'remediation'>;
  store: Store;
  /** Present when the deployment has a notifications section. */
  notifier?: Notifier;
  /** Hands findings to the remediate function's queue (absent when no queue is configured). */
  submitRemediation?(findings: readonly Finding[]): Promise<void>;
}

/** What tests (and other hosts of the handlers) can put in place of the environment's. */
export interface RuntimeOverrides {
  env?: NodeJS.ProcessEnv;
  store?: Store;
  /** AWS client settings (region, endpoint, credentials) for the store, SSM and SQS clients. */
  aws?: { region?: string; endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } };
  notifier?: Partial<Pick<NotifierOptions, 'sinkFactory' | 'now' | 'random' | 'secrets' | 'pollMs' | 'stormClock'>>;
  submitRemediation?(findings: readonly Finding[]): Promise<void>;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new DeploymentError(`${name} is not set: the function was not deployed by trailguard's CDK app (or its environment was changed)`);
  return value;
}

/** The bundled deployment document (esbuild replaces process.env.TRAILGUARD_DEPLOYMENT with it), else the environment's. */
function deploymentText(env: NodeJS.ProcessEnv): string {
  const text = env === process.env ? process.env.TRAILGUARD_DEPLOYMENT : env[LAMBDA_ENV.deployment];
  if (!text) throw new DeploymentError(`${LAMBDA_ENV.deployment} is missing: the function bundle carries no deployment (synthesize it with trailguard synth)`);
  return text;
}

/** notifications/remediation from an SSM parameter (trailguard.config.yaml text), replacing the bundled ones. */
async function configFromParameter(name: string, aws: RuntimeOverrides['aws']): Promise<Pick<TrailguardConfig, 'notifications' | 'remediation'>> {
  // YAML and the config loader only for this: a function without a config parameter never loads them.
  const [{ SSMClient, GetParameterCommand }, { parseConfigText }] = await Promise.all([import('@aws-sdk/client-ssm'), import('../config/load.js')]);
  const client = new SSMClient({ ...(aws ?? {}) });
  try {
    const result = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const config = parseConfigText(result.Parameter?.Value ?? '', `ssm:${name}`, '/');
    return { ...(config.notifications ? { notifications: config.notifications } : {}), ...(config.remediation ? { remediation: config.remediation } : {}) };
  } catch (error) {
    throw new DeploymentError(`cannot read the config parameter ${name}: ${(error as Error).message}`, { cause: error });
  } finally {
    client.destroy();
  }
}

export async function loadRuntime(obs: Observability, overrides: RuntimeOverrides = {}): Promise<LambdaRuntime> {
  const env = overrides.env ?? process.env;
  const deployment = await readDeploymentDocument(deploymentText(env), 'the deployment document', { trusted: env === process.env });
  for (const error of deployment.errors) obs.logger.error('rule not loaded', { error: error.message });
  const parameter = env[LAMBDA_ENV.configParameter];
  const config = parameter ? { ...deployment.config, ...(await configFromParameter(parameter, overrides.aws)) } : deployment.config;
  let store = overrides.store;
  if (!store) {
    const { openDynamoStore } = await import('../store/dynamodb/store.js');
    store = openDynamoStore({
      tableName: required(env, LAMBDA_ENV.tableName),
      ...(overrides.aws?.region ? { region: overrides.aws.region } : {}),
      ...(overrides.aws?.endpoint ? { endpoint: overrides.aws.endpoint } : {}),
      ...(overrides.aws?.credentials ? { credentials: overrides.aws.credentials } : {}),
    });
  }
  const notifier = config.notifications
    ? openNotifications({
        notifications: config.notifications,
        store,
        log: obs.notifyLog,
        ...(overrides.aws ? { aws: overrides.aws } : {}),
        ...overrides.notifier,
      })
    : undefined;
  const queueUrl = env[LAMBDA_ENV.remediationQueueUrl];
  const submitRemediation = overrides.submitRemediation ?? (queueUrl ? remediationQueueSender(queueUrl, overrides.aws) : undefined);
  return {
    name: deployment.name,
    rules: deployment.rules,
    config,
    store,
    ...(notifier ? { notifier } : {}),
    ...(submitRemediation ? { submitRemediation } : {}),
  };
}
