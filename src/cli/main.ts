#!/usr/bin/env node
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/load.js';
import { OutputError, streamError } from '../pipeline/output.js';
import { auditCommand } from './audit-command.js';
import { deployCommand, destroyCommand, synthCommand } from './deploy-command.js';
import { notifyCommand } from './notify-command.js';
import { patternCommand } from './pattern-command.js';
import { remediateCommand } from './remediate-command.js';
import { rulesCommand } from './rules-command.js';
import { scanCommand } from './scan-command.js';
import { watchCommand } from './watch-command.js';
import { RunFailedError, UsageError } from './usage-error.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** Exit status when stdout's reader went away (`trailguard scan ... | head`): 128 + SIGPIPE, as a shell reports a writer SIGPIPE killed. */
export const EXIT_STDOUT_CLOSED = 141;

/**
 * Exit codes: 0 ok; 1 findings at or above --fail-on (or failed rule tests, or no event matched in `pattern test`);
 * 2 usage or configuration error, an input or output that cannot be read or written, or a run that failed a check
 * it was asked to make (--strict, an empty input with --fail-on); 141 stdout closed early (quietly, no message);
 * 70 internal error (a bug: the stack is printed).
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('trailguard')
    .description('Real-time AWS security alerting and auto-remediation driven by CloudTrail')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program.addCommand(scanCommand());
  program.addCommand(watchCommand());
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
    if (error instanceof OutputError && error.output === 'stdout') {
      // Reported once, whether this or the stream's 'error' event (guardStandardStreams) comes first.
      if (stdoutFailed) return error.closed ? EXIT_STDOUT_CLOSED : 2;
      stdoutFailed = true;
    }
    if (error instanceof OutputError && error.closed) return EXIT_STDOUT_CLOSED;
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof OutputError || error instanceof RunFailedError) {
      process.stderr.write(`trailguard: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/**
 * stdout or stderr failing outside a command's own checked writes — a reader that exits early (`| head`), a full disk
 * behind a redirection — ends the run with one line (or none for a closed pipe), never an unhandled 'error' event and
 * its stack trace. Every command gets this, whatever it writes with.
 */
let stdoutFailed = false;

function guardStandardStreams(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (stdoutFailed) return;
    stdoutFailed = true;
    const failure = streamError('stdout', error);
    if (!failure.closed) writeStderr(`trailguard: ${failure.message}\n`);
    process.exit(failure.closed ? EXIT_STDOUT_CLOSED : 2);
  });
  // Nowhere left to report a failure of stderr itself: stop, with the exit status of a closed pipe when it was one.
  process.stderr.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? EXIT_STDOUT_CLOSED : 2));
}

function writeStderr(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    // stderr is gone too.
  }
}

/**
 * The AWS SDK for JavaScript v3 warns through process.emitWarning, in nine lines, on every Node.js major it is about to
 * drop (NodeVersionSupportWarning, "will require node >=22" on Node 20). That warning becomes one line, once; every
 * other warning is printed by Node's own handler as before. With --no-warnings Node has no handler and nothing is
 * printed, this one included.
 */
export function condenseSdkWarnings(): void {
  const nodeHandlers = process.listeners('warning');
  if (nodeHandlers.length === 0) return;
  for (const handler of nodeHandlers) process.removeListener('warning', handler);
  let shown = false;
  process.on('warning', (warning: Error) => {
    const text = typeof warning?.message === 'string' ? warning.message : '';
    if (warning?.name === 'NodeVersionSupportWarning' || text.startsWith('NodeVersionSupportWarning')) {
      if (shown) return;
      shown = true;
      const needs = /node\s*(>=\s*\d+(?:\.\d+)*)/i.exec(text)?.[1]?.replace(/\s+/g, '');
      const until = /published after ([^\n]+?)\s*\n?\s*will require/i.exec(text)?.[1]?.replace(/\s+/g, ' ');
      writeStderr(
        needs !== undefined
          ? `warning: the AWS SDK for JavaScript needs Node.js ${needs} in versions published after ${until ?? 'its next support cut-off'}; this is Node.js ${process.version}\n`
          : `warning: ${text.split('\n')[0]}\n`,
      );
      return;
    }
    for (const handler of nodeHandlers) handler.call(process, warning);
  });
}

guardStandardStreams();
condenseSdkWarnings();

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`trailguard: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  },
);
