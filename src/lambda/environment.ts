/**
 * What a deployed function is told through its environment. The CDK app (infra/) sets these and the
 * handlers (src/lambda/) read them; nothing else is configured by environment.
 */
export const LAMBDA_ENV = {
  /** The DynamoDB store table (src/store/dynamodb/table.ts). */
  tableName: 'TRAILGUARD_TABLE_NAME',
  /** Where detect and backfill send findings that have a remediation action configured (the remediate function's queue). */
  remediationQueueUrl: 'TRAILGUARD_REMEDIATION_QUEUE_URL',
  /**
   * The deployment document (src/lambda/deployment.ts) as JSON: the selected rules and the config. The CDK
   * app does not set it as a runtime variable: esbuild replaces `process.env.TRAILGUARD_DEPLOYMENT` with the
   * document at bundling time (`define`), so it is part of the code. Tests set the variable instead.
   */
  deployment: 'TRAILGUARD_DEPLOYMENT',
  /**
   * Optional: an SSM parameter (String or SecureString) holding trailguard.config.yaml text; its
   * notifications and remediation sections replace the bundled ones at cold start, so channels and modes can
   * change without a redeploy (the rules cannot: they are the deployed EventBridge rules).
   */
  configParameter: 'TRAILGUARD_CONFIG_PARAMETER',
  /**
   * Role names whose changes are trailguard's own (comma-separated): the remediate function's execution role
   * (and, in an organization, the member accounts' remediation role). Added to remediation's loop guard, so
   * the deployed runner never acts on an event its own fix caused.
   */
  ownRoles: 'TRAILGUARD_OWN_ROLES',
  /** The deployment's name (stack prefix), in logs and metrics. */
  deploymentName: 'TRAILGUARD_DEPLOYMENT_NAME',
} as const;

/** The handler modules and their exported function, as the CDK app bundles them (entry: src/lambda/<name>.ts, export `handler`). */
export const LAMBDA_HANDLERS = ['detect', 'backfill', 'remediate', 'deliver'] as const;
export type LambdaHandlerName = (typeof LAMBDA_HANDLERS)[number];
