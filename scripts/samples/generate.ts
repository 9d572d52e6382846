/**
 * Generate a realistic, deterministic CloudTrail log tree (S3 delivery layout) plus its scenario manifest.
 *
 *   npx tsx scripts/samples/generate.ts [--records N] [--seed S] [--start ISO] [--days D] [--out DIR] [--manifest FILE] [--accounts A,B,C]
 *
 * Without arguments it regenerates the committed data set: samples/AWSLogs/ (what `npm start` scans) and its
 * manifest test/fixtures/sample-scenarios.json (kept out of samples/ so a scan of samples/ reads only logs).
 */
import { parseArgs } from 'node:util';
import { DEFAULTS, type GeneratorOptions, writeSampleTree } from './generator/index.js';

const HELP = `Usage: npx tsx scripts/samples/generate.ts [options]

Writes AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/*.json.gz (one file per account, region and
5-minute delivery window) and one CloudTrail-Digest file under --out, and the manifest of the woven-in
scenario records (with the rule ids each should trigger) to --manifest. Same options → byte-identical files.

Options:
  --records N      total records, scenario records included   (default ${DEFAULTS.records})
  --seed S         PRNG seed                                   (default ${DEFAULTS.seed})
  --start ISO      start of the time window                    (default ${DEFAULTS.start})
  --days D         length of the window in days, >= 1/24       (default ${DEFAULTS.days})
  --out DIR        output directory                            (default samples)
  --manifest FILE  scenario manifest (JSON)                    (default: DIR/SCENARIOS.json with --out,
                                                               else test/fixtures/sample-scenarios.json)
  --accounts IDS   comma-separated 12-digit account ids; the first is "prod" (and the organization
                   management account), the second "dev", the third "security"
                   (default ${DEFAULTS.accounts.join(',')})
  --workers N      compression/writer threads                  (default: max(2, cores - 1))
  --quiet          print only the summary line
  -h, --help       show this help
`;

function fail(message: string): never {
  process.stderr.write(`generate: ${message}\n\n${HELP}`);
  process.exit(2);
}

function num(name: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) fail(`--${name} expects a number, got "${v}"`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        records: { type: 'string' },
        seed: { type: 'string' },
        start: { type: 'string' },
        days: { type: 'string' },
        out: { type: 'string' },
        manifest: { type: 'string' },
        accounts: { type: 'string', multiple: true },
        workers: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const opts: GeneratorOptions & { out: string; manifest?: string; workers?: number } = {
    out: values.out ?? 'samples',
    manifest: values.manifest ?? (values.out === undefined ? 'test/fixtures/sample-scenarios.json' : undefined),
  };
  const records = num('records', values.records, true);
  if (records !== undefined) opts.records = records;
  const days = num('days', values.days, false);
  if (days !== undefined) opts.days = days;
  const workers = num('workers', values.workers, true);
  if (workers !== undefined) opts.workers = workers;
  if (values.seed !== undefined) opts.seed = values.seed;
  if (values.start !== undefined) {
    if (Number.isNaN(Date.parse(values.start))) fail(`--start expects an ISO 8601 date, got "${values.start}"`);
    opts.start = values.start;
  }
  if (values.accounts) opts.accounts = values.accounts.flatMap((a) => a.split(',')).map((a) => a.trim()).filter(Boolean);

  let summary;
  try {
    summary = await writeSampleTree(opts);
  } catch (e) {
    process.stderr.write(`generate: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const mb = (n: number): string => (n / 1_048_576).toFixed(2) + ' MiB';
  const secs = summary.ms / 1000;
  if (!values.quiet) {
    process.stdout.write(
      [
        `output      ${summary.out}`,
        `files       ${summary.files} (${summary.logFiles} log files, ${summary.digestFiles} digest)`,
        `records     ${summary.records} (${summary.scenarios} scenario records, see ${summary.manifest})`,
        `bytes       ${summary.bytes} on disk (${mb(summary.bytes)}), ${summary.rawBytes} uncompressed JSON (${mb(summary.rawBytes)})`,
        `time        ${secs.toFixed(2)} s (${mb(summary.rawBytes / Math.max(secs, 0.001))}/s uncompressed, ${Math.round(summary.records / Math.max(secs, 0.001))} records/s)`,
        '',
      ].join('\n'),
    );
  } else {
    process.stdout.write(`${summary.files} files, ${summary.records} records, ${summary.bytes} bytes (${summary.rawBytes} uncompressed) in ${secs.toFixed(2)} s\n`);
  }
}

await main();
