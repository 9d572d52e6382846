#!/usr/bin/env node
/**
 * The CDK app entry for the CDK CLI (cdk.json: "app": "node dist/infra/main.js"), so `npx cdk synth` / `npx cdk
 * deploy` work on trailguard's own stacks. The config file: `-c trailguard:config=path` (CDK context) or
 * $TRAILGUARD_CONFIG, else ./trailguard.config.yaml. `trailguard synth` / `trailguard deploy` do the same without the
 * CDK CLI in between (and check the AWS limits on the templates).
 */
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../config/load.js';
import { resolveRuleSet } from '../cli/rule-set.js';
import { stderrReporter } from '../cli/reporter.js';
import { buildTrailguardApp } from './app.js';

const app = new App();
const configFile = (app.node.tryGetContext('trailguard:config') as string | undefined) ?? process.env.TRAILGUARD_CONFIG;
const { config } = loadConfig(configFile);
const { rules } = resolveRuleSet({}, config, stderrReporter());
buildTrailguardApp({ config, rules, app, nag: app.node.tryGetContext('trailguard:nag') !== 'false' });
app.synth();
