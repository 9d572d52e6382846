import { Command, Option } from 'commander';
import { DELIVERY_STATES } from '../store/types.js';
import { stderrReporter } from './reporter.js';

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

const io = (quiet?: boolean) => ({ stdout: process.stdout, reporter: stderrReporter(process.stderr, quiet) });

/**
 * `trailguard notify test | status | retry | run`. The command line only; the work (and SQLite,
 * nodemailer) is loaded when a subcommand runs, so other commands start fast.
 * Exit codes: 0 done; 1 a delivery failed (test, retry, run); 2 usage or configuration error (and `retry --id`
 * when none of the ids names a delivery; ids that match none, or a delivery that is not failed, are warned about).
 */
export function notifyCommand(): Command {
  const notify = new Command('notify').description('notification channels and the delivery outbox: send a test, show pending/failed deliveries, re-drive them');
  const common = (command: Command) =>
    command
      .option('-c, --config <file>', 'config file (default: ./trailguard.config.yaml if present)')
      .option('--store <path>', 'the store (default: the config\'s store.path, else .trailguard/trailguard.db)');

  notify.addCommand(
    common(new Command('test'))
      .description('send a sample finding (marked as a test) to one channel and report what the service answered')
      .requiredOption('--channel <name>', 'channel name from the notifications config')
      .option('--timeout <duration>', 'give up after this long (default: the channel\'s delivery.timeoutSeconds)')
      .option('-v, --verbose', 'say more')
      .action(async (options) => {
        const { runNotifyTest } = await import('./notify-run.js');
        process.exitCode = await runNotifyTest(options, io());
      }),
  );

  notify.addCommand(
    common(new Command('status'))
      .description('deliveries per channel and state; lists pending and failed ones with their last error')
      .option('--channel <name>', 'only this channel')
      .addOption(new Option('--state <states>', `list deliveries in these states (comma-separated: ${DELIVERY_STATES.join(', ')}; default pending,sending,failed)`).argParser(collect))
      .option('--limit <n>', 'list at most this many deliveries (default 50)')
      .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
      .action(async (options) => {
        const { runNotifyStatus } = await import('./notify-run.js');
        process.exitCode = await runNotifyStatus(options, io());
      }),
  );

  notify.addCommand(
    common(new Command('retry'))
      .description('re-drive failed deliveries (fresh attempt budget), then deliver them')
      .option('--channel <name>', 'only this channel')
      .addOption(new Option('--id <ids>', 'only these delivery ids (comma-separated, repeatable; see notify status); exit 2 when none of them exists').argParser(collect))
      .option('--no-deliver', 'only re-queue; deliver later (notify run, or the next scan --notify)')
      .option('--timeout <duration>', 'stop delivering after this long; what is left stays pending (default 2m)')
      .option('-v, --verbose', 'log every delivery')
      .option('-q, --quiet', 'no summary')
      .action(async (options) => {
        const { runNotifyRetry } = await import('./notify-run.js');
        process.exitCode = await runNotifyRetry(options, io(options.quiet));
      }),
  );

  notify.addCommand(
    common(new Command('run'))
      .description('deliver what is pending in the outbox (e.g. after a crash, or what a scan left for later)')
      .option('--timeout <duration>', 'stop after this long; what is left stays pending (default 2m)')
      .option('--watch', 'keep delivering as work appears, until interrupted (SIGINT/SIGTERM finish in-flight deliveries first)')
      .option('-v, --verbose', 'log every delivery')
      .option('-q, --quiet', 'no summary')
      .action(async (options) => {
        const { runNotifyRun } = await import('./notify-run.js');
        process.exitCode = await runNotifyRun(options, io(options.quiet));
      }),
  );
  return notify;
}
