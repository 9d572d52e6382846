/**
 * The fix plan as a CloudFormation template: the same topic, subscription, metric filters and alarms, with the same
 * names and settings, for teams that deploy through CloudFormation / StackSets instead of letting a tool make calls.
 * Deploy it in the plan's region (the log group's): aws cloudformation deploy --region <region> --template-file <file>
 * --stack-name trailguard-cis-monitoring.
 *
 * Resource types and properties: AWS::SNS::Topic (TopicName), AWS::SNS::Subscription (TopicArn, Protocol, Endpoint),
 * AWS::Logs::MetricFilter (LogGroupName, FilterName, FilterPattern, MetricTransformations), AWS::CloudWatch::Alarm
 * (AlarmName, AlarmDescription, MetricName, Namespace, Statistic, Period, EvaluationPeriods, DatapointsToAlarm,
 * Threshold, ComparisonOperator, TreatMissingData, ActionsEnabled, AlarmActions). Ref of an SNS topic is its ARN.
 */
import { stringify } from 'yaml';
import type { FixPlan } from './fix-plan.js';

const logicalId = (prefix: string, name: string) =>
  prefix +
  name
    .replace(/^trailguard-/, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

export interface CloudFormationTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Parameters?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Outputs?: Record<string, unknown>;
}

export function planToTemplate(plan: FixPlan): CloudFormationTemplate {
  const template: CloudFormationTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `trailguard audit --fix: CIS monitoring metric filters and alarms${plan.logGroup ? ` for log group ${plan.logGroup.name} (deploy in ${plan.region})` : ''}`,
    Resources: {},
  };
  const topicRef: unknown = plan.createsTopic ? { Ref: 'AlarmTopic' } : plan.topicArn;
  for (const step of plan.steps) {
    const input = step.input;
    switch (step.operation) {
      case 'CreateTopic':
        template.Resources.AlarmTopic = { Type: 'AWS::SNS::Topic', Properties: { TopicName: input.Name } };
        template.Outputs = { AlarmTopicArn: { Description: 'The topic the alarms notify', Value: { Ref: 'AlarmTopic' } } };
        break;
      case 'Subscribe':
        template.Parameters = { AlarmEmail: { Type: 'String', Description: 'Address that receives the alarms (it must confirm the subscription)', Default: input.Endpoint } };
        template.Resources.AlarmTopicEmailSubscription = { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: topicRef, Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } } };
        break;
      case 'PutMetricFilter': {
        const transformations = (input.metricTransformations as { metricName: string; metricNamespace: string; metricValue: string }[]).map((t) => ({
          MetricName: t.metricName,
          MetricNamespace: t.metricNamespace,
          MetricValue: t.metricValue,
        }));
        template.Resources[logicalId('MetricFilter', String(input.filterName))] = {
          Type: 'AWS::Logs::MetricFilter',
          Properties: { LogGroupName: input.logGroupName, FilterName: input.filterName, FilterPattern: input.filterPattern, MetricTransformations: transformations },
        };
        break;
      }
      case 'PutMetricAlarm': {
        const { AlarmActions: _actions, ...rest } = input;
        template.Resources[logicalId('Alarm', String(input.AlarmName))] = { Type: 'AWS::CloudWatch::Alarm', Properties: { ...rest, AlarmActions: [topicRef] } };
        break;
      }
    }
  }
  return template;
}

/**
 * The template as text. YAML is plain: every alarm refers to the topic with its own `{ Ref: AlarmTopic }`, never an
 * anchor and aliases (`&a1` / `*a1`), which CloudFormation does not accept.
 */
export function renderTemplate(plan: FixPlan, format: 'yaml' | 'json'): string {
  const template = planToTemplate(plan);
  return format === 'json' ? `${JSON.stringify(template, null, 2)}\n` : stringify(template, { lineWidth: 0, aliasDuplicateObjects: false });
}
