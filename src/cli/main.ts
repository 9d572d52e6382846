#!/usr/bin/env node
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { auditCommand } from './audit-command.js';
import { deployCommand, destroyCommand, synthCommand } from './deploy-command.js';
import { notifyCommand } from './notify-command.js';
import { patternCommand } from './pattern-command.js';
import { remediateCommand } from './remediate-command.js';
import { rulesCommand } from './rules-command.js';
import { scanCommand } from './scan-command.js';
import { UsageError } from './usage-error.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** Exit codes: 0 ok, 1 findings at or above --fail-on (or failed rule tests), 2 usage or configuration error. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('trailguard')
    .description('Real-time AWS security alerting and auto-remediation driven by CloudTrail')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program.addCommand(scanCommand());
  program.addCommand(rulesCommand());
  program.addCommand(patternCommand());
  program.addCommand(auditCommand());
  program.addCommand(remediateCommand());
  program.addCommand(notifyCommand());
  program.addCommand(synthCommand());
  program.addCommand(deployCommand());
  program.addCommand(destroyCommand());
  // Every (sub)command reports its usage errors through the same path: exit code 2.
  const overrideAll = (command: Command): void => {
    for (const sub of command.commands) {
      sub.exitOverride();
      sub.configureOutput({ writeErr: (text) => process.stderr.write(text) });
      overrideAll(sub);
    }
  };
  overrideAll(program);

  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return 2;
    }
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`trailguard: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`trailguard: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  },
);
