/**
 * trailguard's AWS Lambda entry points (`trailguard/lambda`): the handlers, their factories (to host them
 * elsewhere or test them with injected clients) and the contract the CDK app deploys them with.
 */
export { createDetectHandler, type DetectEvent } from './detect.js';
export { createBackfillHandler, objectsOfNotification, decodeS3Key, isDigestKey, type S3ObjectRef, type ObjectReader } from './backfill.js';
export { createRemediateHandler, parseRequest, withOwnRoles, type RemediateHandlerOptions, type ParsedRequest } from './remediate.js';
export { createDeliverHandler, type DeliverReport } from './deliver.js';
export { loadRuntime, DeploymentError, type LambdaRuntime, type RuntimeOverrides } from './runtime.js';
export type { RemediationRequest, ApprovalRequest } from '../app/remediation-queue.js';
export { buildDeploymentDocument, readDeploymentDocument, deployedDefinitionOf, DEPLOYMENT_DOCUMENT_VERSION, type DeploymentDocument, type LoadedDeployment } from './deployment.js';
export { LAMBDA_ENV, LAMBDA_HANDLERS, type LambdaHandlerName } from './environment.js';
export { METRIC, METRICS_NAMESPACE } from './observability.js';
export type { HandlerOptions } from './handler-kit.js';
