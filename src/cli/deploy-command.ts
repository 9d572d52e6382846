/**
 * `trailguard synth | deploy | destroy`: the AWS deployment (src/infra, aws-cdk-lib), loaded with a dynamic import
 * only when one of these runs, so every other command starts without the CDK.
 *
 *   trailguard synth   [-c config] [--out DIR]     write the cloud assembly (templates + bundled code); no AWS call
 *   trailguard deploy  [-c config] [--out DIR] [--profile P] [--require-approval never|any-change|broadening]
 *   trailguard destroy [-c config] [--out DIR] [--profile P] [--force]
 *
 * deploy and destroy run the installed aws-cdk CLI on the synthesized assembly (--app DIR), with notices and
 * telemetry off. Exit codes: 0 done; 1 synth or the CDK CLI failed; 2 usage or configuration error (the message
 * names the config key or rule).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Command, Option } from 'commander';
import type { LambdaHandlerName } from '../lambda/environment.js';
import { stderrReporter } from './reporter.js';
import { UsageError } from './usage-error.js';
import { collectValues, splitList } from './options.js';

interface CommonOptions {
  config?: string;
  out: string;
  rules?: string[];
  builtin?: boolean;
  only?: string[];
  exclude?: string[];
  nag?: boolean;
  quiet?: boolean;
}

interface DeployOptions extends CommonOptions {
  profile?: string;
  requireApproval?: string;
  force?: boolean;
}

export interface DeployCommandDeps {
  /** Where the handler sources are (tests); default src/infra/handler-entry.ts, or $TRAILGUARD_HANDLER_DIR/<name>.(ts|js). */
  handlerEntry?: (name: LambdaHandlerName) => string;
  /** Runs the CDK CLI (tests replace it); resolves to its exit code. */
  runCdk?: (args: string[], env: NodeJS.ProcessEnv) => Promise<number>;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream;
  cwd?: () => string;
}


function common(command: Command): Command {
  return command
    .option('-c, --config <file>', 'config file (default: ./trailguard.config.yaml if present); its deploy section says what to build')
    .option('--out <dir>', 'the cloud assembly directory (templates and bundled function code)', 'cdk.out')
    .option('--rules <path>', 'extra rule file or directory, repeatable (as for scan)', collectValues)
    .option('--no-builtin', 'leave out the built-in catalog')
    .option('--only <ids>', 'deploy only these rule ids (comma-separated, repeatable)', splitList)
    .option('--exclude <ids>', 'do not deploy these rule ids (comma-separated, repeatable)', splitList)
    .option('--no-nag', 'skip cdk-nag (AwsSolutions) at synth')
    .option('-q, --quiet', 'print only warnings and errors');
}

/** The installed aws-cdk CLI's entry (aws-cdk's package.json "bin"). */
export function cdkCliPath(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('aws-cdk/package.json');
  const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> }).bin.cdk!;
  return path.join(path.dirname(manifest), bin);
}

function defaultRunCdk(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  requireCdk(['aws-cdk']);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cdkCliPath(), ...args], { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function handlerEntryFromEnv(): ((name: LambdaHandlerName) => string) | undefined {
  const dir = process.env.TRAILGUARD_HANDLER_DIR;
  if (!dir) return undefined;
  return (name) => {
    const ts = path.resolve(dir, `${name}.ts`);
    try {
      readFileSync(ts);
      return ts;
    } catch {
      return path.resolve(dir, `${name}.js`);
    }
  };
}

/**
 * The AWS CDK is an optional peer of trailguard (~200 MB that scanning, auditing and notifying never load): the
 * commands that synthesize or deploy say what to install when it is missing.
 */
export function missingCdkPackages(names: readonly string[] = ['aws-cdk-lib', 'constructs', 'cdk-nag', 'esbuild']): string[] {
  const require = createRequire(import.meta.url);
  return names.filter((name) => {
    try {
      require.resolve(`${name}/package.json`);
      return false;
    } catch {
      return true;
    }
  });
}

function requireCdk(names?: readonly string[]): void {
  const missing = missingCdkPackages(names);
  if (missing.length > 0) {
    const { peerDependencies = {} } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { peerDependencies?: Record<string, string> };
    throw new UsageError(`deploying needs the AWS CDK, which trailguard does not install by default: npm install ${missing.map((m) => `${m}@${JSON.stringify(peerDependencies[m] ?? 'latest')}`).join(' ')}`);
  }
}

async function runSynth(options: CommonOptions, deps: DeployCommandDeps) {
  requireCdk();
  const { prepareDeployment } = await import('../infra/prepare.js');
  const { DeployConfigError } = await import('../infra/plan.js');
  const reporter = stderrReporter(deps.stderr ?? process.stderr, options.quiet);
  const handlerEntry = deps.handlerEntry ?? handlerEntryFromEnv();
  const synthOptions = {
    ...(options.config ? { config: options.config } : {}),
    cwd: (deps.cwd ?? process.cwd)(),
    outdir: options.out,
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.builtin === false ? { noBuiltin: true } : {}),
    ...(options.only ? { only: options.only } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    nag: options.nag !== false,
    reporter,
    ...(handlerEntry ? { handlerEntry } : {}),
  };
  try {
    // Refusals first, before the CDK is loaded.
    const prepared = prepareDeployment(synthOptions);
    for (const warning of prepared.plan.warnings) reporter.warn(warning);
    for (const skipped of prepared.plan.skipped) reporter.warn(`no EventBridge rule for ${skipped.ruleId}: ${skipped.reason}`);
    const { synthesize, describeSynth, SynthError } = await import('../infra/synth.js');
    // cdk-nag reads a deprecated CloudFormation property; jsii would print a warning for it on every synth.
    process.env.JSII_DEPRECATED ??= 'quiet';
    try {
      const result = synthesize(synthOptions, prepared);
      for (const line of describeSynth(result)) reporter.info(line);
      return { result, failed: false as const };
    } catch (error) {
      if (error instanceof SynthError) {
        reporter.error(error.message);
        return { failed: true as const };
      }
      throw error;
    }
  } catch (error) {
    if (error instanceof DeployConfigError) throw new UsageError(error.message);
    throw error;
  }
}

function cdkEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };
}

export function synthCommand(deps: DeployCommandDeps = {}): Command {
  return common(new Command('synth'))
    .description('write the CloudFormation templates and bundled function code (the cloud assembly) for the config\'s deploy section, without calling AWS')
    .action(async (options: CommonOptions) => {
      const synth = await runSynth(options, deps);
      process.exitCode = synth.failed ? 1 : 0;
    });
}

export function deployCommand(deps: DeployCommandDeps = {}): Command {
  return common(new Command('deploy'))
    .description('synth, then deploy the stacks with the AWS CDK CLI (needs credentials and a bootstrapped account/region)')
    .option('--profile <name>', 'AWS profile for the CDK CLI')
    .addOption(new Option('--require-approval <level>', 'ask before deploying security-relevant changes').choices(['never', 'any-change', 'broadening']).default('broadening'))
    .action(async (options: DeployOptions) => {
      const synth = await runSynth(options, deps);
      if (synth.failed) return void (process.exitCode = 1);
      const { result } = synth;
      const args = ['deploy', ...result.deployStacks, '--app', result.outdir, '--no-notices', '--require-approval', options.requireApproval ?? 'broadening', ...(options.profile ? ['--profile', options.profile] : [])];
      const code = await (deps.runCdk ?? defaultRunCdk)(args, cdkEnv());
      process.exitCode = code === 0 ? 0 : 1;
    });
}

export function destroyCommand(deps: DeployCommandDeps = {}): Command {
  return common(new Command('destroy'))
    .description('delete the stacks with the AWS CDK CLI (the store table and the logs are kept unless deploy.retainData is false)')
    .option('--profile <name>', 'AWS profile for the CDK CLI')
    .option('--force', 'do not ask for confirmation')
    .action(async (options: DeployOptions) => {
      const synth = await runSynth({ ...options, nag: false }, deps);
      if (synth.failed) return void (process.exitCode = 1);
      const { result } = synth;
      const args = ['destroy', ...[...result.deployStacks].reverse(), '--app', result.outdir, '--no-notices', ...(options.force ? ['--force'] : []), ...(options.profile ? ['--profile', options.profile] : [])];
      const code = await (deps.runCdk ?? defaultRunCdk)(args, cdkEnv());
      process.exitCode = code === 0 ? 0 : 1;
    });
}
