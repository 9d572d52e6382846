/**
 * How a deployed function is bundled (esbuild, locally, no Docker): one minified ESM file for Node 22 with
 * the AWS SDK inside (pinned by this package's lockfile, not the runtime's copy), the deployment document
 * compiled in, and nothing the deployment cannot use. The CDK app bundles with this plan and
 * `npm run bench` measures what it produces, so the figures are those of what is deployed.
 *
 * What is left out: the notification channels' clients the config has no channel for (SES, SNS, SMTP's
 * nodemailer) and the secret stores it references none of (SSM, Secrets Manager). Those modules are only ever
 * loaded with a dynamic import() when such a channel or reference is first used, so leaving them out costs
 * nothing — and a config that needs one always gets it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TrailguardConfig } from '../config/schema.js';
import type { LambdaHandlerName } from './environment.js';
import type { DeploymentDocument } from './deployment.js';

/** The Node.js major the functions run on (runtime nodejs22.x). */
export const LAMBDA_NODE_TARGET = 'node22';

export interface LambdaBundlePlan {
  /** The handler module: src/lambda/<name>.ts from a checkout, dist/lambda/<name>.js from the installed package. */
  entry: string;
  /** Modules left out of the bundle (each is imported dynamically, and only when the config needs it). */
  external: string[];
  /** esbuild `define`: the deployment document as a string literal in place of process.env.TRAILGUARD_DEPLOYMENT. */
  define: Record<string, string>;
  /** CommonJS dependencies inside an ESM bundle need `require`. */
  banner: string;
  /**
   * Packages taken from their CommonJS build rather than their ES module build: the AWS SDK's HTTP handler and
   * instance-metadata client import `node:http` and `node:https`, and on Node 22 importing those as ES modules
   * builds their namespace (loading undici for its lazy exports) — measured at 30–45 ms of every cold start,
   * against ~4 ms for `require` (bench part d). Their CommonJS builds require them.
   */
  alias: Record<string, string>;
  target: typeof LAMBDA_NODE_TARGET;
  format: 'esm';
  minify: true;
  mainFields: string[];
}

/** The handler's source when running from a checkout (tests, `npm run bench`), else the compiled module of the installed package. */
export function handlerEntry(name: LambdaHandlerName): string {
  const source = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  if (existsSync(source)) return source;
  return fileURLToPath(new URL(`./${name}.js`, import.meta.url));
}

const CHANNEL_MODULES: Array<{ modules: string[]; needed: (types: Set<string>) => boolean }> = [
  { modules: ['nodemailer'], needed: (types) => types.has('smtp') || types.has('ses') },
  { modules: ['@aws-sdk/client-sesv2'], needed: (types) => types.has('ses') },
  { modules: ['@aws-sdk/client-sns'], needed: (types) => types.has('sns') },
];

/** The modules a deployment's functions never load: channels it does not have, secret stores it does not reference. */
export function unusedModules(config: Pick<TrailguardConfig, 'notifications'>, options: { configParameter?: boolean } = {}): string[] {
  const channels = Object.values(config.notifications?.channels ?? {}).filter((c) => c.enabled !== false);
  const types = new Set(channels.map((c) => c.type));
  const text = JSON.stringify(config.notifications ?? {});
  const external = CHANNEL_MODULES.filter((m) => !m.needed(types)).flatMap((m) => m.modules);
  if (!text.includes('${ssm:') && !options.configParameter) external.push('@aws-sdk/client-ssm');
  if (!text.includes('${secretsmanager:')) external.push('@aws-sdk/client-secrets-manager');
  return external;
}

export function lambdaBundlePlan(name: LambdaHandlerName, document: DeploymentDocument, options: { configParameter?: boolean } = {}): LambdaBundlePlan {
  return {
    entry: handlerEntry(name),
    external: unusedModules(document.config, options),
    define: { 'process.env.TRAILGUARD_DEPLOYMENT': JSON.stringify(JSON.stringify(document)) },
    banner: "import { createRequire as __trailguardRequire } from 'node:module'; const require = __trailguardRequire(import.meta.url);",
    alias: { '@smithy/node-http-handler': '@smithy/node-http-handler/dist-cjs/index.js', '@smithy/credential-provider-imds': '@smithy/credential-provider-imds/dist-cjs/index.js' },
    target: LAMBDA_NODE_TARGET,
    format: 'esm',
    minify: true,
    mainFields: ['module', 'main'],
  };
}
