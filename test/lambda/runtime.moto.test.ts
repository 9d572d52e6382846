/**
 * A deployed function's config from an SSM parameter (deploy.configParameter): its notifications and remediation
 * sections replace the bundled ones at cold start, read with the real SDK from moto_server's SSM; a parameter
 * that is missing or invalid stops the function with the parameter and the key named.
 */
import '../notify/support/loopback-only.js';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { LAMBDA_ENV } from '../../src/lambda/environment.js';
import { DeploymentError, loadRuntime } from '../../src/lambda/runtime.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createStoreTable, openDynamoStore } from '../../src/store/dynamodb/store.js';
import { oneAtATime, startMoto } from '../support/moto.js';
import { capturingObservability, deploymentEnv } from './support.js';

const moto = await startMoto();
afterAll(() => moto?.stop());
const run = moto ? describe : describe.skip;
let client: DynamoDBClient;
beforeEach(async () => {
  if (!moto) return;
  await moto.reset();
  client = oneAtATime(new DynamoDBClient(moto.clientConfig('us-east-1')));
  await createStoreTable(client, 'trailguard-runtime');
});

const bundled = { notifications: { channels: { old: { type: 'stdout' as const } } }, remediation: { mode: 'dry-run' as const } };

async function putParameter(name: string, value: string): Promise<void> {
  await new SSMClient(moto!.clientConfig('us-east-1')).send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString' }));
}

/** The runtime a function with this config parameter loads (the store: the deployment's table, on moto). */
async function runtimeWith(parameter: string) {
  return loadRuntime(capturingObservability('detect').obs, {
    env: deploymentEnv(bundled, { [LAMBDA_ENV.configParameter]: parameter }),
    store: openDynamoStore({ tableName: 'trailguard-runtime', client }),
    aws: moto!.clientConfig('us-east-1'),
  });
}

run('the config parameter', () => {
  it('replaces the bundled notifications and remediation (the rules stay the deployed ones)', async () => {
    await putParameter(
      '/trailguard/config',
      ['notifications:', '  channels:', '    secops: { type: webhook, url: "https://hooks.example.com/trailguard" }', 'remediation:', '  mode: enforce', ''].join('\n'),
    );
    const runtime = await runtimeWith('/trailguard/config');
    expect(Object.keys(runtime.config.notifications!.channels)).toEqual(['secops']);
    expect(runtime.config.remediation).toEqual({ mode: 'enforce' });
    expect(runtime.rules.length).toBeGreaterThan(40);
    expect(runtime.notifier!.channels).toEqual(['secops']);
    await runtime.store.close();
  });

  it('a parameter that is not a valid config, or not there, stops the function naming it', async () => {
    await putParameter('/trailguard/broken', 'notifications:\n  channels:\n    x: { type: pager }\n');
    const broken = await runtimeWith('/trailguard/broken').catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(DeploymentError);
    expect((broken as Error).message).toMatch(/^cannot read the config parameter \/trailguard\/broken: ssm:\/trailguard\/broken:3:\d+: notifications\.channels\.x\.type/);
    await expect(runtimeWith('/trailguard/missing')).rejects.toThrow(/cannot read the config parameter \/trailguard\/missing: .*ParameterNotFound|not found/i);
  });
});
