import { Command, Option } from 'commander';
import { allControlIds, DEFAULT_NAMESPACE, DEFAULT_TOPIC_NAME, PATTERN_SETS } from '../audit/controls/catalog.js';
import type { AuditCommandDeps, AuditCommandOptions } from './audit-run.js';
import { splitList } from './options.js';

export type { AuditCommandDeps, AuditCommandOptions } from './audit-run.js';


/**
 * `trailguard audit`. Only the command line is defined here; the audit itself (and the AWS SDK it needs, the
 * heaviest part of trailguard to load) is imported when the command runs, so other commands start fast.
 */
export function auditCommand(deps: AuditCommandDeps = {}): Command {
  return new Command('audit')
    .description(
      'check the CIS monitoring controls (metric filters, alarms, subscribed topics) and the CloudTrail setup they depend on, judging each metric filter by what it matches; --fix plans (and --apply makes) what is missing',
    )
    .option('--profile <name>', 'AWS profile of the shared config/credentials files (default: the standard credential chain)')
    .option('--region <region>', 'region to start in (default: AWS_REGION or the profile\'s region)')
    .option('--regions <regions>', 'more regions to list trails and alarms in (comma-separated, repeatable)', splitList)
    .option('--all-regions', 'list trails and alarms in every enabled region (ec2:DescribeRegions)')
    .option('--only <ids>', `audit only these controls (comma-separated, repeatable): ${allControlIds().join(', ')}`, splitList)
    .option('--exclude <ids>', 'leave out these controls (comma-separated, repeatable)', splitList)
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-o, --output <file>', 'write the report to this file instead of stdout')
    .option('--fail-on <verdicts>', 'exit with status 1 when a control has one of these verdicts (FAIL, ERROR, comma-separated, any case; or none) (default: "FAIL,ERROR")')
    .option('--max-delivery-age <hours>', 'a trail whose latest CloudWatch Logs delivery is older than this fails cloudtrail-cloudwatch-logs (default: "24")')
    .option('-c, --config <file>', 'config file (default: ./trailguard.config.yaml if present); its audit section gives defaults for these options')
    .option('--fix', 'plan what to create so the failing monitoring controls pass (a dry run: the SDK calls and the aws CLI commands)')
    .option('--apply', 'with --fix: make the calls, then audit again (refused when the alarms would notify no one: give --email, or a topic with a confirmed subscriber)')
    .option('--email <address>', 'with --fix: subscribe this address to the alarm topic')
    .option('--topic-arn <arn>', 'with --fix: notify this existing SNS topic instead of creating one (without it and --email: the topic the CIS alarms already notify, if it has a confirmed subscriber)')
    .option('--topic-name <name>', `with --fix: name of the SNS topic to create (default ${DEFAULT_TOPIC_NAME})`)
    .option('--namespace <namespace>', `with --fix: metric namespace of new metric filters (default ${DEFAULT_NAMESPACE})`)
    .addOption(new Option('--patterns <set>', 'with --fix: filter texts to write: cis (CIS, with its published defects fixed) or security-hub (the exact texts Security Hub compares)').choices(PATTERN_SETS).default('cis'))
    .option('--cloudformation <file>', 'with --fix: write the plan as a CloudFormation template (YAML; JSON when the file ends in .json; - for stdout)')
    .option('-v, --verbose', 'also print what met each control, what was accepted and advice')
    .option('-q, --quiet', 'no progress or summary on stderr')
    .action(async (options: AuditCommandOptions) => {
      const { runAudit } = await import('./audit-run.js');
      process.exitCode = await runAudit(options, deps);
    });
}
