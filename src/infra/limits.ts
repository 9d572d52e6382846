/**
 * The AWS limits the deployment must stay within, each with the page that states it. moto enforces none of them,
 * so they are checked here: at synth (plan.ts refuses what cannot deploy, template-limits.ts measures the
 * synthesized templates) and again in the template tests.
 */

/**
 * EventBridge: "Event pattern size: 2,048 characters (adjustable)"; "Rules: 300 per event bus (adjustable)";
 * "Targets: 5 per rule". https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
 * PutRule's EventPattern member is at most 4,096 characters whatever the quota:
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
 */
export const EVENT_PATTERN_MAX_CHARS = 2048;
export const EVENT_PATTERN_API_MAX_CHARS = 4096;
export const RULES_PER_BUS = 300;
export const TARGETS_PER_RULE = 5;

/**
 * PutRule Name: 1-64 characters, pattern [\.\-_A-Za-z0-9]+.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
 */
export const RULE_NAME_MAX = 64;
export const RULE_NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;

/**
 * Amazon SQS policy quotas: 8,192 bytes, 20 statements, 7 actions per statement, 10 conditions, 50 principals.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html
 * CDK's SqsQueue event target adds one statement per rule to the queue policy (and another per rule to a shared
 * dead-letter queue): with a few dozen rules the stack no longer deploys (aws-cdk issues 16303 and 7732). The
 * constructs here write one statement per sending service instead, with an aws:SourceArn ArnLike prefix.
 */
export const SQS_POLICY_MAX_BYTES = 8192;
export const SQS_POLICY_MAX_STATEMENTS = 20;
export const SQS_POLICY_MAX_ACTIONS_PER_STATEMENT = 7;
export const SQS_POLICY_MAX_CONDITIONS = 10;

/**
 * Lambda with SQS: "set the source queue's visibility timeout to at least six times the timeout that you configure
 * on your function". https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 * SQS visibility timeout: 0 to 43,200 seconds (12 hours).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
export const VISIBILITY_TIMEOUT_MAX_SECONDS = 43_200;

/**
 * CloudFormation quotas: template body in a request 51,200 bytes; template in an S3 object 1 MB; 500 resources per
 * template; 200 parameters; 200 outputs. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 * The CDK CLI uploads a template over 50 KiB to the bootstrap bucket first, so such a stack needs `cdk bootstrap`
 * (it needs it anyway for the Lambda code assets).
 */
export const CFN_TEMPLATE_BODY_MAX_BYTES = 51_200;
export const CFN_TEMPLATE_S3_MAX_BYTES = 1_000_000;
export const CFN_MAX_RESOURCES = 500;
export const CFN_MAX_PARAMETERS = 200;
export const CFN_MAX_OUTPUTS = 200;

/**
 * EventBridge event bus policy: at most 10,240 characters.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
 */
export const EVENT_BUS_POLICY_MAX_CHARS = 10_240;

/** IAM role names: 1-64 characters [\w+=,.@-]. https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html */
export const IAM_ROLE_NAME_MAX = 64;

/**
 * IAM: an inline role policy of at most 10,240 characters (whitespace not counted).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export const IAM_ROLE_POLICY_MAX_CHARS = 10_240;
