/**
 * Builds the CDK app from trailguard.config.yaml and the selected rules: the plan (plan.ts) first — everything that
 * cannot work deployed is refused there — then the stacks (stacks.ts), then cdk-nag with the acknowledgements
 * (nag.ts). Used by `trailguard synth/deploy`, by `npx cdk synth` (main.ts) and by the tests.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { App, BootstraplessSynthesizer, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { TrailguardConfig } from '../config/schema.js';
import type { Rule } from '../rules/types.js';
import { defaultHandlerEntry, type HandlerEntry } from './handler-entry.js';
import { acknowledgeFindings, listAcknowledgements, type Acknowledgement } from './nag.js';
import { planDeployment, type DeploymentPlan } from './plan.js';
import { homeBusArn, TrailguardMemberStack, TrailguardRegionStack, TrailguardStack } from './stacks.js';

export interface BuildAppOptions {
  config: TrailguardConfig;
  /** The selected rules (resolveRuleSet), the same snapshot the functions embed. */
  rules: readonly Rule[];
  /** Where each handler's source is (default: src/lambda/<name>.ts from source, dist/lambda/<name>.js built). */
  handlerEntry?: HandlerEntry;
  /** The cloud assembly directory (default: a temporary one, as CDK's App does). */
  outdir?: string;
  /** Run cdk-nag's AwsSolutions pack at synth (default true). */
  nag?: boolean;
  /** For the default region and account (CDK_DEFAULT_REGION, AWS_REGION, ...). */
  env?: NodeJS.ProcessEnv;
  /** The App to build into (main.ts passes the one the CDK CLI configured). */
  app?: App;
}

export interface TrailguardApp {
  app: App;
  plan: DeploymentPlan;
  central: TrailguardStack;
  regions: TrailguardRegionStack[];
  member?: TrailguardMemberStack;
  /** Every cdk-nag finding acknowledged, with its reason. */
  acknowledgements: Acknowledgement[];
  /** Stacks `trailguard deploy` deploys (the member template goes out as a StackSet instead). */
  deployStacks: string[];
}

export function buildTrailguardApp(options: BuildAppOptions): TrailguardApp {
  const env = options.env ?? process.env;
  const plan = planDeployment(options.config, options.rules, { env });
  const app = options.app ?? new App(options.outdir ? { outdir: options.outdir } : {});
  const handlerEntry = options.handlerEntry ?? defaultHandlerEntry;
  const account = plan.account ?? env.CDK_DEFAULT_ACCOUNT;

  // The deployment document as a module esbuild injects (see TrailguardFunction): in the assembly directory, named by
  // its content so identical documents bundle identically.
  const documentJson = JSON.stringify(plan.document);
  const digest = createHash('sha256').update(documentJson).digest('hex').slice(0, 16);
  const injectDir = path.join(app.outdir, '.trailguard');
  mkdirSync(injectDir, { recursive: true });
  const deploymentInject = path.join(injectDir, `deployment-${digest}.mjs`);
  writeFileSync(deploymentInject, `export const __trailguardDeployment = ${JSON.stringify(documentJson)};\n`);

  const central = new TrailguardStack(app, plan.name, {
    stackName: plan.name,
    env: { region: plan.region, ...(account ? { account } : {}) },
    plan,
    handlerEntry,
    deploymentInject,
  });
  const regions = plan.regions.map(
    (region) =>
      new TrailguardRegionStack(app, `${plan.name}-${region}`, {
        stackName: `${plan.name}-${region}`,
        env: { region, ...(account ? { account } : {}) },
        plan,
        targetBusArn: homeBusArn(plan, account ?? central.account),
      }),
  );
  for (const r of regions) r.addStackDependency(central);
  let member: TrailguardMemberStack | undefined;
  if (plan.organization && plan.account) {
    member = new TrailguardMemberStack(app, `${plan.name}-member`, {
      stackName: `${plan.name}-member`,
      // A StackSet template: no bootstrap roles, no assets (the synthesizer refuses any), no account or region pinned.
      synthesizer: new BootstraplessSynthesizer(),
      plan,
      centralAccount: plan.account,
      ...(plan.remediation.policy ? { remediationPolicy: plan.remediation.policy } : {}),
    });
  }

  for (const stack of [central, ...regions, ...(member ? [member] : [])]) acknowledgeFindings(stack, plan);
  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  return { app, plan, central, regions, ...(member ? { member } : {}), acknowledgements: listAcknowledgements(app), deployStacks: [central, ...regions].map((s) => s.stackName) };
}
