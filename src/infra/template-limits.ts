/**
 * Measures synthesized CloudFormation templates against the AWS limits moto does not enforce (limits.ts): template
 * size and resource count, SQS queue policies (statements, actions per statement, bytes), EventBridge rule names and
 * pattern sizes, event bus policy size, inline IAM policy size. `trailguard synth` refuses a template that breaks
 * one; the template tests assert the same. Free of aws-cdk-lib: it reads template JSON.
 *
 * Sizes of values CloudFormation computes at deploy time (Ref, Fn::GetAtt, Fn::Sub, ...) are estimated with their
 * longest plausible expansion, so a policy passes here only if it passes in the largest account and region.
 */
import {
  CFN_MAX_OUTPUTS,
  CFN_MAX_PARAMETERS,
  CFN_MAX_RESOURCES,
  CFN_TEMPLATE_BODY_MAX_BYTES,
  CFN_TEMPLATE_S3_MAX_BYTES,
  EVENT_BUS_POLICY_MAX_CHARS,
  EVENT_PATTERN_MAX_CHARS,
  IAM_ROLE_POLICY_MAX_CHARS,
  RULE_NAME_MAX,
  RULE_NAME_PATTERN,
  SQS_POLICY_MAX_ACTIONS_PER_STATEMENT,
  SQS_POLICY_MAX_BYTES,
  SQS_POLICY_MAX_CONDITIONS,
  SQS_POLICY_MAX_STATEMENTS,
} from './limits.js';

export interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; Condition?: string; DependsOn?: unknown }>;
  Parameters?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface LimitProblem {
  stack: string;
  /** Logical id, or "(template)". */
  resource: string;
  limit: string;
  value: number;
  max: number;
  message: string;
}

export interface TemplateMeasure {
  stack: string;
  bytes: number;
  resources: number;
  /** Over 51,200 bytes: CloudFormation takes it only from S3 (the CDK CLI uploads it to the bootstrap bucket). */
  needsS3Upload: boolean;
  queuePolicies: Array<{ logicalId: string; statements: number; maxActions: number; bytes: number }>;
}

/** The longest plausible expansion of a value CloudFormation computes: an ARN of the longest region, account and an 80-character name. */
const INTRINSIC_ESTIMATE = 'x'.repeat(128);
const PSEUDO_ESTIMATE: Record<string, string> = {
  'AWS::Partition': 'aws-iso-b',
  'AWS::Region': 'ap-southeast-7',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com.cn',
};

/** The value with every intrinsic replaced by its estimate (Fn::Join joined, pseudo parameters by their longest values). */
export function estimateResolved(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(estimateResolved);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) {
    const key = keys[0]!;
    if (key === 'Ref') return PSEUDO_ESTIMATE[obj.Ref as string] ?? INTRINSIC_ESTIMATE;
    if (key === 'Fn::Join') {
      const [delimiter, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(estimateResolved(p))).join(delimiter);
    }
    return INTRINSIC_ESTIMATE;
  }
  return Object.fromEntries(keys.map((k) => [k, estimateResolved(obj[k])]));
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

export interface CheckOptions {
  /** The event pattern quota in force (default EventBridge's 2,048 characters). */
  eventPatternMaxChars?: number;
}

/** Logical ids a value refers to (Ref, Fn::GetAtt, ${X} in Fn::Sub), pseudo parameters and parameters left out. */
function references(value: unknown, resources: Set<string>, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) references(v, resources, out);
  else if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (typeof obj.Ref === 'string' && resources.has(obj.Ref)) out.add(obj.Ref);
    const getAtt = obj['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && resources.has(getAtt[0])) out.add(getAtt[0]);
    const sub = obj['Fn::Sub'];
    const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
    if (text) for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[^}]*)?\}/g)) if (resources.has(m[1]!)) out.add(m[1]!);
    for (const v of Object.values(obj)) references(v, resources, out);
  }
  return out;
}

/** Circular dependencies between resources (CloudFormation refuses the template): each cycle as a list of logical ids. */
export function findDependencyCycles(template: CfnTemplate): string[][] {
  const resources = template.Resources ?? {};
  const ids = new Set(Object.keys(resources));
  const edges = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    const deps = references(resource.Properties ?? {}, ids, new Set());
    for (const d of asArray(resource.DependsOn as string | string[] | undefined)) if (ids.has(d)) deps.add(d);
    edges.set(id, deps);
  }
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string) => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of ids) if (!state.has(id)) visit(id);
  return cycles;
}

/** Measures one template; problems are limits it breaks. */
export function checkTemplate(stack: string, template: CfnTemplate, options: CheckOptions = {}): { measure: TemplateMeasure; problems: LimitProblem[] } {
  const problems: LimitProblem[] = [];
  const add = (resource: string, limit: string, value: number, max: number, message: string) => {
    if (value > max) problems.push({ stack, resource, limit, value, max, message });
  };
  const size = bytes(template);
  const resources = Object.entries(template.Resources ?? {});
  add('(template)', 'template size (S3)', size, CFN_TEMPLATE_S3_MAX_BYTES, `the template is ${size} bytes; CloudFormation takes at most ${CFN_TEMPLATE_S3_MAX_BYTES} (from S3): select fewer rules`);
  add('(template)', 'resources', resources.length, CFN_MAX_RESOURCES, `the template declares ${resources.length} resources; CloudFormation allows ${CFN_MAX_RESOURCES}: select fewer rules`);
  add('(template)', 'parameters', Object.keys(template.Parameters ?? {}).length, CFN_MAX_PARAMETERS, 'too many parameters');
  add('(template)', 'outputs', Object.keys(template.Outputs ?? {}).length, CFN_MAX_OUTPUTS, 'too many outputs');

  for (const cycle of findDependencyCycles(template)) {
    problems.push({ stack, resource: cycle[0]!, limit: 'circular dependency', value: cycle.length - 1, max: 0, message: `circular dependency ${cycle.join(' → ')}` });
  }

  const queuePolicies: TemplateMeasure['queuePolicies'] = [];
  const ruleNames = new Map<string, string>();
  for (const [logicalId, resource] of resources) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::SQS::QueuePolicy') {
      const document = estimateResolved(props.PolicyDocument) as { Statement?: Array<{ Action?: string | string[]; Condition?: Record<string, Record<string, unknown>> }> };
      const statements = asArray(document.Statement);
      const maxActions = Math.max(0, ...statements.map((s) => asArray(s.Action).length));
      const policyBytes = bytes(document);
      const conditions = Math.max(0, ...statements.map((s) => Object.values(s.Condition ?? {}).reduce((n, c) => n + Object.keys(c).length, 0)));
      queuePolicies.push({ logicalId, statements: statements.length, maxActions, bytes: policyBytes });
      add(logicalId, 'SQS policy statements', statements.length, SQS_POLICY_MAX_STATEMENTS, `queue policy has ${statements.length} statements; SQS allows ${SQS_POLICY_MAX_STATEMENTS}`);
      add(logicalId, 'SQS policy actions per statement', maxActions, SQS_POLICY_MAX_ACTIONS_PER_STATEMENT, `a queue policy statement lists ${maxActions} actions; SQS allows ${SQS_POLICY_MAX_ACTIONS_PER_STATEMENT}`);
      add(logicalId, 'SQS policy conditions', conditions, SQS_POLICY_MAX_CONDITIONS, `a queue policy statement has ${conditions} conditions; SQS allows ${SQS_POLICY_MAX_CONDITIONS}`);
      add(logicalId, 'SQS policy bytes', policyBytes, SQS_POLICY_MAX_BYTES, `queue policy is about ${policyBytes} bytes; SQS allows ${SQS_POLICY_MAX_BYTES}`);
    }
    if (resource.Type === 'AWS::Events::Rule') {
      const name = props.Name;
      if (typeof name === 'string') {
        add(logicalId, 'rule name length', name.length, RULE_NAME_MAX, `rule name ${name} is ${name.length} characters; EventBridge allows ${RULE_NAME_MAX}`);
        if (!RULE_NAME_PATTERN.test(name)) problems.push({ stack, resource: logicalId, limit: 'rule name characters', value: 1, max: 0, message: `rule name ${name} has characters outside [.-_A-Za-z0-9]` });
        const bus = typeof props.EventBusName === 'string' ? props.EventBusName : JSON.stringify(props.EventBusName ?? 'default');
        const key = `${bus}/${name}`;
        const clash = ruleNames.get(key);
        if (clash) problems.push({ stack, resource: logicalId, limit: 'rule name unique', value: 2, max: 1, message: `rule name ${name} is also ${clash}'s on bus ${bus}` });
        ruleNames.set(key, logicalId);
      }
      if (props.EventPattern !== undefined) {
        const chars = JSON.stringify(props.EventPattern).length;
        add(logicalId, 'event pattern size', chars, options.eventPatternMaxChars ?? EVENT_PATTERN_MAX_CHARS, `event pattern of ${typeof name === 'string' ? name : logicalId} is ${chars} characters; EventBridge allows ${options.eventPatternMaxChars ?? EVENT_PATTERN_MAX_CHARS}`);
      }
    }
    if (resource.Type === 'AWS::Events::EventBusPolicy') {
      const chars = JSON.stringify(estimateResolved(props.Statement ?? props.Policy ?? {})).length;
      add(logicalId, 'event bus policy size', chars, EVENT_BUS_POLICY_MAX_CHARS, `event bus policy is about ${chars} characters; EventBridge allows ${EVENT_BUS_POLICY_MAX_CHARS}`);
    }
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::Role') {
      const documents = resource.Type === 'AWS::IAM::Policy' ? [props.PolicyDocument] : asArray(props.Policies as Array<{ PolicyDocument: unknown }> | undefined).map((p) => p.PolicyDocument);
      for (const document of documents) {
        const chars = JSON.stringify(estimateResolved(document)).length;
        add(logicalId, 'IAM inline policy size', chars, IAM_ROLE_POLICY_MAX_CHARS, `inline policy is about ${chars} characters; IAM allows ${IAM_ROLE_POLICY_MAX_CHARS}`);
      }
    }
  }
  return { measure: { stack, bytes: size, resources: resources.length, needsS3Upload: size > CFN_TEMPLATE_BODY_MAX_BYTES, queuePolicies }, problems };
}
