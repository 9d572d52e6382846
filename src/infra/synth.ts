/**
 * `trailguard synth`: config + rules → the cloud assembly (CloudFormation templates and the bundled function code)
 * in a directory, without any AWS call. Then the limits moto does not enforce are measured on the templates, and a
 * template that breaks one is refused. `trailguard deploy` runs this first and hands the directory to the CDK CLI.
 */
import { TrailguardError } from '../util/errors.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { LAMBDA_HANDLERS } from '../lambda/environment.js';
import { buildTrailguardApp, type TrailguardApp } from './app.js';
import { defaultHandlerEntry, type HandlerEntry } from './handler-entry.js';
import type { Acknowledgement } from './nag.js';
import { DeployConfigError, type DeploymentPlan } from './plan.js';
import { prepareDeployment, type PrepareOptions, type PreparedDeployment } from './prepare.js';
import { checkTemplate, type CfnTemplate, type LimitProblem, type TemplateMeasure } from './template-limits.js';

/** The app could not be synthesized: the handlers are missing, or cdk-nag found what nobody acknowledged. */
export class SynthError extends TrailguardError {
  override readonly name = 'SynthError';
  constructor(message: string) {
    super(message, { code: 'synth' });
  }
}

export interface SynthOptions extends PrepareOptions {
  /** --out: the cloud assembly directory. */
  outdir: string;
  /** cdk-nag (default true). */
  nag?: boolean;
  handlerEntry?: HandlerEntry;
}

export interface SynthesizedStack {
  name: string;
  templateFile: string;
  region?: string;
  measure: TemplateMeasure;
}

export interface SynthResult {
  outdir: string;
  plan: DeploymentPlan;
  stacks: SynthesizedStack[];
  /** Stacks `trailguard deploy` deploys. */
  deployStacks: string[];
  /** Organization mode: the member template (a StackSet template). */
  memberTemplate?: string;
  acknowledgements: Acknowledgement[];
  built: TrailguardApp;
}

export function synthesize(options: SynthOptions, prepared: PreparedDeployment = prepareDeployment(options)): SynthResult {
  const cwd = options.cwd ?? process.cwd();
  const { config, rules } = prepared;
  const handlerEntry = options.handlerEntry ?? defaultHandlerEntry;
  const missing = LAMBDA_HANDLERS.filter((name) => !(name === 'backfill' && !config.deploy?.backfill) && !existsSync(handlerEntry(name))).map(handlerEntry);
  if (missing.length > 0) throw new SynthError(`the Lambda handlers are missing: ${missing.join(', ')} (a trailguard package built without them: rebuild it, npm run build)`);
  const outdir = path.resolve(cwd, options.outdir);
  // In-memory mode: a failed validation (cdk-nag) throws with the report instead of printing it and exiting.
  const app = new App({ outdir, context: { '@aws-cdk/core:appMode': 'inmemory' } });
  const built = buildTrailguardApp({ config, rules, handlerEntry, app, ...(options.nag === false ? { nag: false } : {}), ...(options.env ? { env: options.env } : {}) });
  let assembly;
  try {
    assembly = app.synth();
  } catch (error) {
    const message = (error as Error).message;
    if (/ValidationFailed|Validation failed|AwsSolutions/.test(message)) throw new SynthError(`cdk-nag found findings nobody acknowledged:\n${message}`);
    throw error;
  }
  const stacks: SynthesizedStack[] = [];
  const problems: LimitProblem[] = [];
  for (const artifact of assembly.stacks) {
    const templateFile = path.join(assembly.directory, artifact.templateFile);
    const template = JSON.parse(readFileSync(templateFile, 'utf8')) as CfnTemplate;
    const checked = checkTemplate(artifact.stackName, template, { eventPatternMaxChars: built.plan.eventPatternMaxChars });
    problems.push(...checked.problems);
    stacks.push({ name: artifact.stackName, templateFile, ...(artifact.environment.region !== 'unknown-region' ? { region: artifact.environment.region } : {}), measure: checked.measure });
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new DeployConfigError(`stack ${first.stack} ${first.resource}`, problems.map((p) => `${p.stack}/${p.resource}: ${p.message}`).join('; '));
  }
  const member = built.member ? stacks.find((s) => s.name === built.member!.stackName) : undefined;
  return { outdir, plan: built.plan, stacks, deployStacks: built.deployStacks, ...(member ? { memberTemplate: member.templateFile } : {}), acknowledgements: built.acknowledgements, built };
}

/** What `trailguard synth` prints: stacks, rules without an EventBridge rule and why, warnings, next steps. */
export function describeSynth(result: SynthResult): string[] {
  const { plan } = result;
  const lines: string[] = [];
  lines.push(`Synthesized ${result.stacks.length} stack${result.stacks.length === 1 ? '' : 's'} into ${result.outdir}:`);
  for (const s of result.stacks) {
    lines.push(`  ${s.name}${s.region ? ` (${s.region})` : ''}: ${s.measure.resources} resources, ${s.measure.bytes} bytes${s.measure.needsS3Upload ? ' (over 51,200 bytes: the CDK CLI uploads it to the bootstrap bucket)' : ''}`);
  }
  lines.push(`EventBridge rules: ${plan.rules.length} (one per selected rule with a match, pattern verbatim)${plan.organization ? ` on the central bus ${plan.organization.busName}` : ''}`);
  const readOnly = plan.rules.filter((r) => r.readOnlyEvents).map((r) => r.ruleId);
  if (readOnly.length > 0) lines.push(`  rules that also receive read-only management events (ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS): ${readOnly.join(', ')}`);
  lines.push(`cdk-nag: ${result.acknowledgements.length} finding${result.acknowledgements.length === 1 ? '' : 's'} acknowledged with a reason (see src/infra/nag.ts)`);
  if (result.memberTemplate) {
    lines.push(`Member accounts: deploy ${result.memberTemplate} as a CloudFormation StackSet (service-managed, to the organization's OUs, in ${plan.organization!.memberRegions.join(', ')}), after the central stack, e.g.`);
    lines.push(`  aws cloudformation create-stack-set --stack-set-name ${plan.name}-member --template-body file://${result.memberTemplate} --permission-model SERVICE_MANAGED --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false --capabilities CAPABILITY_NAMED_IAM`);
  }
  lines.push('Deploying needs a bootstrapped account and region (cdk bootstrap aws://ACCOUNT/REGION): the function code is an asset the CDK CLI uploads, and so is a template over 51,200 bytes.');
  return lines;
}
